"""Jovision face-recognition devices: the HTTP push receiver and the per-device runtime.

Jovision capture cameras, comparison machines and gates POST JSON to an HTTP address set
on the device (seed 004). Home Assistant serves that address with one webhook, owned by
the *receiver* entry (`JovisionReceiver`, unique ID ``jovision_receiver``). Every
message is answered at once with the documented JSON and handled in a background task:

* a message from a device that has its own (loaded) config entry goes to that entry's
  `JovisionDevice`, which keeps presence, the last recognition and the last pictures,
  and fires the ``face_terminal_recognition`` bus event with ``family: "jovision"`` for
  a match, ``face_terminal_capture`` for a capture (`jovision_capture`);
* a message from an unknown device starts a discovery flow the user confirms (one flow
  per device); until then its messages are answered and ignored;
* a message whose MAC address contradicts the one its UUID was first seen with, or that
  leaves the MAC address out once the UUID is bound to one, is flagged (a warning once
  per device, the ``identity_mismatch`` counter, see the diagnostics) and ignored. A
  changed IP address is accepted: devices get theirs by DHCP.

Everything keyed by what a LAN host sends is bounded: the receiver remembers at most
`MAX_TRACKED_DEVICES` unconfirmed devices (least recently heard forgotten first), and at
most `MAX_PENDING_DISCOVERIES` discovery flows wait for the user; a new device beyond that
replaces the offer of the device heard from least recently, so a real device, which
keeps sending keepalives, is offered again while one-off UUIDs fall out.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, Final

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_INTEGRATION_DISCOVERY,
    ConfigEntry,
    ConfigEntryState,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.util import dt as dt_util

from .const import (
    ACCESS_UNKNOWN,
    ATTR_ACCESS,
    ATTR_AGE,
    ATTR_CAPTURE_TIME,
    ATTR_DEVICE_ID,
    ATTR_FAMILY,
    ATTR_GENDER,
    ATTR_GLASSES,
    ATTR_INDEX_ID,
    ATTR_LIST,
    ATTR_MASK,
    ATTR_PERSON_NAME,
    ATTR_RECORD_ID,
    ATTR_SIMILARITY,
    ATTR_TERMINAL_ID,
    ATTR_TIME,
    BLACKLISTED,
    CONF_FIRMWARE,
    CONF_HOST,
    CONF_MAC,
    CONF_MODEL,
    CONF_OFFLINE_TIMEOUT,
    CONF_PERSON_NAMES,
    CONF_UUID,
    CONF_WEBHOOK_ID,
    DEFAULT_JOVISION_OFFLINE_TIMEOUT,
    DOMAIN,
    EVENT_RECOGNITION,
    FAMILY_JOVISION,
    JOVISION_ACCESS_EVENT_TYPES,
    JOVISION_MANUFACTURER,
    JOVISION_MAX_BODY,
    LOGGER,
    RECOGNIZED,
    VIP,
)
from .device import Capability, ImageKind, configuration_url, image_summary
from .events import name_logbook_entity, record_time, without_none
from .jovision_capture import JovisionCaptured, describe_capture
from .presence import SilenceWatchdog
from .protocol import (
    LIST_UNKNOWN,
    JovisionCapture,
    JovisionCompare,
    JovisionError,
    JovisionFaceEvent,
    JovisionKeepalive,
    JovisionMessage,
    JovisionUnknown,
    error_reply,
    parse_jovision,
    reply_for,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from .device import DeviceRuntime
    from .protocol import Image

JSON_CONTENT_TYPE: Final = "application/json"
DEFAULT_MODEL: Final = "Face recognition device"
_LOG_PREVIEW: Final = 120
# Cut from debug previews: base64 runs (pictures, features) and digit runs long enough to
# be a phone or ID-card number.
_BASE64_RUN: Final = re.compile(r"[A-Za-z0-9+/=]{32,}|\d{7,}")
_MAC_NOISE: Final = str.maketrans("", "", ":-. ")
MAX_TRACKED_DEVICES: Final = 256
"""Unconfirmed devices whose first MAC address (and mismatch warning) are remembered."""
MAX_PENDING_DISCOVERIES: Final = 8
"""Discovery flows of Jovision devices that may wait for the user at the same time."""


type JovisionDeviceConfigEntry = ConfigEntry[JovisionDevice]
type JovisionReceiverConfigEntry = ConfigEntry[JovisionReceiver]
type FaceTerminalAnyConfigEntry = ConfigEntry[DeviceRuntime | JovisionReceiver]
"""Any entry of the integration: a device (MQTT terminal, Jovision device) or the receiver."""


def is_receiver_entry(entry: ConfigEntry[Any]) -> bool:
    """Whether an entry is the Jovision receiver (it holds the webhook ID)."""
    return CONF_WEBHOOK_ID in entry.data


def is_jovision_entry(entry: ConfigEntry[Any]) -> bool:
    """Whether an entry belongs to the Jovision family (receiver or device)."""
    return bool(entry.data.get("family") == FAMILY_JOVISION)


def model_name(message: JovisionMessage) -> str | None:
    """The product name, else the device type in words, else None."""
    if message.product_name:
        return message.product_name
    if (type_name := message.device_type_name) is not None:
        return type_name.replace("_", " ").capitalize()
    return None


def _same_mac(first: str, second: str) -> bool:
    return first.translate(_MAC_NOISE).lower() == second.translate(_MAC_NOISE).lower()


def _preview(body: bytes) -> str:
    """The start of a body for a debug line, without base64 runs or long numbers."""
    text = body[: _LOG_PREVIEW * 4].decode("utf-8", errors="replace")
    return _BASE64_RUN.sub("<…>", text)[:_LOG_PREVIEW]


def _json(body: bytes, status: HTTPStatus = HTTPStatus.OK) -> web.Response:
    return web.Response(body=body, status=status, content_type=JSON_CONTENT_TYPE, charset="utf-8")


def access_of(message: JovisionCompare) -> str:
    """Event type of a match, from the list the library picture is on (never guessed)."""
    if message.list_type == LIST_UNKNOWN:
        return ACCESS_UNKNOWN
    if message.list_type == "blacklist":
        return BLACKLISTED
    if message.list_type == "vip":
        return VIP
    return RECOGNIZED


# The bus event's fields the access event entity shows.
EVENT_ATTRIBUTES: Final = (ATTR_PERSON_NAME, ATTR_INDEX_ID, ATTR_LIST, ATTR_SIMILARITY)


@dataclass(frozen=True, slots=True)
class JovisionRecognition:
    """A match as the integration hands it to entities and the bus (a `DeviceRecord`).

    `person_attributes` and `data` hold small named fields only: never a picture or a
    face feature vector.
    """

    message: JovisionCompare
    event_type: str  # recognized | blacklisted | vip
    time: datetime  # aware, in HA's time zone
    person_name: str | None
    person_attributes: dict[str, Any]  # the last-person sensor's
    data: dict[str, Any]  # bus event data
    context: Context = field(default_factory=Context)

    # A match; the protocol has no scans, and the compare push no temperature or alarm.
    is_access: ClassVar[bool] = True
    is_scan: ClassVar[bool] = False
    temperature: ClassVar[float | None] = None
    alarm_type: ClassVar[str | None] = None

    @property
    def alarm_attributes(self) -> dict[str, Any]:
        """None: a match raises no alarm."""
        return {}

    @property
    def event_attributes(self) -> dict[str, Any]:
        """The access event's attributes: name, library index, list and similarity."""
        return {key: self.data[key] for key in EVENT_ATTRIBUTES if key in self.data}

    @property
    def recognized_person(self) -> str | None:
        """The person's name, else the library picture's index ID."""
        if self.person_name:
            return self.person_name
        index_id = self.message.index_id
        return str(index_id) if index_id is not None else None


