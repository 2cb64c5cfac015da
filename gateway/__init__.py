"""The gateway's services: alerts, the local store and InfluxDB, the outbox, uplinks and the API.

They stand on the contract and on the rules; the application shell (package ``sitegw``) wires them to the
drivers and the camera workers.
"""
