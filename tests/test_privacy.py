"""No picture, full ID number or phone number leaves the integration.

Records with large faces, ID cards with photos and phone numbers go through the whole
integration (every platform, the bus, the logbook, diagnostics, a failing enrolment). None
of the personal data may then be found in a fired event, a state or its attributes, a log
line, a logbook line or the diagnostics.

Home Assistant's own MQTT client logs every received and sent payload at debug level
(``homeassistant.components.mqtt``); that is the broker traffic itself, outside the
integration, so its records are left out of the log check.
"""

from __future__ import annotations

import base64
import io
import logging
import random
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from PIL import Image
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.face_terminal import protocol
from custom_components.face_terminal.logbook import async_describe_events

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry
from .payloads import (
    ACK_TOPIC,
    BASIC_TOPIC,
    CARD_TOPIC,
    IDCARD_TOPIC,
    QR_TOPIC,
    REC_TOPIC,
    SNAP_TOPIC,
    TERMINAL_ID,
)

if TYPE_CHECKING:
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

PERSONAL_NUMBERS = (
    payloads.ID_NUMBER,
    payloads.PHONE,
    "18888888888",  # telnum of every payloads.rec_push
    "421381199504030001",  # idCard of every payloads.rec_push
)
EXCLUDED_LOGGERS = ("homeassistant.components.mqtt",)


def big_face(size: int = 500_000) -> bytes:
    """A real JPEG of about `size` bytes: noise compresses badly; padding tops it up."""
    rng = random.Random(1)
    noise = bytes(rng.getrandbits(8) for _ in range(300 * 300 * 3))
    buffer = io.BytesIO()
    Image.frombytes("RGB", (300, 300), noise).save(buffer, format="JPEG", quality=95)
    data = buffer.getvalue()
    return data + b"\x00" * max(0, size - len(data))  # bytes after EOI are ignored


def fragments(data: bytes) -> list[str]:
    """Pieces of the base64 text of `data` that must never show up anywhere."""
    text = base64.b64encode(data).decode()
    middle = len(text) // 2
    return [text[:40], text[middle : middle + 40], text[-40:]]


class Collector:
    """Everything the integration let out during the test, as text."""

    def __init__(self) -> None:
        self.events: list[str] = []

    @callback
    def on_event(self, event: Event) -> None:
        self.events.append(f"{event.event_type} {event.data!r}")


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    """All captured log lines (with tracebacks) except the MQTT client's raw traffic."""
    formatter = logging.Formatter()
    lines = []
    for record in caplog.records:
        if record.name.startswith(EXCLUDED_LOGGERS):
            continue
        lines.append(f"{record.name} {record.getMessage()}")
        if record.exc_info:
            lines.append(formatter.formatException(record.exc_info))
    return "\n".join(lines)


def states_text(hass: HomeAssistant) -> str:
    """Every state and attribute of every entity."""
    return "\n".join(
        f"{state.entity_id} {state.state} {dict(state.attributes)!r}"
        for state in hass.states.async_all()
    )


def logbook_lines(hass: HomeAssistant, events: list[Event]) -> str:
    """What the logbook would show for the integration's events."""
    describers: dict[str, Any] = {}
    async_describe_events(hass, lambda _d, kind, describe: describers.__setitem__(kind, describe))
    return "\n".join(
        str(describers[event.event_type](event))
        for event in events
        if event.event_type in describers
    )


async def test_personal_data_never_leaves(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """Big faces, ID-card photos and numbers pass through; none of them comes out."""
    caplog.set_level(logging.DEBUG)
    collector = Collector()
    hass.bus.async_listen(MATCH_ALL, collector.on_event)
    own_events: list[Event] = []
    for event_type in ("face_terminal_recognition", "face_terminal_stranger", "face_terminal_scan"):
        hass.bus.async_listen(event_type, own_events.append)

    face = big_face()
    stranger = big_face(520_000)
    scene = big_face(300_000)
    id_photo = payloads.jpeg(102, 126, (10, 20, 30))
    assert len(base64.b64encode(face)) > 600_000
    secrets = [
        *PERSONAL_NUMBERS,
        *fragments(face),
        *fragments(stranger),
        *fragments(scene),
        *fragments(id_photo),
        "1 Example Road",  # the ID card's address
    ]
    terminal.replies["GetSceneSnap"] = lambda cmd: payloads.ack(
        "GetSceneSnap", cmd["messageId"], ImgData=payloads.data_uri(scene)
    )
    terminal.replies["EditPerson"] = lambda cmd: payloads.ack(
        "EditPerson", cmd["messageId"], code=464, result="fail", detail="no face"
    )

    await setup_entry(hass, config_entry)
    runtime = config_entry.runtime_data
    fire(hass, BASIC_TOPIC, payloads.online())
    fire(
        hass,
        REC_TOPIC,
        payloads.rec_push(
            pic=face,
            extra={"telnum1": payloads.PHONE, "IDCard_Idno": payloads.ID_NUMBER},
        ),
    )
    fire(hass, REC_TOPIC, payloads.rec_push(pic=face, pretty=True))  # duplicate, pretty
    fire(
        hass,
        REC_TOPIC,
        payloads.rec_push(
            record_id="382",
            extra={"pic": payloads.data_uri(face), "scene": payloads.data_uri(scene)},
        ),
    )
    fire(hass, SNAP_TOPIC, payloads.str_snap_push(pic=stranger))
    fire(hass, IDCARD_TOPIC, payloads.id_card_push(photo=id_photo))
    fire(hass, QR_TOPIC, payloads.qr_push())
    fire(hass, CARD_TOPIC, payloads.card_push())
    # Broken payloads that still carry the data are dropped, and logged, too.
    cut = payloads.rec_push(pic=face)
    fire(hass, REC_TOPIC, cut[: len(cut) // 2])
    fire(hass, REC_TOPIC, payloads.rec_push(pic=face, terminal_id="7654321"))
    fire(
        hass,
        ACK_TOPIC,
        payloads.dump(
            {
                "operator": "Mystery-Push",
                "info": {"facesluiceId": TERMINAL_ID, "idCard": payloads.ID_NUMBER},
            }
        ),
    )
    await hass.async_block_till_done()

    assert await runtime.scene.async_snapshot() == scene
    with pytest.raises(HomeAssistantError) as err:
        await runtime.async_request(
            protocol.EnrolPerson(
                protocol.PersonSpec(
                    custom_id="zhang-3",
                    name="张三",
                    id_card=payloads.ID_NUMBER,
                    phone=payloads.PHONE,
                    picture=id_photo,
                )
            )
        )
    await hass.async_block_till_done()

    # Everything really went through.
    assert [event.event_type for event in own_events].count("face_terminal_recognition") == 2
    assert runtime.state.last_face is not None
    assert runtime.state.last_face.data == stranger

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)

    places = {
        "events": "\n".join(collector.events),
        "states": states_text(hass),
        "logs": log_text(caplog),
        "logbook": logbook_lines(hass, own_events),
        "diagnostics": repr(diagnostics),
        "error": str(err.value),
    }
    assert places["logs"]  # the test would be meaningless without log lines
    for place, text in places.items():
        for secret in secrets:
            assert secret not in text, f"{secret[:12]}… found in {place}"
        # Raw picture bytes in a repr would start like this.
        assert "\\xff\\xd8\\xff" not in text, f"JPEG bytes found in {place}"
