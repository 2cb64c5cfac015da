"""Tunnel monitoring during construction: 盾构法、矿山法, urban rail (kinds/tunnel/README.md)."""
