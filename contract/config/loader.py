"""Load a site file and its device profiles, turning every problem into a ConfigIssue."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from config import PROFILES
from contract.config.common import Model
from contract.config.errors import LOCATED, ConfigError, ConfigIssue, Located
from contract.config.profile import Profile, RegisterValue, entry_problems
from contract.config.site import SiteConfig
from contract.config.uniqueness import (
    DEVICE_ID_HINT,
    DUPLICATE_DEVICE_ID,
    DUPLICATE_POINT_CODE,
    POINT_CODE_HINT,
    duplicate_codes,
)
from contract.config.units import slip_hint
from contract.config.yamlsrc import Loc, SourceMap, format_loc, load_yaml
from contract.kinds import registry


def _point_sections() -> list[str]:
    """The device sections whose ``points:`` carry the site's own codes, unique within one device."""
    return [
        k.section
        for k in registry.kinds()
        if k.section is not None
        and "points" in getattr(k.device.model_fields[k.section].annotation, "model_fields", {})
    ]


@dataclass(frozen=True)
class LoadedSite:
    """A validated site with the profiles its devices use."""

    path: Path
    config: SiteConfig
    profiles: dict[str, Profile]
    source: SourceMap | None = None  # the file's lines, so later checks (the rules') can name them

    def line_of(self, loc: Iterable[str | int]) -> int | None:
        """The site file's line of a field path, when the site was loaded from a file."""
        return self.source.line_of(loc) if self.source is not None else None

    def profile_of(self, device_id: str) -> Profile:
        """The profile of one device of the site."""
        return self.profiles[self.config.device(device_id).profile]


def load_site(path: str | Path, env: dict[str, str] | None = None) -> LoadedSite:
    """Validate a site file and every profile it names; raise ConfigError listing all issues, the
    site's and its profiles' together, so that one run names every mistake."""
    path = Path(path)
    data, smap = load_yaml(path, env)
    # Duplicates are found on the raw data, where each occurrence has a line, and whatever else is
    # wrong: the model's own (typed, unlocated) error for them is then left out.
    dup_ids = _duplicate_device_ids(smap, data)
    dup_points = _duplicate_point_codes(smap, data)
    located = {DUPLICATE_DEVICE_ID} if dup_ids else set()
    located |= {DUPLICATE_POINT_CODE} if dup_points else set()
    issues: list[ConfigIssue] = [*dup_ids, *dup_points]
    config: SiteConfig | None = None
    try:
        # relative paths in the file (TLS certificates) are from its folder
        config = SiteConfig.model_validate(data, context={"base_dir": path.resolve().parent})
    except ValidationError as exc:
        issues.extend(_schema_issues(exc, data, smap, skip=located))
    # profiles need no valid site to be found and checked: a misspelt one, or a mistake in one, is
    # named in the same run as the site's own errors
    profiles: dict[str, Profile] = {}
    profiles_dir = data.get("profiles_dir") if isinstance(data, dict) else None
    dirs = _profile_dirs(path, profiles_dir if isinstance(profiles_dir, str) else "")
    tried: set[str] = set()
    for i, device in _raw_devices(data):
        name = device.get("profile")
        if not isinstance(name, str):
            continue  # the schema names it
        if name not in tried:
            tried.add(name)
            found = find_profile(name, dirs)
            if found is None:
                issues.append(_unknown_profile(path, smap, i, _raw_id(i, device), name, dirs))
                continue
            try:
                profiles[name] = load_profile(found)
            except ConfigError as exc:
                issues.extend(exc.issues)
        if name in profiles:
            issues.extend(_device_matches_profile(path, smap, i, device, profiles[name]))
    if issues or config is None:
        raise ConfigError(_in_file_order(path, issues))
    return LoadedSite(path, config, profiles, smap)


def _profile_dirs(site_path: Path, profiles_dir: str) -> list[Path]:
    dirs = []
    if profiles_dir:
        dirs.append((site_path.parent / profiles_dir).resolve())
    return dirs + shipped_profile_dirs()


def shipped_profile_dirs() -> list[Path]:
    """Where the shipped profiles are: config/profiles/, then each kind's own profiles/ folder."""
    return [PROFILES, *registry.profile_dirs()]


def shipped_profile(name: str) -> Path:
    """The file of the shipped profile ``name`` (FileNotFoundError naming the folders searched)."""
    dirs = shipped_profile_dirs()
    found = find_profile(name, dirs)
    if found is None:
        raise FileNotFoundError(f"no profile {name!r} in {', '.join(str(d) for d in dirs)}")
    return found