type JovisionRecord = JovisionRecognition | JovisionCaptured
"""What a Jovision device hands its entities: a match or a capture."""


# --- device runtime -------------------------------------------------------------------


class JovisionDevice:
    """Runtime of one confirmed Jovision device (the object in ``entry.runtime_data``)."""

    def __init__(self, hass: HomeAssistant, entry: JovisionDeviceConfigEntry) -> None:
        """Read the entry; nothing runs before `async_start`."""
        self.hass = hass
        self.entry = entry
        self.uuid: str = entry.data[CONF_UUID]
        self.device_id = ""
        self.online = False
        self.last_seen: datetime | None = None
        self.last_recognition: JovisionRecognition | None = None
        self.last_face: Image | None = None
        self.last_face_time: datetime | None = None
        self.last_scene: Image | None = None
        self.last_scene_time: datetime | None = None
        self.counters: Counter[str] = Counter()
        self._watchdog = SilenceWatchdog(
            hass,
            timeout=lambda: self.offline_timeout,
            last_seen=lambda: self.last_seen,
            went_silent=self._went_silent,
        )
        self._presence_listeners: list[CALLBACK_TYPE] = []
        self._record_listeners: list[Callable[[JovisionRecord], None]] = []

    # --- device contract (`device.DeviceRuntime`) -----------------------------------

    # Jovision devices only push: no commands, door, scans or thermometer.
    capabilities: frozenset[Capability] = frozenset({Capability.SCENE_PUSH})
    access_event_types: list[str] = JOVISION_ACCESS_EVENT_TYPES

    @property
    def terminal_id(self) -> str:
        """The device's UUID (the MQTT family's terminal ID has the same role)."""
        return self.uuid

    @property
    def device_info(self) -> DeviceInfo:
        """The device-registry link of the device's entities."""
        return DeviceInfo(identifiers={(DOMAIN, self.uuid)})

    def last_image(self, kind: ImageKind) -> tuple[Image, datetime] | None:
        """The last face crop or scene picture and when it arrived."""
        if kind is ImageKind.SCENE:
            image, when = self.last_scene, self.last_scene_time
        else:
            image, when = self.last_face, self.last_face_time
        return (image, when) if image is not None and when is not None else None

    def diagnostics(self) -> dict[str, Any]:
        """Presence, counters and the last match; redacted by `diagnostics.py`."""
        last: dict[str, Any] | None = None
        if (recognition := self.last_recognition) is not None:
            message = recognition.message
            last = {
                "access": recognition.event_type,
                "time": recognition.time.isoformat(),
                **recognition.person_attributes,
                ATTR_PERSON_NAME: recognition.person_name,
                "face": image_summary(message.face.image, message.face.problem),
                "scene": image_summary(message.scene.image, message.scene.problem),
            }
        return {
            "device": {
                "online": self.online,
                "last_seen": self.last_seen.isoformat() if self.last_seen else None,
                "offline_timeout": self.offline_timeout,
                "last_face": image_summary(self.last_face),
                "last_scene": image_summary(self.last_scene),
            },
            "counters": dict(sorted(self.counters.items())),
            "last_recognition": last,
        }

    @property
    def offline_timeout(self) -> float:
        """Seconds without a message after which the device counts as offline."""
        return float(self.entry.options.get(CONF_OFFLINE_TIMEOUT, DEFAULT_JOVISION_OFFLINE_TIMEOUT))

    @property
    def person_names(self) -> dict[str, str]:
        """Names the user gave to library pictures, by index ID (as text)."""
        names = self.entry.options.get(CONF_PERSON_NAMES) or {}
        return {str(key): str(value) for key, value in names.items()}

    @property
    def host(self) -> str | None:
        """The device's IP address as it last reported it."""
        host: str | None = self.entry.data.get(CONF_HOST)
        return host

    # --- lifecycle ----------------------------------------------------------------

    async def async_start(self) -> None:
        """Register the device and start the presence timer."""
        data = self.entry.data
        mac: str | None = data.get(CONF_MAC)
        device = dr.async_get(self.hass).async_get_or_create(
            config_entry_id=self.entry.entry_id,
            identifiers={(DOMAIN, self.uuid)},
            connections={(dr.CONNECTION_NETWORK_MAC, dr.format_mac(mac))} if mac else None,
            manufacturer=JOVISION_MANUFACTURER,
            model=data.get(CONF_MODEL) or DEFAULT_MODEL,
            sw_version=data.get(CONF_FIRMWARE),
            name=self.entry.title,
            serial_number=self.uuid,
            configuration_url=configuration_url(self.host),
        )
        self.device_id = device.id
        self.entry.async_on_unload(self._watchdog.stop)
        self._watchdog.start()

    @callback
    def async_add_presence_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` when the device goes online or offline."""
        self._presence_listeners.append(listener)
        return partial(self._presence_listeners.remove, listener)

    @callback
    def async_add_record_listener(
        self, listener: Callable[[JovisionRecord], None]
    ) -> CALLBACK_TYPE:
        """Call `listener` with every match and capture (after the pictures are stored)."""
        self._record_listeners.append(listener)
        return partial(self._record_listeners.remove, listener)

    @callback
    def async_add_replay_listener(
        self, listener: Callable[[JovisionRecord], None]
    ) -> CALLBACK_TYPE:
        """Nothing to call: a Jovision device never re-sends a record (it posts once)."""
        return lambda: None

    # --- messages -----------------------------------------------------------------

    @callback
    def async_handle(self, message: JovisionMessage) -> None:
        """Handle one message of this device (called by the receiver)."""
        self.counters[message.method] += 1
        self._update_identity(message)
        self._mark_seen()
        if isinstance(message, JovisionFaceEvent):
            self._store_pictures(message)
        if isinstance(message, JovisionCompare):
            self._handle_compare(message)
        elif isinstance(message, JovisionCapture):
            self._handle_capture(message)

    def _update_identity(self, message: JovisionMessage) -> None:
        """Follow the device's IP address, firmware and model."""
        data = dict(self.entry.data)
        if message.host:
            data[CONF_HOST] = message.host
        if message.mac and not data.get(CONF_MAC):
            data[CONF_MAC] = message.mac
        if isinstance(message, JovisionKeepalive) and message.soft_version:
            data[CONF_FIRMWARE] = message.soft_version
        if (model := model_name(message)) is not None and message.product_name:
            data[CONF_MODEL] = model
        if data == dict(self.entry.data):
            return
        self.hass.config_entries.async_update_entry(self.entry, data=data)
        registry = dr.async_get(self.hass)
        if registry.async_get(self.device_id) is not None:
            registry.async_update_device(
                self.device_id,
                model=data.get(CONF_MODEL) or DEFAULT_MODEL,
                sw_version=data.get(CONF_FIRMWARE),
                configuration_url=configuration_url(data.get(CONF_HOST)),
            )

    def _store_pictures(self, message: JovisionFaceEvent) -> None:
        now = dt_util.utcnow()
        if message.face.image is not None:
            self.last_face = message.face.image
            self.last_face_time = now
        if message.scene.image is not None:
            self.last_scene = message.scene.image
            self.last_scene_time = now

    def _handle_compare(self, message: JovisionCompare) -> None:
        recognition = self.describe(message)
        self.last_recognition = recognition
        name_logbook_entity(self.hass, EVENT_RECOGNITION, recognition.data, self.uuid)
        # One context for the event and the entity updates it causes (logbook lines).
        self.hass.bus.async_fire(EVENT_RECOGNITION, recognition.data, context=recognition.context)
        for listener in list(self._record_listeners):
            listener(recognition)

    def _handle_capture(self, message: JovisionCapture) -> None:
        """A face without a match: its own bus event, then the entities (same context)."""
        capture = describe_capture(message, device_id=self.device_id, uuid=self.uuid)
        name_logbook_entity(self.hass, capture.bus_event, capture.data, self.uuid)
        self.hass.bus.async_fire(capture.bus_event, capture.data, context=capture.context)
        for listener in list(self._record_listeners):
            listener(capture)

    def describe(self, message: JovisionCompare) -> JovisionRecognition:
        """Name, event type, attributes and bus event data of a match."""
        when = record_time(message.capture_time)
        event_type = access_of(message)
        name = message.person_name
        if message.index_id is not None:
            name = self.person_names.get(str(message.index_id), name)
        similarity = (
            round(message.match_score * 100, 1) if message.match_score is not None else None
        )
        shown = {
            ATTR_PERSON_NAME: name,
            ATTR_INDEX_ID: message.index_id,
            ATTR_LIST: message.list_type,
            ATTR_SIMILARITY: similarity,
        }
        attributes = without_none(
            {
                ATTR_INDEX_ID: message.index_id,
                ATTR_LIST: message.list_type,
                ATTR_SIMILARITY: similarity,
                ATTR_CAPTURE_TIME: when.isoformat(),
                ATTR_AGE: message.age,
                ATTR_GENDER: message.gender,
                ATTR_MASK: message.mask,
                ATTR_GLASSES: message.glasses,
            }
        )
        data = {
            ATTR_FAMILY: FAMILY_JOVISION,
            ATTR_DEVICE_ID: self.device_id,
            ATTR_TERMINAL_ID: self.uuid,
            ATTR_RECORD_ID: None,
            ATTR_TIME: when.isoformat(),
            ATTR_ACCESS: event_type,
            **without_none(shown),
        }
        return JovisionRecognition(
            message=message,
            event_type=event_type,
            time=when,
            person_name=name,
            person_attributes=attributes,
            data=data,
        )

    # --- presence -----------------------------------------------------------------

    def _mark_seen(self) -> None:
        self.last_seen = dt_util.utcnow()
        if not self.online:
            self._set_online(True)

    def _set_online(self, online: bool) -> None:
        self.online = online
        LOGGER.info(
            "Jovision device %s (%s) is %s",
            self.entry.title,
            self.uuid,
            "online" if online else "offline",
        )
        for listener in list(self._presence_listeners):
            listener()

    def _went_silent(self, _timeout: float) -> None:
        if self.online:
            self._set_online(False)


# --- receiver -------------------------------------------------------------------------


class JovisionReceiver:
    """The webhook every Jovision device posts to (the receiver entry's runtime)."""

    def __init__(self, hass: HomeAssistant, entry: JovisionReceiverConfigEntry) -> None:
        """Read the webhook ID; nothing is registered before `async_start`."""
        self.hass = hass
        self.entry = entry
        self.webhook_id: str = entry.data[CONF_WEBHOOK_ID]
        self.counters: Counter[str] = Counter()
        # Device key -> MAC it was first seen with; the order is least recently heard first.
        self.first_seen: OrderedDict[str, str | None] = OrderedDict()
        self._mismatch_logged: OrderedDict[str, None] = OrderedDict()

    async def async_start(self) -> None:
        """Register the webhook (local network only, POST only)."""
        webhook.async_register(
            self.hass,
            DOMAIN,
            self.entry.title,
            self.webhook_id,
            self._async_handle_webhook,
            local_only=True,
            allowed_methods=["POST"],
        )
        self.entry.async_on_unload(partial(webhook.async_unregister, self.hass, self.webhook_id))

    async def _async_handle_webhook(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Answer at once with the documented JSON; handle the message in the background."""
        self.counters["requests"] += 1
        if request.content_length is not None and request.content_length > JOVISION_MAX_BODY:
            return self._too_large(request.content_length)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._too_large(None)
        if len(body) > JOVISION_MAX_BODY:
            return self._too_large(len(body))
        try:
            message = parse_jovision(body)
        except JovisionError as err:
            self.counters["invalid"] += 1
            LOGGER.debug(
                "Jovision receiver: invalid body from %s (%s, %d bytes): %s",
                request.remote,
                err,
                len(body),
                _preview(body),
            )
            return _json(error_reply())
        reply = reply_for(message)
        if isinstance(message, JovisionUnknown):
            self.counters["unknown_method"] += 1
            LOGGER.debug(
                "Jovision receiver: unknown method %r from %s (fields: %s)",
                message.method,
                request.remote,
                ", ".join(message.keys),
            )
            return _json(reply)
        self.entry.async_create_background_task(
            hass, self._async_process(message), f"{DOMAIN} jovision {message.method}"
        )
        return _json(reply)

    def _too_large(self, size: int | None) -> web.Response:
        self.counters["too_large"] += 1
        LOGGER.debug("Jovision receiver: refused a body of %s bytes", size or "too many")
        return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    async def _async_process(self, message: JovisionMessage) -> None:
        """Route a message to its device, or offer the device for setup."""
        self.async_process(message)

    @callback
    def async_process(self, message: JovisionMessage) -> None:
        """Route a message to its device, or offer the device for setup."""
        key = message.device_key
        if key is None:
            self.counters["no_uuid"] += 1
            LOGGER.debug("Jovision receiver: %s without a UUID ignored", message.method)
            return
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, key)
        known_mac = entry.data.get(CONF_MAC) if entry is not None else None
        known_mac = known_mac or self.first_seen.get(key)
        # Leaving the MAC address out must not get around the binding.
        if known_mac and (message.mac is None or not _same_mac(message.mac, known_mac)):
            self._flag_mismatch(key, known_mac, message.mac)
            return
        self._remember(key, message.mac)
        if entry is None:
            self.counters["unconfirmed"] += 1
            self._async_offer(key, message)
            return
        runtime = getattr(entry, "runtime_data", None)
        if (
            entry.source == SOURCE_IGNORE
            or entry.state is not ConfigEntryState.LOADED
            or not isinstance(runtime, JovisionDevice)
        ):
            self.counters["ignored"] += 1
            return
        runtime.async_handle(message)

    def _remember(self, key: str, mac: str | None) -> None:
        """Keep the first MAC address of a device; mark it as the most recently heard."""
        if self.first_seen.get(key) is None:
            self.first_seen[key] = mac
        self.first_seen.move_to_end(key)
        while len(self.first_seen) > MAX_TRACKED_DEVICES:
            self.first_seen.popitem(last=False)

    def _flag_mismatch(self, key: str, known: str, claimed: str | None) -> None:
        self.counters["identity_mismatch"] += 1
        if key in self._mismatch_logged:
            return
        self._mismatch_logged[key] = None
        while len(self._mismatch_logged) > MAX_TRACKED_DEVICES:
            self._mismatch_logged.popitem(last=False)
        LOGGER.warning(
            "Jovision receiver: a message claims to come from device %s with %s,"
            " but that device was first seen with MAC address %s; ignoring such messages",
            key,
            f"MAC address {claimed}" if claimed else "no MAC address",
            known,
        )

    def _make_room_for_an_offer(self) -> None:
        """Keep at most `MAX_PENDING_DISCOVERIES` - 1 offers: drop the least recently heard."""
        offers = [
            flow
            for flow in self.hass.config_entries.flow.async_progress_by_handler(
                DOMAIN, include_uninitialized=True
            )
            if flow["context"].get("source") == SOURCE_INTEGRATION_DISCOVERY
        ]
        if len(offers) < MAX_PENDING_DISCOVERIES:
            return
        recency = {key: position for position, key in enumerate(self.first_seen)}
        offers.sort(key=lambda flow: recency.get(flow["context"].get("unique_id") or "", -1))
        for flow in offers[: len(offers) - MAX_PENDING_DISCOVERIES + 1]:
            self.hass.config_entries.flow.async_abort(flow["flow_id"])
            self.counters["offers_replaced"] += 1

    @callback
    def _async_offer(self, key: str, message: JovisionMessage) -> None:
        """Start one discovery flow per unknown device."""
        flows = self.hass.config_entries.flow
        if flows.async_progress_by_handler(
            DOMAIN, include_uninitialized=True, match_context={"unique_id": key}
        ):
            return
        self._make_room_for_an_offer()
        discovery_flow.async_create_flow(
            self.hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data={
                CONF_UUID: key,
                CONF_MAC: message.mac,
                CONF_HOST: message.host,
                CONF_MODEL: model_name(message),
                CONF_FIRMWARE: message.soft_version
                if isinstance(message, JovisionKeepalive)
                else None,
                CONF_NAME: message.product_name,
            },
        )
