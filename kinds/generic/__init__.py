"""The generic kind: its declaration and what goes with it (kinds/generic/README.md)."""
