"""A shield machine (盾构机) during a drive: its attitude, thrust, chamber pressure, grout, muck and seals (kinds/shield/README.md)."""
