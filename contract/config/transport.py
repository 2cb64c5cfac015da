"""How sitegw reaches a device: Modbus TCP, Modbus RTU on a serial line, or MQTT."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from contract.config.common import Model
from contract.config.tls import TlsSettings


class ModbusTcpTransport(Model):
    """A device on Modbus TCP (or an RS-485 to Ethernet converter speaking Modbus TCP)."""

    type: Literal["modbus_tcp"] = "modbus_tcp"
    host: str = Field(title="Host", description="IP address or host name of the device")
    port: int = Field(502, ge=1, le=65535, title="Port", description="TCP port (502 by default)")
    unit_id: int = Field(1, ge=0, le=247, title="Unit id", description="Modbus unit (slave) id")


class ModbusRtuTransport(Model):
    """A slave on an RS-485 bus, reached through a local serial port."""

    type: Literal["modbus_rtu"] = "modbus_rtu"
    port: str = Field(title="Serial port", description="e.g. /dev/ttyUSB0 or /dev/ttyS1")
    baudrate: int = Field(9600, title="Baud rate", description="bits per second, e.g. 9600")
    bytesize: Literal[7, 8] = Field(8, title="Data bits", description="7 or 8")
    parity: Literal["N", "E", "O"] = Field("N", title="Parity", description="N, E or O")
    stopbits: Literal[1, 2] = Field(1, title="Stop bits", description="1 or 2")
    unit_id: int = Field(1, ge=1, le=247, title="Unit id", description="Modbus slave address on the bus")


class MqttTransport(Model):
    """A device that publishes to an MQTT broker."""

    type: Literal["mqtt"] = "mqtt"
    broker: str = Field("default", title="Broker", description="name of an entry in mqtt_brokers")
    topic_prefix: str = Field(
        title="Topic prefix",
        description="replaces {prefix} in the profile's topics; plain levels, no # (e.g. sitegw/P-1/pit-1)",
    )

    @field_validator("topic_prefix")
    @classmethod
    def _plain_levels(cls, prefix: str) -> str:
        # the profile's filter continues after the prefix: a # inside it could never match anything
        if not prefix.strip("/") or "#" in prefix or any("+" in lv and lv != "+" for lv in prefix.split("/")):
            raise ValueError(
                f"topic_prefix {prefix!r} must be topic levels such as sitegw/P-1/pit-1: "
                "not empty, no #, and + only as a whole level"
            )
        return prefix


Transport = Annotated[ModbusTcpTransport | ModbusRtuTransport | MqttTransport, Field(discriminator="type")]


class MqttBroker(Model):
    """An MQTT broker the gateway connects to (devices' broker; uplinks may name another)."""

    host: str = Field("127.0.0.1", title="Host", description="broker host")
    port: int = Field(1883, ge=1, le=65535, title="Port", description="broker port")
    username: str = Field("", title="User name", description="empty: anonymous")
    password: str = Field("", title="Password", description="use ${ENV_VAR} to keep it out of the file")
    client_id: str = Field(
        "",
        title="Client id",
        description="fixed id for a persistent session, the gateway's own (the broker drops the older of two "
        "connections with one id); default sitegw-<project>-<broker>-<this host's name>",
    )
    keepalive_s: int = Field(30, ge=5, le=3600, title="Keepalive", description="seconds")
    tls: TlsSettings | None = Field(
        None,
        title="TLS",
        description="connect over TLS (port: the broker's TLS listener, usually 8883): the broker's "
        "certificate checked against ca_file, and cert_file/key_file when the broker requires client "
        "certificates. Absent: plain TCP",
    )
