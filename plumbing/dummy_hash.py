"""What an unknown user's password is checked against, so that it costs what a known user's check costs (no
user enumeration by timing): the gateway's supervisors' API and the regulator's sign-in both use it."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher

# a hash of a random text, thrown away, made with argon2-cffi's default parameters. Made at every start before,
# it took 64 MiB for its moment (the parameters' memory cost), the highest the gateway's memory went at all in
# ingest_pipeline.py (issue #20: RSS at most 150 MB), and 0.2 s of CPU at each regulator's start
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$YDoRWpz6OOSbjrnx45QkJw$xuoMyT1i2sUqWa2/Tv37WHb+JVp2Ioy3xCYBcsdRYpQ"
)


def dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of ``hasher``'s parameters to verify an unknown user's password against: DUMMY_HASH, or, for a
    hasher of other parameters (another argon2-cffi, a test's cheap one), a hash of its own that costs what
    its real users' cost."""
    return hasher.hash(secrets.token_hex(8)) if hasher.check_needs_rehash(DUMMY_HASH) else DUMMY_HASH
