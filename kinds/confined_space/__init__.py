"""The confined_space kind: its declaration and what goes with it (kinds/confined_space/README.md)."""
