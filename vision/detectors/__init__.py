"""The checks that look at pixels: hard hats, persons, edge protection, danger zones."""
