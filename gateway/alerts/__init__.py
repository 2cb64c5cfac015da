"""Alerts: AlertEvent (the regulator protocol body), the alert lifecycle and its SQLite store."""
