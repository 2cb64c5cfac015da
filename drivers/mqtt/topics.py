"""MQTT topic filters: expansion of ``{prefix}`` and matching, precompiled for the hot path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TopicFilter:
    """One expanded filter (``sitegw/P/pit-1/points/+/data``) split into levels once."""

    text: str
    levels: tuple[str, ...]

    def matches(self, topic_levels: list[str]) -> bool:
        """MQTT 3.1.1 matching: ``+`` is one level, a final ``#`` is this level and all below."""
        filt = self.levels
        n = len(filt)
        for i, level in enumerate(filt):
            if level == "#":
                return True
            if i >= len(topic_levels):
                return False
            if level != "+" and level != topic_levels[i]:
                return False
        return len(topic_levels) == n


def expand(filter_text: str, prefix: str) -> str:
    """Replace ``{prefix}`` by the device's prefix (its trailing ``/`` dropped)."""
    return filter_text.replace("{prefix}", prefix.rstrip("/"))


def check_filter(text: str) -> str:
    """An error message when ``text`` is not a valid subscription filter, else empty."""
    if not text:
        return "empty topic filter"
    levels = text.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return f"'#' must be a whole level and the last one (in {text!r})"
        if "+" in level and level != "+":
            return f"'+' must be a whole level (in {text!r})"
    if "{" in text or "}" in text:
        return f"unknown placeholder in {text!r}: only {{prefix}} is replaced"
    return ""


def level_index(profile_filter: str, prefix: str, index: int) -> int:
    """Translate a level index counted in the profile's filter (``{prefix}`` = one level) into
    an index into the real topic, where the prefix may span several levels."""
    if index < 0:
        return index  # counted from the end, the prefix does not shift it
    levels = profile_filter.split("/")
    shift = sum(len(expand(level, prefix).split("/")) - 1 for level in levels[:index] if "{prefix}" in level)
    return index + shift
