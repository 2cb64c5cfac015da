"""The machine's load around a benchmark: said at its start and end, and every figure taken on a loaded machine
marked so.

A figure measured while more processes wanted a core than the machine has (the 1-minute load average above
the core count) measures the machine's other work as much as the code. Every benchmark runs its ``main``
inside :func:`watched`: it prints ``load_average_start`` and ``load_average_end``, and each ``name: value
unit`` line printed in between ends with `` (loaded)`` when the load average at the start, or when the line
is printed, was above the core count. A benchmark that another one runs (a child process measuring one
figure, a benchmark run by bench/compare.py) marks its figures by the outer one's start and prints no load
lines of its own.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from typing import TextIO

LOADED = " (loaded)"
_START = "SITEGW_BENCH_LOAD_START"  # the outermost benchmark's load at its start, for the ones it runs
_FIGURE = re.compile(r"^[a-z][\w.]*: -?\d")


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def loaded(at_start: float) -> bool:
    """Whether a figure is marked: the load at the start or now above the core count."""
    return max(at_start, load()) > cores()


@contextmanager
def watched() -> Iterator[None]:
    """Print the load at the start and the end, and mark the figures printed in between (module docstring)."""
    if {"-h", "--help"} & set(sys.argv[1:]):  # only the help is printed: no figure to watch
        yield
        return
    outer = os.environ.get(_START)
    if outer is not None:  # run by another benchmark: mark by its start, say nothing of our own
        with _marking(float(outer)):
            yield
        return
    start = load()
    print(f"load_average_start: {start:.2f} ({cores()} cores){LOADED if start > cores() else ''}", flush=True)
    os.environ[_START] = str(start)
    try:
        with _marking(start):
            yield
    finally:
        del os.environ[_START]
        end = load()
        print(f"load_average_end: {end:.2f} ({cores()} cores){LOADED if end > cores() else ''}", flush=True)


@contextmanager
def _marking(start: float) -> Iterator[None]:
    stream = _Marking(sys.stdout, start)
    try:
        with redirect_stdout(stream):
            yield
    finally:
        stream.close()


class _Marking(io.TextIOBase):
    """A text stream that passes whole lines on to ``out``, a figure's line marked when the machine was loaded."""

    def __init__(self, out: TextIO, start: float) -> None:
        self._out = out
        self._start = start
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            marked = _FIGURE.match(line) and not line.endswith(LOADED) and loaded(self._start)
            self._out.write(line + (LOADED if marked else "") + "\n")
        return len(text)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        if self._partial:
            self._out.write(self._partial)
            self._partial = ""
        self._out.flush()
