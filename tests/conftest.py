"""Settings every test folder shares.

Hypothesis's per-example deadline (200 ms) measures the machine, not the property: on a 2-core CI box under
a full run a geometry example took longer and failed a test whose every answer was right. Properties are
judged on their answers here; speed has its own benchmarks (make bench)."""

from hypothesis import settings

settings.register_profile("sitegw", deadline=None)
settings.load_profile("sitegw")
