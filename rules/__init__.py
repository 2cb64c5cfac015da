"""Safety rules from the standards: pure functions of state and Readings (live and in replay)."""

from rules.engine import Evaluation, RuleEngine
from rules.result import RuleResult

__all__ = ["Evaluation", "RuleEngine", "RuleResult"]
