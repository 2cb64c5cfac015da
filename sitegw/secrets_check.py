"""The start-up warning for a site file that holds secrets and that other accounts may read."""

from __future__ import annotations

import logging

from contract.config.loader import LoadedSite
from contract.config.secret_fields import literal_secrets, readable_by_others

log = logging.getLogger("sitegw.secrets")


def warn_exposed_secrets(site: LoadedSite) -> bool:
    """Warn (once, naming the file, the fields and the fix) when the site file holds secrets in
    clear and its group or other users may read it; True when it warned."""
    fields = literal_secrets(site)
    if not fields or not readable_by_others(site.path):
        return False
    mode = site.path.stat().st_mode & 0o777
    log.warning(
        "site file %s holds secrets (%s) and is readable by other accounts (mode %03o): run "
        "`chmod 600 %s`, or better, write them as ${ENV} references (README, Security)",
        site.path,
        ", ".join(fields),
        mode,
        site.path,
    )
    return True
