"""Device kinds: each declared once (kinds/<kind>/kind.py, or a plug-in module), read by everything
else through the registry (:mod:`contract.kinds.registry`)."""

from contract.kinds.kind import Kind, Metric, Pick, Thresholds

__all__ = ["Kind", "Metric", "Pick", "Thresholds"]