def shipped_profiles() -> list[Profile]:
    """Every profile sitegw ships, validated, in the order of their folders and names."""
    return [load_profile(path) for d in shipped_profile_dirs() for path in sorted(d.glob("*.yaml"))]


def _unknown_profile(
    path: Path, smap: SourceMap, i: int, device_id: str, name: str, dirs: list[Path]
) -> ConfigIssue:
    loc = ("devices", i, "profile")
    known = sorted({p.stem for d in dirs if d.is_dir() for p in d.glob("*.yaml")})
    close = difflib.get_close_matches(name, known, n=1)
    return ConfigIssue(
        path,
        smap.line_of(loc),
        format_loc(loc),
        f"device {device_id}: profile {name!r} not found in {', '.join(str(d) for d in dirs)}",
        f"did you mean {close[0]!r}?" if close else f"known profiles: {', '.join(known)}",
    )


def _raw_devices(data: Any) -> list[tuple[int, dict[str, Any]]]:
    """The site's device entries that are mappings, with their index; the schema reports the rest."""
    devices = data.get("devices") if isinstance(data, dict) else None
    if not isinstance(devices, list):
        return []
    return [(i, d) for i, d in enumerate(devices) if isinstance(d, dict)]


def _raw_id(i: int, device: dict[str, Any]) -> str:
    """A device's id as written, or its place in the list when it has no usable id."""
    return device["id"] if isinstance(device.get("id"), str) else format_loc(("devices", i))


def _first_at(smap: SourceMap, loc: Loc) -> str:
    line = smap.line_of(loc)
    return f"line {line} ({format_loc(loc)})" if line is not None else format_loc(loc)


def _duplicate_device_ids(smap: SourceMap, data: Any) -> list[ConfigIssue]:
    """One issue per device whose id an earlier device already has, at the later id's line."""
    devices = _raw_devices(data)
    ids = [d.get("id") if isinstance(d.get("id"), str) else None for _, d in devices]
    issues = []
    for later, first in duplicate_codes(ids):
        loc: Loc = ("devices", devices[later][0], "id")
        first_loc: Loc = ("devices", devices[first][0], "id")
        issues.append(
            ConfigIssue(
                smap.file,
                smap.line_of(loc),
                format_loc(loc),
                f"device id {ids[later]!r} is already used on {_first_at(smap, first_loc)}",
                DEVICE_ID_HINT,
            )
        )
    return issues


def _duplicate_point_codes(smap: SourceMap, data: Any) -> list[ConfigIssue]:
    """One issue per monitoring point whose code an earlier point of the same device has."""
    issues = []
    for i, device in _raw_devices(data):
        for section in _point_sections():
            spec = device.get(section)
            points = spec.get("points") if isinstance(spec, dict) else None
            if not isinstance(points, list):
                continue
            codes = [
                p.get("code") if isinstance(p, dict) and isinstance(p.get("code"), str) else None
                for p in points
            ]
            for later, first in duplicate_codes(codes):
                loc: Loc = ("devices", i, section, "points", later, "code")
                first_loc: Loc = ("devices", i, section, "points", first, "code")
                issues.append(
                    ConfigIssue(
                        smap.file,
                        smap.line_of(loc),
                        format_loc(loc),
                        f"device {_raw_id(i, device)}: point code {codes[later]!r} is already used on "
                        f"{_first_at(smap, first_loc)}",
                        POINT_CODE_HINT,
                    )
                )
    return issues


def _in_file_order(first: Path, issues: list[ConfigIssue]) -> list[ConfigIssue]:
    """The issues of file ``first`` by line, then those of other files (profiles) file by file, as first
    named, each by line: fixed top to bottom."""
    files = list(dict.fromkeys(issue.file for issue in issues if issue.file != first))
    return sorted(
        issues,
        key=lambda issue: (0 if issue.file == first else 1 + files.index(issue.file), issue.line or 0),
    )


def find_profile(name: str, dirs: list[Path]) -> Path | None:
    """The file of profile ``name`` in the first folder that has it."""
    for d in dirs:
        candidate = d / f"{name}.yaml"
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # a name no file can have (longer than the file system allows): none has it
            return None
    return None


