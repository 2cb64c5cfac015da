"""A camera's latest patrol picture (the ``camera_pictures`` table, alias ``c``): how it is kept, by the
gateway's own upload and by a city's forwarding alike, and when it is still current (the patrol wall's
ok/stale and the liveness a city forwards, cameras online, read the one rule)."""

STALE_GRACE_S = 60.0  # a picture is stale after twice its camera's period plus this
# the SQL condition of a stale picture, given ``:now`` and ``:grace`` (STALE_GRACE_S)
STALE = "c.taken_at < :now - 2 * c.every_s - :grace"

# keep a picture as its camera's latest unless the one held is newer (a late retry, an older forwarded one)
UPSERT = (
    "INSERT INTO camera_pictures(project, camera, taken_at, received_at, every_s, findings, jpeg) "
    "VALUES (:p, :c, :taken, :now, :every, :findings, :jpeg) "
    "ON CONFLICT (project, camera) DO UPDATE SET taken_at=excluded.taken_at, received_at=excluded.received_at, "
    "every_s=excluded.every_s, findings=excluded.findings, jpeg=excluded.jpeg "
    "WHERE camera_pictures.taken_at <= excluded.taken_at RETURNING 1"
)
