"""A high slope's monitoring (高边坡, 建筑边坡: kinds/slope/README.md)."""
