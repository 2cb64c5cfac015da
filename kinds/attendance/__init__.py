"""The attendance kind: its declaration and what goes with it (kinds/attendance/README.md)."""
