"""A temporary-power electrical-safety monitor of the site's distribution boxes (kinds/power/README.md)."""
