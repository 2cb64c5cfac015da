"""sitegw gateway: drivers -> readings -> rules -> alerts -> outbox -> uplinks."""

__version__ = "0.1.0"
