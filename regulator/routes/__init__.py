"""The regulator's HTTP routers, one per concern, and what they share (the session, refusals, body limits).

``STATIC`` is the folder of the review UI's pages and scripts, shipped in the package beside the routers."""

from pathlib import Path

STATIC = Path(__file__).parent.parent / "static"
