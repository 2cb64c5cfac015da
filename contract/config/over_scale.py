"""A 危大 item's 超过一定规模 as the site file's own facts show it (建办质〔2018〕31号 附件2): the devices attached to
the item, each read against the clause's lines (``DeviceConfig.over_scale_reasons``, contract/config/scale_lines.py).

Fail safe: the facts only ever raise an item's ``over_scale``, never lower it, so a site that forgot the flag on a
300 kN crane's 安拆, a shield drive or a 9 m high formwork is still asked for the expert review (建质规〔2024〕5号
第四条(四)) by the 安拆 plan point, and by the regulator, which gets the raised flag with the heartbeat.

A device is attached to an item when the item names it (``devices:``) or when an 安拆 notice of its papers names
the item (``papers.install_notices[].dangerous_work``). A crane or hoist attached by ``devices:`` alone is read as
the item's 安拆 job too: the site file has no other word for what the item is, and reading it so asks for a review
too many rather than one too few.
"""

from __future__ import annotations

from collections.abc import Sequence

from contract.config.dangerous_works import DangerousWork
from contract.config.device import DeviceConfig
from contract.config.papers import MachineDevice


def attached(work: DangerousWork, devices: Sequence[DeviceConfig]) -> list[DeviceConfig]:
    """The site's devices attached to ``work``, in the site's order (an id the site lacks: none; the site's
    cross-checks name it)."""
    return [d for d in devices if d.id in work.devices or work.id in _noticed(d)]


def _noticed(device: DeviceConfig) -> set[str]:
    """The items a machine's 安拆 notices name (none for a device without papers)."""
    if not isinstance(device, MachineDevice) or device.papers is None:
        return set()
    return {n.dangerous_work for n in device.papers.install_notices}


def by_facts(works: Sequence[DangerousWork], devices: Sequence[DeviceConfig]) -> list[DangerousWork]:
    """``works`` with each item the facts of its attached devices put over a line raised to ``over_scale``
    and the reasons kept (:meth:`DangerousWork.over_scale_by`); the others as they are."""
    return [
        w.over_scale_by([reason for d in attached(w, devices) for reason in d.over_scale_reasons()])
        for w in works
    ]
