"""Writes docs/configuration.md from the config models' titles and descriptions, and
docs/regulator/serve.md from the regulator's serve settings (regulator/serve_settings.py).

The models are the single source of the configuration's documentation (as the error
messages are, and serve's options): this script regenerates the pages and a test fails when
one is stale.
"""

from __future__ import annotations

import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from contract.config.profile import Profile
from contract.config.site import SiteConfig
from contract.kinds import registry
from plumbing.model_options import bounds_of, envvar_of, flag_of
from regulator.serve_settings import ServeSettings

DOCS = Path(__file__).resolve().parents[1] / "docs"
OUT = DOCS / "configuration.md"
SERVE_OUT = DOCS / "regulator" / "serve.md"


def models_of(annotation: typing.Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation refers to (through lists, dicts, unions, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out.extend(models_of(arg))
    return out


def type_name(annotation: typing.Any) -> str:
    """A short readable name of a field's type."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in typing.get_args(annotation))
    if origin is typing.Literal:
        return " / ".join(str(a) for a in typing.get_args(annotation))
    if origin in (list, tuple, dict):
        args = ", ".join(type_name(a) for a in typing.get_args(annotation) if a is not Ellipsis)
        return f"{origin.__name__}[{args}]"
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation))


def default_of(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        return "(empty)" if field.default_factory in (list, dict) else "(defaults below)"
    if field.default is PydanticUndefined or field.default is None:
        return ""
    value = getattr(field.default, "value", field.default)
    return '`""`' if value == "" else f"`{value}`"


SITE_INTRO = (
    "A number's unit is the last part of its field's name (`jib_height_m` in metres, `rated_t` in tonnes, "
    "`warning_ms` in m/s, `capacity_kn` in kN). Sizes are bounded by what they can physically be (a jib "
    "height at most 1000 m, a pit at most 150 m deep, a rated load at most 500 t, a wind threshold at most "
    "60 m/s): a number past its bound is refused at its line, with the smaller unit it fits as written, "
    "e.g. `jib_height_m: 4500` looks like millimetres (4.5 m) or centimetres (45 m)."
)
PROFILE_INTRO = (
    "A value's `unit:` is its metric's (the table of kinds above), in any spelling (`deg` for °), or "
    "another unit of the same quantity, converted into the value's scale and offset (km/h to m/s, mm to "
    "m, kg to t); any other unit is refused at its line, naming the metric's (config/profiles/README.md, "
    '"Units").'
)


def render() -> str:
    """The whole reference page."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from the pydantic models in `contract/config/` by `scripts/config_reference.py`; "
        "`sitegw check-config SITE.yaml` checks a file against exactly these rules. Any string value "
        "may be written `${ENV_VAR}` or `${ENV_VAR:-default}` to keep secrets out of the file.",
        "",
    ]
    lines += _kinds()
    seen: set[type[BaseModel]] = set()
    for title, intro, root in (
        ("The site file", SITE_INTRO, SiteConfig),
        ("Device profiles (config/profiles/NAME.yaml)", PROFILE_INTRO, Profile),
    ):
        lines += [f"# {title}", "", intro, ""]
        lines += _models(root, seen)
    return "\n".join(lines)


def _kinds() -> list[str]:
    """The device kinds as their declarations describe them (contract/kinds/): what each is, its section,
    whether it is watched, and every metric with its Chinese name and unit."""
    lines = [
        "# Device kinds",
        "",
        "Each kind is declared once in `kinds/<kind>/kind.py` (a plug-in adds its own: `sitegw kinds` lists what a "
        "machine has loaded). A device entry's `kind:` picks its model below; the kind's own section holds "
        "what only it needs.",
        "",
        "| kind | name | section | offline watched | metrics |",
        "|---|---|---|---|---|",
    ]
    for kind in registry.kinds():
        metrics = (
            "whatever its profile maps"
            if kind.open_metrics
            else ", ".join(f"`{m.name}` {m.zh}" + (f" ({m.unit})" if m.unit else "") for m in kind.metrics)
        )
        section = f"`{kind.section}:`" if kind.section else "-"
        lines.append(
            f"| `{kind.name}` | {kind.zh} ({kind.en}) | {section} | {'yes' if kind.watched else 'no'} | {metrics} |"
        )
    return [*lines, ""]


def _models(root: type[BaseModel], seen: set[type[BaseModel]]) -> list[str]:
    lines: list[str] = []
    queue: list[type[BaseModel]] = [root]
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.add(model)
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        lines += [
            f"## {model.__name__}",
            "",
            doc,
            "",
            "| field | type | default | meaning |",
            "|---|---|---|---|",
        ]
        for name, field in model.model_fields.items():
            desc = " — ".join(x for x in (field.title, field.description) if x).replace("|", "\\|")
            lines.append(
                f"| `{name}` | {type_name(field.annotation).replace('|', '/')} | {default_of(field)} | {desc} |"
            )
            queue.extend(m for m in models_of(field.annotation) if m not in seen)
        lines.append("")
    return lines


def render_serve() -> str:
    """The reference of ``sitegw regulator serve``'s settings: each option as the model declares it."""
    lines = [
        "# Serve settings reference",
        "",
        "Generated from the settings model in `regulator/serve_settings.py` by `scripts/config_reference.py`, "
        "the one source of `sitegw regulator serve`'s options (its `--help`) and of the settings every "
        "`--workers` process builds its app from. A number's unit is the last part of its name "
        "(`_min` minutes, `_hours`, `_days`, `_mb` megabytes).",
        "",
        "| option | environment | type | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for name, field in ServeSettings.model_fields.items():
        envvar = envvar_of(field)
        desc = f"**{field.title}**: {field.description}".replace("|", "\\|")
        low, high = bounds_of(field)
        bounds = ", ".join(
            b for b in (f"≥ {low}" if low is not None else "", f"≤ {high}" if high is not None else "") if b
        )
        kind = type_name(field.annotation).replace("|", "/") + (f" ({bounds})" if bounds else "")
        lines.append(
            f"| `{flag_of(name, field)}` | {f'`{envvar}`' if envvar else ''} | {kind} | {default_of(field)} | {desc} |"
        )
    return "\n".join([*lines, ""])


def main() -> int:
    pages = {OUT: render(), SERVE_OUT: render_serve()}
    if "--check" in sys.argv:
        stale = [
            out for out, text in pages.items() if not out.exists() or out.read_text(encoding="utf-8") != text
        ]
        for out in stale:
            print(f"{out} is stale: run python scripts/config_reference.py", file=sys.stderr)
        return 1 if stale else 0
    for out, text in pages.items():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
