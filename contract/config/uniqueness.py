"""Codes and ids that must be unique: one check shared by the models and the loader.

The models refuse duplicates so that no code path (a bench, a test, the demo) can build a site
where a second point of one code silently replaces the first in the rules' lookups. The loader
runs the same check on the raw YAML, where it can name the line of each occurrence: a model
validator sees neither lines nor, once it fails, the rest of the file.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic_core import PydanticCustomError

# pydantic error types raised by the models; the loader recognises them by type, not by wording,
# and reports its own located issue instead
DUPLICATE_DEVICE_ID = "duplicate_device_id"
DUPLICATE_POINT_CODE = "duplicate_point_code"

DEVICE_ID_HINT = "device ids must be unique on the site: rename one"
POINT_CODE_HINT = "rename one of them; point codes are the site's own codes, unique per device"


def duplicate_codes(codes: Sequence[str | None]) -> list[tuple[int, int]]:
    """``(index, first_index)`` for every code that already occurred earlier in ``codes``.

    A code used three times gives two pairs, both pointing at its first occurrence. ``None``
    entries (a missing or mistyped code, which the schema reports itself) are skipped. Codes are
    compared as written: they are the site's own labels and ``ZQS-01`` is not ``zqs-01``.
    """
    first: dict[str, int] = {}
    repeats: list[tuple[int, int]] = []
    for index, code in enumerate(codes):
        if code is None:
            continue
        first_index = first.setdefault(code, index)
        if first_index != index:
            repeats.append((index, first_index))
    return repeats


def require_unique(codes: Sequence[str], error_type: str, what: str) -> None:
    """Raise a ``PydanticCustomError`` of ``error_type`` when any of ``codes`` occurs twice.

    For model validators: ``what`` names the codes in the message, e.g. "point codes".
    """
    repeats = duplicate_codes(codes)
    if repeats:
        # each repeated code once, in the order of their first use, as a reader of the file meets them
        names = list(dict.fromkeys(codes[index] for index, _ in repeats))
        raise PydanticCustomError(
            error_type,
            "{what} must be unique: {codes} used more than once",
            {"what": what, "codes": ", ".join(names)},
        )
