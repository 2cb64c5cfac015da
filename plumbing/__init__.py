"""The plumbing every sitegw process needs and none of them is about: an HTTP server run inside the process
(http_server), a paho MQTT client stopped without losing what it sent (paho_stop), the heap set up for a
long-running service (heap), TLS contexts that follow their certificate files (tls), the one SQLite library every
process opens its databases with (sqlite).

It sits just above the contract in the layers (pyproject [tool.importlinter]: its TLS contexts read the
contract's TLS settings): the gateway, the drivers and the regulator use it; it knows nothing of
construction sites."""
