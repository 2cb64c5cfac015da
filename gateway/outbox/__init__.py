"""The disk outbox in front of every uplink: nothing acknowledged is lost, each alert in order."""

from gateway.outbox.service import Outbox, OutboxStats
from gateway.outbox.store import OUTBOX_FILE, Backlog, OutboxStore

__all__ = ["OUTBOX_FILE", "Backlog", "Outbox", "OutboxStats", "OutboxStore"]
