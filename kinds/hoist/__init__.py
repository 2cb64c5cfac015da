"""The hoist kind: its declaration and what goes with it (kinds/hoist/README.md)."""
