"""Limit probes: how the guarantee suite drives each rule (tests/rules/test_all_clear.py).

Every rule a kind declares (its ``rules`` in kinds/<kind>/kind.py) must come with at least one
:class:`Probe`, given by the kind's judge (``Judge.probes``, rules/kinds/), by the safety-device rule for
the kind's flags (rules/safety_devices.py), by the papers rule for a machine kind's ``<kind>.papers``
(rules/machine_papers.py) or by the vision rules for a camera's checks (rules/vision_rules.py). A probe names one device of the reference site (config/examples/site.yaml), the
metric that decides the rule, a value beyond its limit, a value past its clearing band and how long the
clear value must last. The suite then proves, through the rules engine and the alert manager in site
time, that the alert fires, never resolves while the value stays beyond the limit or inside the band or
while its input is missing or broken (absent from a sample, NaN, stale, out of the sensor's range, the
device silent), and resolves once the clear value has lasted as long as the rule's configuration says.

A probe is computed from the device's configuration (its limits, the site's rules), never copied from
the rule's code: its values are what the clause and the site file say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from contract.hot_work import Permit
from contract.weather import WarningSignal

Value = float | str
Sample = Mapping[str, Value]


@dataclass(frozen=True)
class Probe:
    """One rule driven through one device of the reference site."""

    rule: str
    """The rule id, as the kind declares it (``hoist.wind``)."""
    device: str
    """The device whose readings drive it."""
    metric: str
    """The reading that decides it (a text for a driver's card, a number otherwise)."""
    beyond: tuple[Value | None, ...]
    """Values beyond the limit: each fires the rule (at some level) and holds it; None: no reading of
    ``metric`` at ``point`` (for a rule whose hazard is the silence itself)."""
    clear: Value
    """A value past the clearing band of every level: the rule resolves once it has lasted
    ``clear_after_s``."""
    hold: tuple[Value, ...] = ()
    """Values not beyond the limit but inside its clearing band: a firing alert is held (empty: the
    rule has no band)."""
    point: str = ""
    """The monitoring point of the readings (a pit's, a formwork's; empty for a machine's box)."""
    context: Sample = field(default_factory=dict)
    """The sample's other readings, sent with every value (a crane's radius with its load, a hoist's
    speed with its door state, a logged-in driver)."""
    setup: tuple[tuple[str, str, Sample], ...] = ()
    """(device, point, sample) readings sent once before the first value (a pour started, the other
    crane's place), at the first instant."""
    earlier: tuple[tuple[float, str, str, Sample], ...] = ()
    """(seconds before the first value, device, point, sample) readings sent before ``setup``, oldest
    first, where the rule's input is a sequence over time rather than one value (a space entered, left
    and empty for a break before the probe's re-entry)."""
    companions: tuple[tuple[str, str, Sample], ...] = ()
    """(device, point, sample) readings of other devices sent at every instant beside the probe's own (the
    other crane of a pair, reporting as a live site's does: a pair judged on a partner gone silent holds
    its alert, as it must)."""
    interval_s: float = 1.0
    """Seconds between samples (the device's poll interval)."""
    fire_after_s: float = 0.0
    """How long, in site time, the values must last beyond the limit before the rule fires (a rate's
    window; 0: at once)."""
    clear_after_s: float = 0.0
    """How long, in site time, the clear value must last before the rule resolves, as its configuration
    says (0: at the first clear sample)."""
    signals: tuple[WarningSignal, ...] = ()
    """Regional warning signals the site knows while the probe runs (as a supervisor sets them or the
    regulator pushes them): the input of a rule that judges a signal in force, not a reading."""
    clear_at: float | None = None
    """Site time (Unix seconds) before which the rule cannot resolve whatever came before, where its
    clearing is a calendar boundary rather than a duration (a day's maximum ends at local midnight)."""
    clear_per_beyond: float = 0.0
    """For a share of time (a month's attendance): seconds the clear value must last for each second the
    input was beyond the limit or unknown before it, on top of ``clear_after_s``."""
    ramp: bool = False
    """The values are speeds, changes per interval (a rate rule): the readings are the position, which
    keeps moving at the last speed given while the readings are missing or broken."""
    creep: float = 0.0
    """For a motion rule (``ramp`` probes of a crane's slew, radius or hook height): a speed per interval
    below any per-sample threshold, at which steady motion must still fire the rule and hold it while it
    lasts (a slow slew, 0.4° a second under a 1° noise); 0: not a motion rule."""
    latched: bool = False
    """The alert resolves only by a supervisor's hand (a pit's sudden jump): it never clears itself."""
    faults: tuple[float, ...] = ()
    """Values of ``metric`` its sensor cannot read (out of its valid range): a sensor fault, never a
    reading."""
    alert: tuple[str, str] | None = None
    """(device, point) of the alert when it is not ``device`` and ``point`` (a key person's absence is
    the gate's, for the person's role)."""
    link_only: bool = False
    """The rule watches the device's link, not its values: a reading marked faulty is still an answer
    (device.offline; the fault is sensor.fault's), so it is no missing input for this rule."""
    start: float | None = None
    """Site time (Unix seconds) of the first sample, where the rule's input is the date (a certificate
    past its last valid day); None: the suite's working morning."""
    permits: tuple[Permit, ...] = ()
    """The hot-work permits the site keeps meanwhile (the gateway's register hands them over): the input
    of a rule that judges a permit, not a reading (a fire watch absent while one is in force)."""

    @property
    def fingerprint(self) -> tuple[str, str, str]:
        """(rule, device, point) of the alert this probe watches."""
        device, point = self.alert or (self.device, self.point)
        return self.rule, device, point

    @property
    def text(self) -> bool:
        """Whether the metric's values are text (a card number)."""
        return isinstance(self.clear, str)
