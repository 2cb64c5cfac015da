"""The gateway's services: alerts, the local store and InfluxDB, the outbox, uplinks and the API at its
core, and the site's own services (sirens, work windows, warning signals, papers, the safety log,
GB/T 28181) in ``gateway.site``.

They stand on the contract and on the rules; the application shell (package ``sitegw``) wires them to the
drivers and the camera workers.
"""
