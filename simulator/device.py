"""The simulated device without networking: state, records and message builders.

:class:`Device` owns the face library, the §9 configuration, the device clock,
the record counters and the records waiting for ``PushAck``. The MQTT transport
(:class:`simulator.terminal.Terminal`) asks it for messages to publish and hands
it the commands it receives (through :class:`simulator.commands.CommandProcessor`).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import hashlib
import threading
import time
from typing import Any

from simulator import images
from simulator.config import default_config
from simulator.messages import JsonDict, as_float, as_int, format_event_time
from simulator.profiles import Profile, parse_profile
from simulator.store import DEFAULT_CAPACITY, Person, PersonStore, seed_store

#: Topic kinds: the command-topic suffix for pushes/acks, or a fixed topic name.
KIND_ACK = "Ack"
KIND_REC = "Rec"
KIND_SNAP = "Snap"
KIND_QRCODE = "QRCode"
KIND_CARD = "card"
KIND_IDCARD = "IDcard"
KIND_BASIC = "basic"
KIND_HEARTBEAT = "heartbeat"

REC_OPERATOR = "RecPush"
SNAP_OPERATOR = "StrSnapPush"
#: Records sent later than this after they happened have ``Sendintime`` 0.
REAL_TIME_WINDOW = 10.0
DIRECTIONS = {"0": "entr", "1": "exit", "2": "unknow"}
VERSION_NAME = "v12.5.6L3M1-1.0.6.9 Sim"
VERSION_BUILD = "2019-12-02/10:46:05"
BUILTIN_AUDIO: tuple[str, ...] = (
    "VerifyFail.wav", "VerifySuccess.wav", "sorry.wav", "sorry_en.wav", "unrecorded.wav",
    "welcome.wav", "welcome_en.wav", "tempertureHigh.wav", "NeedHelmet_en.wav",
    "FailVerify.wav", "SnapSucc.wav", "tempertureOkWelcome.wav", "unrecorded_kr.wav",
    "tempertureOkNR.wav", "theDoorOpen_en.wav", "SLGreenWelcome.wav", "sorry_pt.wav",
    "SnapFail.wav", "welcome_kr.wav", "FaceCollection.wav", "welcome_pt.wav",
    "theDoorOpen.wav", "tempertureLow.wav", "tempertureOk.wav", "welcome_rs.wav",
    "NeedRespirator.wav", "verifyfail.wav", "SwipeCard.wav", "sorry_kr.wav", "Snaping.wav",
    "unrecorded_en.wav", "NeedHelmet.wav", "unrecorded_rs.wav", "BrushIDcard.wav",
    "sorry_rs.wav",
)  # fmt: skip


@dataclasses.dataclass(slots=True)
class Outgoing:
    """A message to publish: a topic kind (see ``KIND_*``) and the JSON payload."""

    kind: str
    payload: JsonDict


@dataclasses.dataclass(slots=True)
class RecordEntry:
    """A recognition (``RecPush``) or stranger (``StrSnapPush``) record.

    Attributes:
        operator: ``RecPush`` or ``StrSnapPush``.
        ident: ``RecordID`` or ``SnapID``.
        payload: The message as first built (``Sendintime`` is refreshed per send).
        event_time: Device time of the event.
        created: ``time.monotonic()`` at creation.
        needs_ack: Whether it stays pending until a ``PushAck`` (resume mode).
        upload: Whether it is published at all (upload settings).
        sends: How many times it was published.
        last_sent: ``time.monotonic()`` of the last publication.
    """

    operator: str
    ident: int
    payload: JsonDict
    event_time: dt.datetime
    created: float
    needs_ack: bool
    upload: bool = True
    sends: int = 0
    last_sent: float | None = None

    @property
    def kind(self) -> str:
        """Topic kind: ``Rec`` or ``Snap``."""
        return KIND_REC if self.operator == REC_OPERATOR else KIND_SNAP

    @property
    def ack_type(self) -> int:
        """``PushAckType`` acknowledging this record (2 record, 1 stranger)."""
        return 2 if self.operator == REC_OPERATOR else 1


def _stable_fraction(*parts: object) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


class Device:
    """State of one simulated terminal (thread-safe through :attr:`lock`)."""

    def __init__(
        self,
        terminal_id: str,
        *,
        profile: Profile | str = "terminal",
        name: str = "Face1",
        username: str = "",
        resume: bool = False,
        capacity: int = DEFAULT_CAPACITY,
        picture_kb: float | None = None,
        seed_persons: bool = True,
        record_id_start: int = 1,
        snap_id_start: int = 1,
        custom_audio: tuple[str, ...] = ("Fail_C.wav",),
        max_packet_bytes: int = 1024 * 1024,
        uri_timeout: float = 5.0,
        history_size: int = 500,
    ) -> None:
        """Create the device state.

        Args:
            terminal_id: Device ID (``facesluiceId``).
            profile: Quirk profile or its spec string.
            name: Device name (``facesname`` / ``facesluiceName``).
            username: Cloud user name reported in ``Online``.
            resume: Initial ``ResumefromBreakpoint`` setting.
            capacity: Face library capacity (error 467 beyond).
            picture_kb: Target size of record pictures in KB (``None``: natural).
            seed_persons: Enrol the built-in people.
            record_id_start: First ``RecordID``.
            snap_id_start: First ``SnapID``.
            custom_audio: Customer sound files (``*_C.wav``).
            max_packet_bytes: Commands larger than this get error 460.
            uri_timeout: Timeout for ``picURI`` downloads.
            history_size: Records kept for ``ManualPushRecords``/``ManualPushSnaps``.
        """
        self.terminal_id = terminal_id
        self.profile = parse_profile(profile)
        self.name = name
        self.username = username
        self.picture_kb = picture_kb
        self.custom_audio = tuple(custom_audio)
        self.max_packet_bytes = max_packet_bytes
        self.uri_timeout = uri_timeout
        self.lock = threading.RLock()
        self.store = PersonStore(capacity)
        if seed_persons:
            seed_store(self.store, images.face_jpeg)
        self.config = default_config()
        self.config["mqtt"]["ResumefromBreakpoint"] = "1" if resume else "0"
        self.clock_offset = dt.timedelta()
        self.online_acked = False
        self.unlock_count = 0
        #: Doors opened by a ``PushAck`` (door mode 3): (record ID, its age in seconds,
        #: None when the record was no longer waiting).
        self.remote_openings: list[tuple[int | None, float | None]] = []
        self.show_infos: list[str] = []
        self.played_audio: list[str] = []
        self.qr_display: JsonDict | None = None
        self.ads: dict[int, JsonDict] = {}
        self.batch_busy: str | None = None
        self.batch_progress: tuple[int, int] = (0, 0)  # (persons done, persons) of the batch
        self.reboots = 0
        self._next_record = record_id_start
        self._next_snap = snap_id_start
        self.pending: collections.OrderedDict[tuple[str, int], RecordEntry] = (
            collections.OrderedDict()
        )
        self.history: collections.deque[RecordEntry] = collections.deque(maxlen=history_size)

    # ------------------------------------------------------------------ basics

    def now(self) -> dt.datetime:
        """Device clock: local time plus the offset set by ``SetSysTime``."""
        return dt.datetime.now().replace(microsecond=0) + self.clock_offset

    def set_time(self, moment: dt.datetime) -> None:
        """Set the device clock (``SetSysTime``)."""
        self.clock_offset = moment - dt.datetime.now().replace(microsecond=0)

    @property
    def resume(self) -> bool:
        """Whether resume-from-breakpoint (``PushAck`` required) is on."""
        return self.config["mqtt"].get("ResumefromBreakpoint") == "1"

    @property
    def direction(self) -> str:
        """Record direction: ``entr``, ``exit`` or ``unknow``."""
        return DIRECTIONS.get(self.config["mqtt"].get("Direction", "2"), "unknow")

    def uploads(self, what: str) -> bool:
        """Tell whether ``rec``, ``snap``, ``qr``, ``card`` or ``idcard`` pushes are enabled."""
        mqtt = self.config["mqtt"]
        match what:
            case "rec":
                return mqtt.get("RecordUploadType", "1") != "0"
            case "snap":
                return mqtt.get("StrangerUploadType", "0") == "0"
            case "qr":
                return mqtt.get("QRCode", "1") != "0"
            case "card":
                return mqtt.get("Card", "1") != "0"
            case _:
                return mqtt.get("IDCard", "1") != "0"

    def message(
        self,
        operator: str,
        info: JsonDict,
        *,
        message_id: Any = None,
        code: int | str | None = None,
        extra: JsonDict | None = None,
    ) -> JsonDict:
        """Build a message envelope with this device's profile (see :meth:`Profile.message`)."""
        return self.profile.message(
            operator, info, self.terminal_id, message_id=message_id, code=code, extra=extra
        )

    # ---------------------------------------------------------------- presence

    def online(self, ip: str) -> Outgoing:
        """Build the ``Online`` announcement."""
        info = {
            "username": self.username,
            "time": format_event_time(self.now()),
            "ip": ip,
            "facesname": self.name,
        }
        return Outgoing(KIND_BASIC, self.message("Online", info))

    def offline(self, *, with_time: bool) -> JsonDict:
        """Build ``Offline``: the will has no ``time``, a graceful one has (Q-07)."""
        info = {"time": format_event_time(self.now())} if with_time else {}
        return self.message("Offline", info)

    def heartbeat(self) -> Outgoing:
        """Build a ``HeartBeat``."""
        return Outgoing(
            KIND_HEARTBEAT, self.message("HeartBeat", {"time": format_event_time(self.now())})
        )

    # ----------------------------------------------------------------- records

    def _box(self, ident: int) -> JsonDict:
        left = 180 + (ident * 37) % 120
        top = 260 + (ident * 53) % 200
        right, bottom = left + 260, top + 320
        if self.profile.box == "array":
            return {"targetPosInScene": [left, top, right, bottom]}
        return {"left": str(left), "top": str(top), "right": str(right), "bottom": str(bottom)}

    def _temperature_fields(self, temperature: float | None) -> JsonDict:
        if temperature is None:
            return {}
        high = as_float(self.config["temperature"].get("TemperatureHigh"), 37.3) or 37.3
        return {
            "temperature": self.profile.temperature(temperature),
            "temperatureAlarm": self.profile.num(1 if temperature >= high else 0),
            "temperatureMode": self.profile.num(0),
        }

    def _pictures(self, label: str, faces: tuple[str, ...], ident: int, kind: str) -> JsonDict:
        out: JsonDict = {"pic": images.data_uri(images.face_jpeg(label, self.picture_kb))}
        if self.profile.scene:
            caption = f"{self.terminal_id} {kind} {ident} {format_event_time(self.now())}"
            scene = images.scene_picture(caption, width=960, height=540, faces=faces)
            out["scene"] = images.data_uri(scene)
        return out

    def _register(self, entry: RecordEntry) -> RecordEntry:
        self.history.append(entry)
        if entry.upload:
            self.pending[(entry.operator, entry.ident)] = entry
        return entry

    def recognition(
        self,
        person: Person,
        *,
        similarity: float | None = None,
        temperature: float | None = None,
        verify_status: int | None = None,
        otype: int | None = None,
        direction: str | None = None,
    ) -> RecordEntry:
        """Create a ``RecPush`` record for an enrolled person.

        Args:
            person: Who was recognised.
            similarity: ``similarity1`` (default: a stable 80-99 whole number).
            temperature: Body temperature; adds the temperature fields.
            verify_status: Override ``VerifyStatus`` (default: 1 allowed, 2 block
                list, 22 in ``OpendoorWay`` 3).
            otype: Override ``otype`` (default 1, with the 0x200 flag for temperature).
            direction: Override ``direction``.

        Returns:
            The record (``upload`` is false when uploads are off or in remote-only mode).
        """
        with self.lock:
            ident = self._next_record
            self._next_record += 1
            moment = self.now()
            door_way = self.config["door"].get("OpendoorWay", "2")
            if verify_status is None:
                if person.blacklisted:
                    verify_status = 2
                elif door_way == "3":
                    verify_status = 22
                else:
                    verify_status = 1
            if similarity is None:
                similarity = float(80 + int(_stable_fraction(self.terminal_id, ident) * 20))
            if otype is None:
                otype = 1 | (0x200 if temperature is not None else 0)
            prof = self.profile
            info: JsonDict = {
                "customId": person.custom_id,
                "personId": str(person.person_id),
                "RecordID": prof.num(ident),
                "VerifyStatus": prof.num(verify_status),
                "PersonType": prof.num(person.person_type),
                "similarity1": prof.score(similarity),
            }
            if prof.terminal_fields:
                info["similarity2"] = prof.score(0.0)
            info["Sendintime"] = 1
            if prof.terminal_fields:
                info["direction"] = direction or self.direction
                info["otype"] = str(otype)
            info[prof.name_key] = person.name
            info["facesluiceName"] = self.name
            info["idCard"] = person.id_card or " "
            info["telnum"] = person.telnum or " "
            info.update(self._box(ident))
            info["time"] = format_event_time(moment)
            info["PushType"] = prof.num(0)
            info["isNoMask"] = prof.num(0)
            if prof.terminal_fields:
                info.update(
                    {
                        "OpendoorWay": door_way,
                        "cardNum2": str(person.card_num2),
                        "RFIDCard": person.rfid_card or "0",
                        "szQrCodeData": "",
                        "dwFileIndex": str(ident),
                        "dwFilePos": str(ident * 4096),
                    }
                )
            info.update(self._temperature_fields(temperature))
            if self.config["mqtt"].get("RecordUploadType", "1") == "1":
                info.update(self._pictures(person.name, (person.name,), ident, "rec"))
            upload = self.uploads("rec") and door_way != "1"
            entry = RecordEntry(
                REC_OPERATOR,
                ident,
                self.message(REC_OPERATOR, info),
                moment,
                time.monotonic(),
                needs_ack=self.resume,
                upload=upload,
            )
            return self._register(entry)

    def stranger(
        self,
        *,
        label: str | None = None,
        temperature: float | None = None,
        direction: str | None = None,
    ) -> RecordEntry:
        """Create a ``StrSnapPush`` record.

        Args:
            label: Seed of the stranger's face (default: one of 20 recurring strangers).
            temperature: Body temperature; adds the temperature fields.
            direction: Override ``direction``.

        Returns:
            The record (``upload`` false when ``StrangerUploadType`` is 1).
        """
        with self.lock:
            ident = self._next_snap
            self._next_snap += 1
            moment = self.now()
            label = label or f"Stranger {ident % 20}"
            prof = self.profile
            info: JsonDict = {"SnapID": prof.num(ident), "facesluiceName": self.name}
            if prof.terminal_fields:
                info["direction"] = direction or self.direction
            info["time"] = format_event_time(moment)
            info["isNoMask"] = prof.num(0)
            info["PushType"] = prof.num(0)
            info.update(self._box(ident))
            info.update(self._temperature_fields(temperature))
            info.update(self._pictures(label, (label,), ident, "snap"))
            entry = RecordEntry(
                SNAP_OPERATOR,
                ident,
                self.message(SNAP_OPERATOR, info),
                moment,
                time.monotonic(),
                needs_ack=self.resume,
                upload=self.uploads("snap"),
            )
            return self._register(entry)

    def payload_for_send(self, entry: RecordEntry) -> JsonDict:
        """Return the record's payload with ``Sendintime`` set for a send now."""
        payload = dict(entry.payload)
        info = dict(payload["info"])
        real_time = time.monotonic() - entry.created <= REAL_TIME_WINDOW
        info["Sendintime"] = 1 if real_time else 0
        payload["info"] = info
        return payload

    def due_records(self, resend_interval: float) -> list[RecordEntry]:
        """Records to publish now: never sent, or unacknowledged for ``resend_interval``."""
        now = time.monotonic()
        with self.lock:
            return [
                entry
                for entry in self.pending.values()
                if entry.last_sent is None
                or (entry.needs_ack and now - entry.last_sent >= resend_interval)
            ]

    def mark_sent(self, entry: RecordEntry) -> None:
        """Note a publication; records that need no ack leave the queue."""
        with self.lock:
            entry.sends += 1
            entry.last_sent = time.monotonic()
            if not entry.needs_ack:
                self.pending.pop((entry.operator, entry.ident), None)

    def resend_all_now(self) -> None:
        """After a reconnect, make every pending record due immediately."""
        with self.lock:
            for entry in self.pending.values():
                if entry.needs_ack:
                    entry.last_sent = None

    def acknowledge(self, ack_type: int | None, ident: int | None) -> RecordEntry | None:
        """Apply a ``PushAck``; return the acknowledged record, if it was pending.

        ``PushAckType`` 3 ("generic") or a missing type matches either kind.
        """
        if ident is None:
            return None
        with self.lock:
            for operator, expected in ((REC_OPERATOR, 2), (SNAP_OPERATOR, 1)):
                if ack_type in (expected, 3, None):
                    entry = self.pending.pop((operator, ident), None)
                    if entry is not None:
                        return entry
        return None

    def manual_records(self, operator: str, begin: dt.datetime, end: dt.datetime) -> list[JsonDict]:
        """Copies of past records between ``begin`` and ``end`` marked ``PushType`` 2."""
        out: list[JsonDict] = []
        with self.lock:
            for entry in self.history:
                if entry.operator == operator and begin <= entry.event_time <= end:
                    payload = dict(entry.payload)
                    info = dict(payload["info"])
                    info["PushType"] = self.profile.num(2)
                    info["Sendintime"] = 0
                    payload["info"] = info
                    out.append(payload)
        return out

    # ------------------------------------------------------------ faces walking up

    def match_face(self, label: str, threshold: float = 90.0) -> Person | None:
        """The enrolled person whose registration picture is the face of `label`, if any."""
        face = images.face_jpeg(label, self.picture_kb)
        best: tuple[float, Person] | None = None
        for person in self.store:
            if person.picture is None:
                continue
            score = images.similarity(person.picture, face)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, person)
        return best[1] if best else None

    def admits(self, person: Person) -> bool:
        """Whether a temporary person may pass now (§4.1 ``tempCardType``); uses a passage.

        1: between ``cardValidBegin`` and ``cardValidEnd``; 2: on those days, between
        their times of day; 3: while ``EffectNumber`` passages are left. Permanent
        persons (0) always pass, block-listed ones never.
        """
        if person.blacklisted:
            return False
        now = self.now().replace(microsecond=0)
        match person.temp_card_type:
            case 1 | 2:
                try:
                    begin = dt.datetime.strptime(person.card_valid_begin, "%Y-%m-%d %H:%M:%S")
                    end = dt.datetime.strptime(person.card_valid_end, "%Y-%m-%d %H:%M:%S")
                except ValueError:
                    return False
                if person.temp_card_type == 1:
                    return begin <= now <= end
                return begin.date() <= now.date() <= end.date() and (
                    begin.time() <= now.time() <= end.time()
                )
            case 3:
                if person.effect_number <= 0:
                    return False
                person.effect_number -= 1
                return True
            case _:
                return True

    # ------------------------------------------------------------ other pushes

    def qr_push(self, text: str, *, late: float | None = None) -> Outgoing | None:
        """Build a ``QRCodePush`` (``None`` when QR uploads are off).

        `late`: the scan happened that many seconds ago and is sent only now, as after
        an outage (``Sendintime`` 0); otherwise it is live (``Sendintime`` 1).
        """
        if not self.uploads("qr"):
            return None
        when = self.now() - dt.timedelta(seconds=late or 0.0)
        info = {
            "facesluiceName": self.name,
            "QRCodeInfo": text,
            "time": format_event_time(when),
            "Sendintime": 0 if late is not None else 1,
        }
        return Outgoing(KIND_QRCODE, self.message("QRCodePush", info))

    def card_push(self, number: str) -> Outgoing | None:
        """Build a ``CardPush`` (``None`` when card uploads are off)."""
        if not self.uploads("card"):
            return None
        door = self.config["door"]
        card_mode = as_int(door.get("CardMode"), 0) or 0
        endian = as_int(door.get("Endian"), 0) or 0
        card_info: JsonDict = {
            "CardMode": self.profile.num(card_mode),
            "Endian": self.profile.num(endian),
            "CardNum": str(number),
        }
        info = {
            "facesluiceName": self.name,
            "time": format_event_time(self.now()),
            "CardInfo": card_info,
        }
        return Outgoing(KIND_CARD, self.message("CardPush", info))

    def id_card_push(
        self,
        *,
        name: str = "Li Mou",
        id_number: str = "421126198702054321",
        gender: int = 0,
        nation: int = 1,
        birthday: str = "1987-02-05",
        address: str = "Qichun County, Hubei Province",
    ) -> Outgoing | None:
        """Build an ``IDCardPush`` with a fake identity card (``None`` when off)."""
        if not self.uploads("idcard"):
            return None
        card = {
            "IDCard_Idno": id_number,
            "IDCard_Name": name,
            "IDCard_Gender": gender,
            "IDCard_Nation": nation,
            "IDCard_Birthday": birthday,
            "IDCard_Address": address,
            "IDCard_Idissue": "Public Security Bureau of Qichun County",
            "IDCard_Idperiod": "20090828-20290828",
            "IDCard_photo": images.data_uri(images.id_photo(name)),
        }
        info = {
            "facesluiceName": self.name,
            "time": format_event_time(self.now()),
            "IDCardInfo": card,
        }
        return Outgoing(KIND_IDCARD, self.message("IDCardPush", info))
