"""When a camera's latest patrol picture (the ``camera_pictures`` table, alias ``c``) is still current: the
patrol wall's ok/stale and the liveness a city forwards (cameras online) read the one rule."""

STALE_GRACE_S = 60.0  # a picture is stale after twice its camera's period plus this
# the SQL condition of a stale picture, given ``:now`` and ``:grace`` (STALE_GRACE_S)
STALE = "c.taken_at < :now - 2 * c.every_s - :grace"
