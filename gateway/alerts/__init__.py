"""Alerts: AlertEvent (the regulator protocol body), the alert lifecycle and its SQLite store.

The alert manager and its worsening tracker are compiled with the rules where ``make native`` or ``pip install``
built them (setup.py). This module is never compiled: it installs plumbing/compiled_guard.py, which refuses a
compiled module older than its source and with ``SITEGW_PURE_PYTHON=1`` loads them from their sources instead.
"""

from plumbing import compiled_guard

compiled_guard.install()
