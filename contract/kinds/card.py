"""A kind's dashboard card: what the API shows of its devices and the script that draws them.

A kind with a card of its own keeps it in its folder: ``card.py`` holds one :class:`Card` (its view: a
function of the site file giving the card's data, and that data's response model) and ``card.js`` the
script that draws it. The kind names it as ``Kind.card = "kinds.<kind>.card:CARD"``; the gateway's API
adds each card's data to ``GET /api/v1/site`` under the card's key and serves its script as
``/cards/<name>.js``, which the dashboard loads for the kinds on its site. Neither the API nor the dashboard
names a kind, so a plug-in ships a card as it ships a judge, with no file of sitegw edited.

The view reads only the site file (its devices and the ``rules:`` in force): the card shows limits and
nameplates; the live values reach the dashboard by the readings, as every device's do.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from contract.kinds import registry

if TYPE_CHECKING:
    from contract.config.site import SiteConfig
    from contract.kinds.kind import Kind

M = TypeVar("M", bound=BaseModel)

GENERIC = "generic"
"""The card of a kind without its own: every metric with its Chinese name, value and unit."""


class Bands(BaseModel):
    """A gauge's warning / alarm / critical thresholds (same unit as the value)."""

    warning: float
    alarm: float
    critical: float


@dataclass(frozen=True)
class CardData(Generic[M]):
    """What a card adds to ``GET /api/v1/site``: a list of ``model`` under ``key``."""

    key: str
    """The key in the site's JSON, e.g. ``cranes``: unique among every card's and the site's own."""
    model: type[M]
    """The response model of one entry (the OpenAPI document shows it)."""
    view: Callable[[SiteConfig], list[M]]
    """The entries of a site (an empty list where it has no device of the kind)."""
    description: str
    """What the list holds, for the OpenAPI document."""


@dataclass(frozen=True)
class Card:
    """A kind's own dashboard card."""

    name: str
    """What the API calls it (``DeviceView.card``), e.g. ``crane``."""
    data: CardData[Any] | None = None
    """Its data in ``GET /api/v1/site``; None: the card draws from the readings alone."""
    script: str = ""
    """The file beside the card's module that draws it (``card.js``); empty: a panel of the dashboard's own
    draws the kind's devices (the gates' key people, the cameras), and they are not on the generic card."""


def card_of(kind: Kind) -> Card | None:
    """The kind's own card, or None for the generic one (KindError naming the fix for a bad reference)."""
    if not kind.card:
        return None
    found = registry.resolve(kind.card)
    if not isinstance(found, Card):
        raise registry.KindError(
            f"kind {kind.name}: card {kind.card!r} is a {type(found).__name__}, not a Card: "
            "name a Card (contract.kinds.card) as module:attribute"
        )
    return found


def card_name(kind: Kind) -> str:
    """The name of the card the dashboard draws the kind's devices on."""
    card = card_of(kind)
    return GENERIC if card is None else card.name


def script_path(kind: Kind) -> Path | None:
    """The file of the kind's card script, or None where it has none."""
    card = card_of(kind)
    if card is None or not card.script:
        return None
    module = importlib.import_module(kind.card.partition(":")[0])
    return Path(str(module.__file__)).parent / card.script
