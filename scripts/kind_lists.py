"""Writes the lists the docs keep of the device kinds, their rules and their profiles, from the kind
registry (contract/kinds/registry.py) and the shipped profiles, so that a kind added (or a rule, or a
profile) shows in every list at once:

- README.md: the table of rule ids by kind (between ``<!-- rules:begin -->`` and ``<!-- rules:end -->``);
- docs/design.md: the rule ids, the ``rule`` of every alert (``<!-- rule-ids:begin -->`` ...);
- config/profiles/README.md: the kinds and the profiles shipped for each (``<!-- profiles:begin -->`` ...).

Only the text between each pair of markers is written; the rest of each file is kept by hand. ``--check``
writes nothing and fails while a file differs from what this would write (tests/kinds/test_kind_lists.py
runs it); `make docs` writes them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from contract.config.loader import shipped_profiles
from contract.kinds import registry
from contract.kinds.kind import Kind

REPO = Path(__file__).resolve().parents[1]
COMMAND = "PYTHONPATH=. .venv/bin/python scripts/kind_lists.py"


def shipped_kinds() -> list[Kind]:
    """The kinds sitegw ships, in the registry's order: a plug-in installed where this runs is not sitegw's."""
    shipped = {k.name for module in registry.BUILTIN for k in registry.load_module(module)}
    return [k for k in registry.kinds() if k.name in shipped]


def _ids(rules: dict[str, str]) -> str:
    return ", ".join(f"`{rule}` {zh}" for rule, zh in rules.items())


def rules_table() -> list[str]:
    """The rule ids each kind's devices raise, with their Chinese names, and those every device shares."""
    rows = [
        f"| {k.zh} {k.en} (`{k.name}`) | {_ids(rules)} |"
        for k in shipped_kinds()
        if (rules := registry.kind_rules(k))
    ]
    return ["| kind | rules |", "|---|---|", *rows, f"| every device | {_ids(registry.SHARED_RULES)} |"]


def rule_ids() -> list[str]:
    """Every rule id, the ``rule`` of every alert, once each."""
    ids = dict.fromkeys(
        [*(r for k in shipped_kinds() for r in registry.kind_rules(k)), *registry.SHARED_RULES]
    )
    return ["Rule IDs (the `rule` of every alert): " + ", ".join(f"`{rule}`" for rule in ids) + "."]


def profiles_table() -> list[str]:
    """Each kind, and the profiles sitegw ships for its devices."""
    by_kind: dict[str, list[str]] = {}
    for profile in shipped_profiles():
        by_kind.setdefault(profile.kind, []).append(f"`{profile.name}`")
    rows = [
        f"| `{k.name}` | {k.zh} {k.en} | {', '.join(by_kind.get(k.name, [])) or 'none shipped'} |"
        for k in shipped_kinds()
    ]
    return ["| kind | what | profiles shipped |", "|---|---|---|", *rows]


LISTS: dict[str, tuple[str, Callable[[], list[str]]]] = {
    "README.md": ("rules", rules_table),
    "docs/design.md": ("rule-ids", rule_ids),
    "config/profiles/README.md": ("profiles", profiles_table),
}
"""Each file, the name of its markers and the lines that go between them."""


def filled(text: str, where: str, name: str, lines: list[str]) -> str:
    """``text`` with ``lines`` between its markers ``name`` (ValueError naming the file and the fix when
    it lacks them)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"{where}: no {begin} ... {end} pair; put the two lines where the list goes")
    return text[: start + len(begin)] + "\n" + "\n".join(lines) + "\n" + text[stop:]


def render(root: Path = REPO) -> dict[Path, str]:
    """Each file's text as this writes it."""
    out = {}
    for where, (name, lines) in LISTS.items():
        path = root / where
        out[path] = filled(path.read_text(encoding="utf-8"), where, name, lines())
    return out


def main() -> int:
    texts = render()
    stale = [p for p, text in texts.items() if p.read_text(encoding="utf-8") != text]
    if "--check" in sys.argv:
        for path in stale:
            print(f"{path.relative_to(REPO)} differs from the kind registry: run {COMMAND}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(texts[path], encoding="utf-8")
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
