"""A smoke/heat detector at a hot-work place: a fire after the work (kinds/fire_detector/README.md)."""
