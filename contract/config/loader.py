"""Load a site file and its device profiles, turning every problem into a ConfigIssue."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from contract.config.common import Model
from contract.config.errors import ConfigError, ConfigIssue
from contract.config.profile import Profile
from contract.config.site import SiteConfig
from contract.config.transport import MqttTransport
from contract.config.yamlsrc import SourceMap, format_loc, load_yaml

BUILTIN_PROFILES = Path(__file__).resolve().parent / "profiles"
EXAMPLE_SITE = Path(__file__).resolve().parent / "examples" / "site.yaml"

M = TypeVar("M", bound=BaseModel)


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
    """Validate a site file and every profile it names; raise ConfigError listing all issues."""
    path = Path(path)
    data, smap = load_yaml(path, env)
    config = validate(SiteConfig, data, smap)
    issues: list[ConfigIssue] = []
    profiles: dict[str, Profile] = {}
    dirs = profile_dirs(path, config)
    for i, device in enumerate(config.devices):
        loc = ("devices", i, "profile")
        if device.profile not in profiles:
            found = find_profile(device.profile, dirs)
            if found is None:
                known = sorted({p.stem for d in dirs if d.is_dir() for p in d.glob("*.yaml")})
                close = difflib.get_close_matches(device.profile, known, n=1)
                issues.append(
                    ConfigIssue(
                        path,
                        smap.line_of(loc),
                        format_loc(loc),
                        f"device {device.id}: profile {device.profile!r} not found in "
                        f"{', '.join(str(d) for d in dirs)}",
                        f"did you mean {close[0]!r}?" if close else f"known profiles: {', '.join(known)}",
                    )
                )
                continue
            try:
                profiles[device.profile] = load_profile(found)
            except ConfigError as exc:
                issues.extend(exc.issues)
                continue
        profile = profiles[device.profile]
        issues.extend(_device_matches_profile(path, smap, i, device.kind, device.transport, profile))
    if issues:
        raise ConfigError(issues)
    return LoadedSite(path, config, profiles, smap)


def profile_dirs(site_path: Path, config: SiteConfig) -> list[Path]:
    """Folders searched for profiles, first match wins."""
    dirs = []
    if config.profiles_dir:
        dirs.append((site_path.parent / config.profiles_dir).resolve())
    dirs.append(BUILTIN_PROFILES)
    return dirs


def find_profile(name: str, dirs: list[Path]) -> Path | None:
    """The file of profile ``name`` in the first folder that has it."""
    for d in dirs:
        candidate = d / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    return None


def load_profile(path: Path) -> Profile:
    """Validate one profile file."""
    data, smap = load_yaml(path)
    profile = validate(Profile, data, smap)
    if profile.name != path.stem:
        raise ConfigError(
            [
                ConfigIssue(
                    path,
                    smap.line_of(("name",)),
                    "name",
                    f"profile name {profile.name!r} differs from its file name {path.stem!r}",
                    f"write name: {path.stem}, or rename the file",
                )
            ]
        )
    return profile


def _device_matches_profile(
    path: Path, smap: SourceMap, i: int, kind: str, transport: Any, profile: Profile
) -> list[ConfigIssue]:
    loc = ("devices", i)
    issues = []
    if profile.kind != kind:
        issues.append(
            ConfigIssue(
                path,
                smap.line_of((*loc, "kind")),
                format_loc((*loc, "kind")),
                f"device kind {kind} but profile {profile.name} is for kind {profile.kind}",
                "pick a profile for this kind of device",
            )
        )
    wants_mqtt = isinstance(transport, MqttTransport)
    if wants_mqtt and profile.mqtt is None:
        issues.append(
            ConfigIssue(
                path,
                smap.line_of((*loc, "transport")),
                format_loc((*loc, "transport")),
                f"transport mqtt but profile {profile.name} has no mqtt: payload map",
                "use a Modbus transport, or a profile with an mqtt: section",
            )
        )
    if not wants_mqtt and profile.modbus is None:
        issues.append(
            ConfigIssue(
                path,
                smap.line_of((*loc, "transport")),
                format_loc((*loc, "transport")),
                f"transport {transport.type} but profile {profile.name} has no modbus: register map",
                "use transport type mqtt, or a profile with a modbus: section",
            )
        )
    return issues


def validate(model: type[M], data: Any, smap: SourceMap) -> M:
    """Validate ``data`` against ``model``; raise ConfigError with a line and a hint per error."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors(include_url=False):
            loc = _data_loc(data, err["loc"])
            issues.append(
                ConfigIssue(smap.file, smap.line_of(loc), format_loc(loc), _message(err), _hint(err))
            )
        raise ConfigError(issues) from exc


def _data_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the parts pydantic adds that are not in the file (union tags, function names)."""
    out: list[Any] = []
    node = data
    for part in loc:
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
    ):
        msg += f" (got {err['input']!r})"
    return msg


def _hint(err: ErrorDetails) -> str:
    kind = err["type"]
    field = err["loc"][-1] if err["loc"] else ""
    if kind == "missing":
        return f"add {field}: to this entry (see README, configuration reference)"
    if kind == "extra_forbidden":
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
        return f"type must be one of {err.get('ctx', {}).get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return "add type: (modbus_tcp, modbus_rtu or mqtt for transports)"
    if kind.startswith(("greater", "less")):
        return "the value is out of range for this field"
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
