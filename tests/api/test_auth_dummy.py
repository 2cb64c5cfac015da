"""The user store verifies an unknown user's password against a dummy hash of the same cost as a real
user's (no user enumeration by timing), without hashing one at every start: that took 64 MiB for a
moment, the highest the gateway's memory went (issue #20). The regulator's accounts do the same
(plumbing/dummy_hash.py): their start hashed one too, 0.2 s of CPU each time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from gateway.api.auth_store import AuthStore
from regulator.access.auth import Accounts, AuthError
from regulator.storage.repository import Repository

REPO = Path(__file__).resolve().parents[2]


def test_an_unknown_user_is_verified_against_a_hash_of_a_real_users_parameters(tmp_path: Path) -> None:
    store = AuthStore(tmp_path / "users.sqlite")
    store.add_user("zhang.wei", "supervisor", "correct horse")
    assert store.verify_password("nobody", "correct horse") is None
    [real] = store._db.execute("SELECT pw_hash FROM users").fetchone()
    store.close()
    parameters = real.split("$")[1:4]  # algorithm, version, memory / time / parallelism
    assert store._dummy_hash.split("$")[1:4] == parameters


def test_opening_the_user_store_does_not_take_a_hash_worth_of_memory(tmp_path: Path) -> None:
    probe = textwrap.dedent(
        f"""
        from pathlib import Path
        from gateway.api.auth_store import AuthStore

        def peak_mb() -> float:
            status = Path("/proc/self/status").read_text()
            return int(status.split("VmHWM:")[1].split()[0]) / 1024

        before = peak_mb()
        AuthStore(Path({str(tmp_path / "users.sqlite")!r})).close()
        print(peak_mb() - before)
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert float(done.stdout) < 16, f"opening the store raised the peak by {done.stdout.strip()} MB"


def test_the_regulators_accounts_check_an_unknown_name_against_a_real_users_parameters_unhashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repository(tmp_path / "r.sqlite", tmp_path / "evidence")
    hashed: list[str] = []
    real_hash = PasswordHasher.hash
    monkeypatch.setattr(
        PasswordHasher, "hash", lambda self, text, **kw: hashed.append(text) or real_hash(self, text)
    )
    accounts = Accounts(repo)
    assert hashed == [], "opening the accounts hashed a password"
    accounts.add_user("li.jian", "correct horse 9", "admin")
    assert len(hashed) == 1
    with pytest.raises(AuthError):  # checked against the dummy, refused as a wrong password is
        accounts.login("nobody", "correct horse 9")
    with repo.engine.connect() as conn:
        [real] = conn.exec_driver_sql("SELECT password_hash FROM users").fetchone()
    assert accounts._dummy_hash.split("$")[1:4] == real.split("$")[1:4]
    repo.close()
