"""MQTT devices: the driver (one paho client per broker); the demo's broker is in embedded_broker."""

from drivers.mqtt.driver import MqttDriver

__all__ = ["MqttDriver"]
