"""How every alert speaks: one Chinese sentence a safety officer can act on, and its English twin.

While a hazard lasts, the message says what, where, how far over the limit, and what to do
(停止吊装, 立即停止浇筑并撤离, 清点人数 ...); once it is gone, the message says it is back within
limits and carries no action, since an order that no longer applies must not stay on a screen.
Clauses are cited Chinese first: the standard's number, its article, and what it says.
"""

from __future__ import annotations

from contract.alert_event import Level

LEVEL_ZH: dict[str, str] = {"warning": "预警", "alarm": "报警", "critical": "危险"}
PRACTICE_ZH = "（阈值为行业惯例，非标准条文，可配置）"
MAJOR_ZH = "重大事故隐患"


def firing(what: str, action: str) -> str:
    """``what`` (the facts) followed by the action to take: 「…：立即停止起升」."""
    return f"{what}：{action}" if action else what


def firing_en(what: str, action: str) -> str:
    """The English twin of :func:`firing`."""
    return f"{what}: {action}" if action else what


def cleared(what: str) -> str:
    """A hazard that is gone: the facts, no action."""
    return f"{what}，已恢复正常"


def cleared_en(what: str) -> str:
    """The English twin of :func:`cleared`."""
    return f"{what}, back to normal"


def pick(level: Level | None, what: str, action: str) -> str:
    """The Chinese message for ``level``: with the action while it fires, without once clear."""
    return firing(what, action) if level else cleared(what)


def pick_en(level: Level | None, what: str, action: str) -> str:
    """The English message for ``level``."""
    return firing_en(what, action) if level else cleared_en(what)
