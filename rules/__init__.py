"""Safety rules from the standards: pure functions of state and Readings (live and in replay).

The rules' modules are compiled with mypyc where ``make native`` or ``pip install`` built them
(setup.py). This module is never compiled: it installs plumbing/compiled_guard.py, which refuses
compiled modules older than their sources and with ``SITEGW_PURE_PYTHON=1`` loads every rule from its
source instead.
"""

from plumbing import compiled_guard

compiled_guard.install()

from rules.engine import Evaluation, RuleEngine  # noqa: E402  (after the finder, which decides what this loads)
from rules.result import RuleResult  # noqa: E402

__all__ = ["Evaluation", "RuleEngine", "RuleResult"]