def load_profile(path: Path) -> Profile:
    """Validate one profile file; raise ConfigError listing all its issues, each at its line."""
    data, smap = load_yaml(path)
    # clashes between register entries are found among the entries valid on their own, each named at
    # its line beside any other error; the model's own error for them, the same clashes, is then left out
    issues = _register_map_issues(smap, data)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        issues.extend(_schema_issues(exc, data, smap, skip={LOCATED} if issues else ()))
        raise ConfigError(_in_file_order(path, issues)) from exc
    if profile.name != path.stem:
        issues.append(
            ConfigIssue(
                path,
                smap.line_of(("name",)),
                "name",
                f"profile name {profile.name!r} differs from its file name {path.stem!r}",
                f"write name: {path.stem}, or rename the file",
            )
        )
    if issues:
        raise ConfigError(_in_file_order(path, issues))
    return profile


_BOOL = TypeAdapter(bool)  # high_addresses as the model reads it (true, yes, 1 ...)


def _register_map_issues(smap: SourceMap, data: Any) -> list[ConfigIssue]:
    """Every clash between the register entries of a profile (as written) that are valid on their own."""
    modbus = data.get("modbus") if isinstance(data, dict) else None
    if not isinstance(modbus, dict) or not isinstance(modbus.get("values"), list):
        return []
    valid = []
    for i, raw in enumerate(modbus["values"]):
        try:
            valid.append((i, RegisterValue.model_validate(raw)))
        except ValidationError:
            continue  # its own error is the schema's
    try:
        high = _BOOL.validate_python(modbus.get("high_addresses", False))
    except ValidationError:
        return []  # the schema names it, and the model checks no entry against another
    return [_located(smap, ("modbus",), problem) for problem in entry_problems(valid, high)]


def _device_matches_profile(
    path: Path, smap: SourceMap, i: int, device: dict[str, Any], profile: Profile
) -> list[ConfigIssue]:
    """A device entry (as written) whose kind or transport its profile does not serve; a kind or a
    transport type that is no kind or type at all is the schema's to name."""
    loc = ("devices", i)
    issues = []
    kind = device.get("kind")
    if isinstance(kind, str) and registry.find(kind) is not None and profile.kind != kind:
        issues.append(
            ConfigIssue(
                path,
                smap.line_of((*loc, "kind")),
                format_loc((*loc, "kind")),
                f"device kind {kind} but profile {profile.name} is for kind {profile.kind}",
                "pick a profile for this kind of device",
            )
        )
    transport = device.get("transport")
    kind_of_transport = transport.get("type") if isinstance(transport, dict) else None
    if kind_of_transport == "mqtt" and profile.mqtt is None:
        issues.append(
            ConfigIssue(
                path,
                smap.line_of((*loc, "transport")),
                format_loc((*loc, "transport")),
                f"transport mqtt but profile {profile.name} has no mqtt: payload map",
                "use a Modbus transport, or a profile with an mqtt: section",
            )
        )
    if kind_of_transport in ("modbus_tcp", "modbus_rtu") and profile.modbus is None:
        issues.append(
            ConfigIssue(
                path,
                smap.line_of((*loc, "transport")),
                format_loc((*loc, "transport")),
                f"transport {kind_of_transport} but profile {profile.name} has no modbus: register map",
                "use transport type mqtt, or a profile with a modbus: section",
            )
        )
    return issues


def _schema_issues(
    exc: ValidationError, data: Any, smap: SourceMap, skip: Iterable[str] = ()
) -> list[ConfigIssue]:
    """One issue per pydantic error, less those whose type is in ``skip`` (reported elsewhere)."""
    skipped = set(skip)
    errors = exc.errors(include_url=False)
    # a list written with a full-width comma ([0，0]) is one item; its "missing second item" is the same
    # mistake, already named with its fix by the item's own error
    wide_lists = {
        err["loc"][:-1]
        for err in errors
        if err["loc"] and isinstance(err["loc"][-1], int) and _wide(err.get("input", ""))
    }
    issues: list[ConfigIssue] = []
    for err in errors:
        if err["type"] in skipped:
            continue
        if err["type"] == "missing" and err["loc"] and err["loc"][:-1] in wide_lists:
            continue
        loc = _data_loc(data, err["loc"])
        if err["type"] == LOCATED:
            # a model's check across entries: each problem at the entry concerned, below the model's place
            issues.extend(_located(smap, loc, problem) for problem in err.get("ctx", {}).get("problems", ()))
            continue
        issues.append(ConfigIssue(smap.file, smap.line_of(loc), format_loc(loc), _message(err), _hint(err)))
    return issues


def _located(smap: SourceMap, base: Loc, problem: Located) -> ConfigIssue:
    loc = (*base, *problem.loc)
    return ConfigIssue(smap.file, smap.line_of(loc), format_loc(loc), problem.message, problem.hint)


