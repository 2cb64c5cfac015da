"""The camera kind: its declaration and what goes with it (kinds/camera/README.md)."""
