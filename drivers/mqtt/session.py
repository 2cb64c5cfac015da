"""A paho client set up for one configured broker: protocol, credentials and TLS, as every user of a broker needs."""

from __future__ import annotations

import ssl
from collections.abc import Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from contract.config.transport import MqttBroker
from plumbing.tls import recording_context


def broker_client(
    broker: MqttBroker,
    client_id: str,
    clean_session: bool,
    on_tls_failure: Callable[[ssl.SSLError | ssl.CertificateError], None] = lambda _exc: None,
) -> mqtt.Client:
    """A paho client (MQTT 3.1.1, exceptions in callbacks contained) for ``broker``, not yet connected.

    ``on_tls_failure`` hears each failed TLS handshake, which paho's reconnect loop would otherwise swallow.
    """
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=clean_session,
        protocol=mqtt.MQTTv311,
    )
    client.suppress_exceptions = True  # an exception in a callback must not end paho's thread
    if broker.username:
        client.username_pw_set(broker.username, broker.password or None)
    if broker.tls is not None:
        client.tls_set_context(recording_context(broker.tls, on_tls_failure))
    return client