def _data_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the parts pydantic adds that are not in the file (union tags, function names)."""
    out: list[Any] = []
    node = data
    item = False  # node is an entry of a list: a discriminated union names the entry's tag next
    for part in loc:
        if item and isinstance(node, dict) and part == node.get("kind"):
            item = False
            continue  # a device's kind, as the union of device models names the entry's model
        item = isinstance(node, list)
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
            out.append(part)
        elif isinstance(node, dict) and part not in node and not _is_field_name(part):
            continue  # a discriminator tag or validator name
        else:
            out.append(part)  # a missing or unknown key: keep it so the message names it
            node = None
    return tuple(out)


def _message(err: ErrorDetails) -> str:
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if (
        err["type"] not in ("missing", "extra_forbidden")
        and "input" in err
        and not isinstance(err["input"], dict | list)
        and repr(err["input"]) not in msg  # a model's own message that quotes it already
    ):
        msg += f" (got {err['input']!r})"
    return msg


FULL_WIDTH = "，：；（）［］｛｝＂＇　"
"""Punctuation a Chinese input method types where YAML needs the ASCII one: ，：；（）［］｛｝ and the ideographic space."""


def _scalar(given: object) -> str:
    """The value as written when it is a scalar string; '' for a mapping or a list."""
    return given if isinstance(given, str) else ""


def _wide(text: object) -> list[str]:
    """The full-width punctuation in ``text`` (a string as written), sorted; none for anything else."""
    return sorted({c for c in _scalar(text) if c in FULL_WIDTH})


def _hint(err: ErrorDetails) -> str:
    kind = err["type"]
    field = err["loc"][-1] if err["loc"] else ""
    # the value as written (a scalar): a model's check gets the whole mapping as its input, whose Chinese
    # names and notes rightly hold full-width commas
    wide = _wide(f"{field}{_scalar(err.get('input', ''))}")
    if wide:
        shown = " ".join(repr(c) for c in wide)
        return f"full-width punctuation {shown} where YAML needs ASCII: write , : ; ( ) [ ] {{ }} and plain spaces"
    given = err.get("ctx", {}).get("hint")
    if isinstance(given, str):
        return given  # the model's own (a PydanticCustomError's context)
    if kind == "missing" and isinstance(field, int):
        return f"this list needs at least {field + 1} items"
    if kind == "missing":
        return f"add {field}: to this entry (see README, configuration reference)"
    if kind == "extra_forbidden":
        owner = next((k for k in registry.kinds() if k.section == field), None)
        if owner is not None:
            return f"{field}: is only for kind {owner.name}; remove it, or set kind: {owner.name}"
        close = difflib.get_close_matches(str(field), sorted(_all_field_names()), n=1)
        return (
            f"unknown field {field!r}: did you mean {close[0]!r}?"
            if close
            else f"unknown field {field!r}: remove it (see README, configuration reference)"
        )
    if kind in ("int_parsing", "int_from_float"):
        return "write a whole number"
    if kind in ("float_parsing", "float_type"):
        return "write a number (use . as decimal separator)"
    if kind in ("literal_error", "enum"):
        return f"allowed: {err.get('ctx', {}).get('expected', '')}"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return f"{str(ctx.get('discriminator', 'type')).strip(chr(39))} must be one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        if str(err.get("ctx", {}).get("discriminator", "")).strip("'") == "kind":
            return f"add kind: ({', '.join(k.name for k in registry.kinds())})"
        return "add type: (modbus_tcp, modbus_rtu or mqtt for transports)"
    if kind in ("less_than", "less_than_equal") and isinstance(field, str):
        value, most = err.get("input"), err.get("ctx", {}).get("le", err.get("ctx", {}).get("lt"))
        if isinstance(value, int | float) and isinstance(most, int | float):
            slip = slip_hint(field, value, most)
            if slip:
                return slip
    if kind.startswith(("greater", "less")):
        return "the value is out of range for this field"
    if kind == DUPLICATE_DEVICE_ID:
        return DEVICE_ID_HINT
    if kind == DUPLICATE_POINT_CODE:
        return POINT_CODE_HINT
    return ""


def _all_field_names() -> set[str]:
    names: set[str] = set()
    stack: list[type] = [Model]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        names.update(getattr(cls, "model_fields", {}))
    return names


def _is_field_name(part: Any) -> bool:
    return isinstance(part, str) and part in _all_field_names()
