"""MQTT topics of the protocol (V1.24 §3.2, Q-11, Q-12, Q-26, Q-27).

A terminal subscribes to its command topic (default ``mqtt/face/<ID>``) and publishes
its replies and events on sub-topics of it: ``<command topic>/Rec``, ``/Snap``, ``/Ack``,
``/QRCode``, ``/IDcard``, ``/card`` (and ``/Alarm`` on newer editions). Presence goes to
two fixed topics without an ID. The case of the suffixes differs between firmware
editions, so matching ignores case and subscriptions cover the known spellings.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

BASIC_TOPIC: Final = "mqtt/face/basic"
"""Where terminals publish ``Online`` and ``Offline``."""

HEARTBEAT_TOPIC: Final = "mqtt/face/heartbeat"
"""Where terminals publish ``HeartBeat``."""

DEFAULT_PREFIX: Final = "mqtt/face"


class TopicKind(StrEnum):
    """Kind of a terminal's response sub-topic."""

    REC = "rec"
    SNAP = "snap"
    ACK = "ack"
    QRCODE = "qrcode"
    IDCARD = "idcard"
    CARD = "card"
    ALARM = "alarm"


RESPONSE_SUFFIXES: Final[Mapping[TopicKind, str]] = MappingProxyType(
    {
        TopicKind.REC: "Rec",
        TopicKind.SNAP: "Snap",
        TopicKind.ACK: "Ack",
        TopicKind.QRCODE: "QRCode",
        TopicKind.IDCARD: "IDcard",
        TopicKind.CARD: "card",
        TopicKind.ALARM: "Alarm",
    }
)
"""Canonical (V1.24) spelling of each response suffix."""

SUFFIX_VARIANTS: Final[Mapping[TopicKind, tuple[str, ...]]] = MappingProxyType(
    {
        TopicKind.REC: ("Rec", "rec"),
        TopicKind.SNAP: ("Snap", "snap"),
        TopicKind.ACK: ("Ack", "ack"),
        TopicKind.QRCODE: ("QRCode", "QRcode", "qrcode"),
        TopicKind.IDCARD: ("IDcard", "IDCard"),
        TopicKind.CARD: ("card", "Card"),
        TopicKind.ALARM: ("Alarm", "alarm"),
    }
)
"""Spellings of each suffix seen in firmware editions and documents (Q-26)."""

_KIND_BY_SUFFIX: Final = {kind.value: kind for kind in TopicKind}


def default_command_topic(terminal_id: str) -> str:
    """Return the factory-default command topic of a terminal: ``mqtt/face/<ID>``."""
    return f"{DEFAULT_PREFIX}/{terminal_id}"


def topic_kind(topic: str) -> TopicKind | None:
    """Return the kind of a response topic from its last segment (any case), else None.

    ``mqtt/face/1305433/rec`` and ``.../Rec`` are both `TopicKind.REC`; the command topic,
    the presence topics and deeper foreign topics (``.../recods/livelogs``) are None.
    """
    last = topic.rstrip("/").rpartition("/")[2]
    return _KIND_BY_SUFFIX.get(last.lower())


def topic_terminal_id(topic: str) -> str | None:
    """Return the terminal ID segment of a response topic (the one before the suffix)."""
    if topic_kind(topic) is None:
        return None
    parts = topic.rstrip("/").split("/")
    if len(parts) < 2:
        return None
    return parts[-2].strip() or None


def topic_command_topic(topic: str) -> str | None:
    """Return the command topic a response topic belongs to (the topic without suffix)."""
    if topic_kind(topic) is None:
        return None
    head = topic.rstrip("/").rpartition("/")[0]
    return head or None


def subscription_topics(command_topic: str) -> list[str]:
    """Return the exact topics to subscribe to for one terminal, without duplicates.

    Every response suffix in each spelling real firmware uses, e.g.
    ``mqtt/face/1305433/Rec`` and ``mqtt/face/1305433/rec``. The presence topics
    (`BASIC_TOPIC`, `HEARTBEAT_TOPIC`) are shared by all terminals and not included.
    """
    base = command_topic.rstrip("/")
    topics = (f"{base}/{suffix}" for variants in SUFFIX_VARIANTS.values() for suffix in variants)
    return list(dict.fromkeys(topics))


def response_wildcard(command_topic: str) -> str:
    """Return the one subscription that covers every response sub-topic of a terminal.

    ``<command topic>/+`` matches each suffix in every spelling (Q-26) with a single
    subscription. Unlike ``#`` it matches neither the command topic itself, where our own
    commands would come back (Q-27), nor deeper foreign topics such as
    ``.../recods/livelogs``; the suffix is classified when a message arrives.
    """
    return f"{command_topic.rstrip('/')}/+"


def shared_response_wildcard(command_topic: str) -> str:
    """Return a subscription that terminals whose command topics share a parent share.

    ``<parent>/+/+``: for ``mqtt/face/1305433`` that is ``mqtt/face/+/+``, which every
    terminal on the factory-default topics shares. It matches every topic that
    `response_wildcard` matches (and other terminals' too): `response_route` picks this
    terminal's out of it. A command topic without a parent keeps its own wildcard (a
    ``+/+`` would take in every two-level topic on the broker).
    """
    parent, _, _ = command_topic.rstrip("/").rpartition("/")
    return f"{parent}/+/+" if parent else response_wildcard(command_topic)


def response_route(topic: str) -> str:
    """Return the key of the terminal a message on `topic` is for: its parent topic.

    Exactly the messages `response_wildcard(command_topic)` matches have the route
    ``command_topic.rstrip("/")``.
    """
    return topic.rpartition("/")[0]
