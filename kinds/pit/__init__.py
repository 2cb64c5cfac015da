"""The pit kind: its declaration and what goes with it (kinds/pit/README.md)."""
