"""The camera's card: the dashboard's camera tiles draw the cameras as the vision service reports them
(``cameras`` of the site's JSON and /api/v1/cameras), so a camera is not listed among the generic devices."""

from __future__ import annotations

from contract.kinds.card import Card

CARD = Card(name="camera")
