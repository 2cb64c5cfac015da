"""The platform kind: its declaration and what goes with it (kinds/platform/README.md)."""
