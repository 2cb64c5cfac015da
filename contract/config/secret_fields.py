"""Which values of a site file are secrets written into the file itself, rather than ``${ENV}``.

A secret in the file is as safe as the file: readable by the group or by others, it is readable by
every account on the edge box (and every backup of it). ``sitegw run`` and ``check-config`` warn.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

from contract.config.loader import LoadedSite
from contract.config.yamlsrc import Loc, format_loc

# field names that hold credentials (transport.password, uplinks[].secret, influx.token, ...)
SECRET_FIELDS = frozenset({"password", "secret", "token", "api_key"})
# fields whose URL carries a credential: a webhook's access token or key, a camera's user:password@
URL_FIELDS = frozenset({"webhook", "source", "url", "base_url"})
_URL_CREDENTIAL = re.compile(r"://[^/@\s]+:[^/@\s]+@|[?&](access_token|key|token)=[^&\s]+")


def literal_secrets(site: LoadedSite) -> list[str]:
    """Field paths of the non-empty secrets written in the site file itself (not from ``${ENV}``)."""
    found: list[str] = []
    from_env = site.source.from_env if site.source is not None else set()

    def walk(value: Any, loc: Loc) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, (*loc, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, (*loc, i))
        elif isinstance(value, str) and value and loc and loc not in from_env:
            name = loc[-1]
            if name in SECRET_FIELDS or (name in URL_FIELDS and _URL_CREDENTIAL.search(value)):
                found.append(format_loc(loc))

    walk(site.config.model_dump(mode="json"), ())
    return found


def readable_by_others(path: Path) -> bool:
    """True when the file's group or other users may read it (any of mode 0o044)."""
    return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
