"""Which release's layout a gateway's state folder holds, so that a release never opens a state folder written
by a newer one (a downgrade): its stores might read a newer layout wrongly, or change it so that the newer
release cannot read it back.

``STATE.json`` in the folder says the layout (``STATE_SCHEMA``) and the release that last ran on it. A release
raises ``STATE_SCHEMA`` whenever a store's files change in a way an older release cannot read; it opens any
folder at its own layout or an older one (its stores upgrade what they find, as they always have) and writes
its own numbers back. A folder without the file is one of the releases before it (layout 1).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from contract import __version__

STATE_FILE = "STATE.json"
STATE_SCHEMA = 1  # the layout of the state folder's stores as this release writes them


class StateAhead(Exception):
    """The state folder was written by a newer release (a downgrade), with what to do."""


def claim(state_dir: Path) -> None:
    """Refuse a state folder of a newer layout than this release's; else record this release on it."""
    path = state_dir / STATE_FILE
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        found = {"schema": 1, "release": "before 0.2"}
    except ValueError:
        found = {"schema": 1, "release": "unknown (STATE.json unreadable)"}
    if int(found.get("schema", 1)) > STATE_SCHEMA:
        raise StateAhead(
            f"{state_dir} holds the state of sitegw {found.get('release')} (layout {found['schema']}), newer than "
            f"this release, {__version__} (layout {STATE_SCHEMA}): a downgrade cannot read it. Install "
            f"{found.get('release')} or later again, or restore a backup this release made (`sitegw restore`)"
        )
    state_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps({"schema": STATE_SCHEMA, "release": __version__}), encoding="utf-8")
    os.replace(partial, path)
