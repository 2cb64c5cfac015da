"""MANSCDP (GB/T 28181-2016 Annex A): the XML bodies of the keepalive and of the query answers.

The standard's bodies are GB2312 with an XML declaration saying so. A name outside GB2312 goes as an XML
character reference rather than being lost. Incoming bodies are read as GB18030 (a superset of GB2312)
unless they declare UTF-8, as some platforms send.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>", re.S)
_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9_-]+)[\"']")


class ManscdpError(ValueError):
    """A body that is not a MANSCDP command."""


@dataclass(frozen=True, slots=True)
class Command:
    """What the platform sent: Query, Control, Notify or Response, its CmdType, SN and DeviceID."""

    kind: str
    cmd_type: str
    sn: str
    device_id: str


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """One channel as the Catalog answer lists it (Table A.x: DeviceID ... Status)."""

    device_id: str
    name: str
    parent_id: str
    civil_code: str
    online: bool


def parse(body: bytes) -> Command:
    """The command in a MESSAGE body."""
    declared = _DECL.match(body)
    encoding = "gb18030"
    if declared:
        enc = _ENCODING.search(declared.group(0))
        if enc and enc.group(1).lower() in ("utf-8", "utf8"):
            encoding = "utf-8"
        body = body[declared.end() :]
    try:
        root = ET.fromstring(body.decode(encoding, errors="replace"))
    except ET.ParseError as exc:
        raise ManscdpError(f"the MANSCDP body is not XML: {exc}") from exc
    cmd_type = (root.findtext("CmdType") or "").strip()
    if not cmd_type:
        raise ManscdpError(f"the MANSCDP <{root.tag}> has no CmdType")
    return Command(
        root.tag, cmd_type, (root.findtext("SN") or "").strip(), (root.findtext("DeviceID") or "").strip()
    )


def _encode(root: ET.Element) -> bytes:
    text = ET.tostring(root, encoding="unicode")
    return b'<?xml version="1.0" encoding="GB2312"?>\r\n' + text.encode("gb2312", errors="xmlcharrefreplace")


def _element(tag: str, fields: list[tuple[str, str]]) -> ET.Element:
    root = ET.Element(tag)
    for name, value in fields:
        ET.SubElement(root, name).text = value
    return root


def keepalive(sn: int, device_id: str) -> bytes:
    """The keepalive notification (§9.6, A.2.5): the device is alive and OK."""
    return _encode(
        _element(
            "Notify", [("CmdType", "Keepalive"), ("SN", str(sn)), ("DeviceID", device_id), ("Status", "OK")]
        )
    )


def catalog(sn: str, device_id: str, items: list[CatalogItem], sum_num: int) -> bytes:
    """One Catalog answer (§9.5.2, A.2.6.4) with ``items`` of the ``sum_num`` channels."""
    root = _element(
        "Response", [("CmdType", "Catalog"), ("SN", sn), ("DeviceID", device_id), ("SumNum", str(sum_num))]
    )
    listing = ET.SubElement(root, "DeviceList", Num=str(len(items)))
    for it in items:
        listing.append(
            _element(
                "Item",
                [
                    ("DeviceID", it.device_id),
                    ("Name", it.name),
                    ("Manufacturer", "sitegw"),
                    ("Model", "camera"),
                    ("Owner", "sitegw"),
                    ("CivilCode", it.civil_code),
                    ("Address", ""),
                    ("Parental", "0"),
                    ("ParentID", it.parent_id),
                    ("SafetyWay", "0"),
                    ("RegisterWay", "1"),
                    ("Secrecy", "0"),
                    ("Status", "ON" if it.online else "OFF"),
                ],
            )
        )
    return _encode(root)


def device_info(sn: str, device_id: str, name: str, firmware: str, channels: int) -> bytes:
    """The DeviceInfo answer (A.2.6.8)."""
    return _encode(
        _element(
            "Response",
            [
                ("CmdType", "DeviceInfo"),
                ("SN", sn),
                ("DeviceID", device_id),
                ("DeviceName", name),
                ("Result", "OK"),
                ("Manufacturer", "sitegw"),
                ("Model", "sitegw"),
                ("Firmware", firmware),
                ("Channel", str(channels)),
            ],
        )
    )


def device_status(sn: str, device_id: str, online: bool, device_time: str) -> bytes:
    """The DeviceStatus answer (A.2.6.7): online, working, encoding, not recording, no alarm."""
    root = _element(
        "Response",
        [
            ("CmdType", "DeviceStatus"),
            ("SN", sn),
            ("DeviceID", device_id),
            ("Result", "OK"),
            ("Online", "ONLINE" if online else "OFFLINE"),
            ("Status", "OK" if online else "ERROR"),
            ("Encode", "ON"),
            ("Record", "OFF"),
            ("DeviceTime", device_time),
        ],
    )
    ET.SubElement(root, "Alarmstatus", Num="0")
    return _encode(root)
