"""WorkWatcher: a rule that hears of every machine at dangerous work (``Shared.on_work``): the weather stops,
the key people, the machines' papers and their 安拆 windows.

A mypyc trait: the judges tell each watcher at every sample of a crane's loaded hook or a hoist's run, and a
watcher's ``work_seen`` is then a direct call of the compiled method, where a bound method kept in a list went
through Python's calling convention and its arguments' parsing at each (a third of what telling them cost)."""

from __future__ import annotations

from mypy_extensions import trait


@trait
class WorkWatcher:
    """Hears of every machine at work."""

    def work_seen(self, device: str, what: tuple[str, str], ts: float) -> None:
        """``device`` at dangerous work at ``ts`` (``what``: the work in Chinese and English)."""
        raise NotImplementedError
