"""The anemometer kind: its declaration and what goes with it (kinds/anemometer/README.md)."""
