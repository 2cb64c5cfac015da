"""The YAML a site's electrician reads and copies: the device profiles (``profiles/``, one file per
device model) and the example site files (``examples/``). The models that validate them are code, in
``contract/config/``; these are data, carried in the wheel as this package's files and found through
the package, so a clone and an installed sitegw read the same ones."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# a real folder in both cases (setuptools installs package data as files): profile look-ups glob it
HERE = Path(str(files(__name__)))
PROFILES = HERE / "profiles"
"""The profiles shipped with sitegw, searched after a site's own ``profiles_dir``."""
EXAMPLES = HERE / "examples"
"""Example site files, the reference site first among them."""
EXAMPLE_SITE = EXAMPLES / "site.yaml"
"""The reference site: what ``sitegw demo`` runs and the README describes."""
