"""Who power.door_electrician (kinds/power/door.py) judges a box's door against, and what check-config says
of a site where it cannot judge well: the site file's roster of special-operations workers (``operators``),
never a list of badge ids of its own (建质〔2008〕75号 asks for a certificate of the 建筑电工 category, 01, which
the roster holds as the issuer's register gives it, standards.md §19)."""

from __future__ import annotations

from contract.config.crane import Operator
from contract.config.site import SiteConfig
from contract.config.trades import Trade
from rules.certificate_check import category_of

ELECTRICIAN: Trade = "electrician"
"""建筑电工, operationCategory 01: "01 for anyone opening a distribution box" (standards.md §19)."""


def electricians(roster: list[Operator]) -> list[Operator]:
    """The roster's workers booked as electricians or holding a certificate of that category, in the site
    file's order: those a box's door is judged against (whether their certificate covers it that day is the
    rule's to say). A worker with neither a trade nor a category (a driver on the older roster) is none."""
    return [op for op in roster if ELECTRICIAN in (op.trade, op.category)]


def has_gates(site: SiteConfig) -> bool:
    """Whether the site has access gates (``kind: attendance``), without which nobody is known on site and
    power.door_electrician is not judged."""
    return any(d.kind == "attendance" for d in site.devices)


def door_hints(site: SiteConfig) -> list[str]:
    """What ``sitegw check-config`` hints at: boxes whose doors power.door_electrician cannot judge (no
    access gate), or whose every opening it will find critical (no electrician on the roster)."""
    boxes = [d.id for d in site.devices if d.kind == "power"]
    if not boxes:
        return []
    if not has_gates(site):
        return [
            f"{', '.join(boxes)}: power.door_electrician is not judged: the site has no access gate (kind: "
            "attendance) to tell whether a certified electrician (建筑电工, 01) is on site when a box's door opens"
        ]
    # the rule's own reading of a certificate's category (rules/certificate_check.py), on the rule's own list
    if not any(category_of(op, ELECTRICIAN) == ELECTRICIAN for op in electricians(site.operators)):
        return [
            f"{', '.join(boxes)}: no operator holds an electrician (建筑电工, 01) certificate, so every box door "
            "opening is critical (power.door_electrician): list the site's electricians under operators with "
            "trade: electrician and their certificate as registered"
        ]
    return []
