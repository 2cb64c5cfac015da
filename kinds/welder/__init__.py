"""A welding machine's current sensor: hot work seen where no permit is in force (kinds/welder/README.md)."""
