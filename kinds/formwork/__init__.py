"""The formwork kind: its declaration and what goes with it (kinds/formwork/README.md)."""
