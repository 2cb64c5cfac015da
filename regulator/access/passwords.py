"""Password rules of the review UI's users (GB/T 22239-2019 8.1.4.1 身份鉴别 a: 口令具有复杂度要求并定期更换):
a length, how many kinds of character, and an age after which a password must be changed."""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass

CLASSES: dict[str, Callable[[str], bool]] = {
    "lower-case letters": lambda c: c in string.ascii_lowercase,
    "upper-case letters": lambda c: c in string.ascii_uppercase,
    "digits": str.isdigit,
    # punctuation, spaces, Chinese characters: anything that is not an ASCII letter or digit
    "other characters (punctuation, spaces, 汉字)": lambda c: not (c.isascii() and c.isalnum()),
}
MAX_LENGTH = 256  # hashing is slow by design: a megabyte "password" would cost the server, not the guesser


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """``min_length`` characters at least, of ``min_classes`` of CLASSES' four kinds; a password older than
    ``max_age_days`` must be changed before the next sign-in (0: never expires)."""

    min_length: int = 8
    min_classes: int = 2
    max_age_days: float = 90.0

    def problem(self, password: str) -> str | None:
        """What is wrong with ``password`` under these rules, with what to do; None when it passes."""
        if len(password) < self.min_length:
            return f"password too short: at least {self.min_length} characters (密码至少{self.min_length}位)"
        if len(password) > MAX_LENGTH:
            return f"password too long: at most {MAX_LENGTH} characters"
        used = [name for name, test in CLASSES.items() if any(test(c) for c in password)]
        if len(used) < self.min_classes:
            return (
                f"password too simple: use at least {self.min_classes} of {', '.join(CLASSES)} "
                f"(密码至少包含{self.min_classes}类字符); it has only {', '.join(used) or 'none'}"
            )
        return None

    def expired(self, changed_at: float | None, now: float) -> bool:
        """Whether a password set at ``changed_at`` (None: unknown, counts as never) is too old at ``now``."""
        if self.max_age_days <= 0 or changed_at is None:
            return False
        return now - changed_at > self.max_age_days * 86400
