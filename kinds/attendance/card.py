"""The access gates' card: the dashboard's key-personnel panel draws what the gates saw (who is on site,
their certificates, how many others are in), from the gateway's personnel route; the gates themselves are
not listed among the generic devices."""

from __future__ import annotations

from contract.kinds.card import Card

CARD = Card(name="gate")
