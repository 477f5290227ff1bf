"""Answers to platform commands, written from the vendor document (V1.24).

Every reply goes to ``<command topic>/Ack`` as ``{messageId?, operator: "<op>-Ack",
code, info: {facesluiceId, ..., result, detail?}}``. Following the real-world
captures (Q-24), ``code`` is the string ``"200"`` on success and the appendix
error code (as a string) on failure, except in ``SearchPersonList-Ack`` where it is
an int. ``result`` is ``"ok"``/``"fail"`` and ``detail`` carries the appendix text
on failure. Batch commands answer ``result: "ok"`` even when persons fail; the
per-person outcome is in the success/failure lists.

Two codes are inventions of the simulator (the document defines none):
``"404"`` for an unknown operator and ``"405"`` for a remote ``Unlock`` refused
because ``OpendoorWay`` is 0 (face-only mode).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from simulator import images
from simulator.command_types import Command, CommandError, Handler, Reply
from simulator.config import FACTORY_SECTIONS, VERIFY_MODES, default_config, section_for
from simulator.device import (
    BUILTIN_AUDIO,
    KIND_ACK,
    REC_OPERATOR,
    SNAP_OPERATOR,
    Device,
    Outgoing,
)
from simulator.messages import (
    JsonDict,
    as_float,
    as_int,
    as_text,
    format_command_time,
    lookup,
    parse_time,
)
from simulator.settings import SettingRefusedError, SettingsHandlers, check_values
from simulator.store import Person, StoreFullError

_LOGGER = logging.getLogger(__name__)

UNKNOWN_OPERATOR = "404"
UNLOCK_REFUSED = "405"
MAX_PICTURE_BYTES = 1024 * 1024
MIN_URI_PICTURE_BYTES = 1000
MAX_PIXELS_SIDE = (1920, 1080)  # "picture pixels are limited to 1080p"
BATCH_LIMITS = {
    "AddPersons": 1000,
    "EditPersons": 1000,
    "EditPersonsNew": 1000,
    "DeletePersons": 200,
}
BATCH_STATUS = {"AddPersons": "1", "EditPersons": "2", "EditPersonsNew": "3"}


class FetchError(Exception):
    """A ``picURI`` could not be fetched; ``kind`` is ``resolve`` or ``download``."""

    def __init__(self, kind: str, message: str) -> None:
        """Store the failure kind."""
        super().__init__(message)
        self.kind = kind


def fetch_picture(uri: str, timeout: float) -> bytes:
    """Download a ``picURI`` (http/https only), reading at most 1 MiB + 1 byte.

    Raises:
        FetchError: ``resolve`` when the host cannot be resolved, ``download`` for
            any other failure.
    """
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("resolve", f"unsupported URI {uri!r}")
    try:
        socket.getaddrinfo(parts.hostname, parts.port or 80)
    except (OSError, RuntimeError) as err:
        raise FetchError("resolve", f"cannot resolve {parts.hostname}: {err}") from err
    try:
        with urllib.request.urlopen(uri, timeout=timeout) as response:  # noqa: S310 - scheme checked
            data: bytes = response.read(MAX_PICTURE_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise FetchError("download", f"download of {uri} failed: {err}") from err
    return data


class CommandProcessor:
    """Turn commands into replies against a :class:`Device`."""

    def __init__(self, device: Device, *, batch_person_delay: float = 0.0) -> None:
        """Bind to a device.

        Args:
            device: The state to read and change.
            batch_person_delay: Seconds spent per person in batch commands (to make
                the "busy" window observable).
        """
        self.device = device
        self.batch_person_delay = batch_person_delay
        self._last_faces: tuple[str, ...] = ()
        self._handlers: dict[str, Handler] = {}
        table: dict[str, Handler] = {
            "Online-Ack": self._online_ack,
            "PushAck": self._push_ack,
            "Unlock": self._unlock,
            "GetSceneSnap": self._scene_snap,
            "EditPerson": self._edit_person,
            "DelPerson": self._del_person,
            "SearchPerson": self._search_person,
            "SearchPersonList": self._search_person_list,
            "QueryPerson": self._query_person,
            "DeleteAllPerson": self._delete_all,
            "AddPersons": self._batch_start,
            "EditPersons": self._batch_start,
            "EditPersonsNew": self._batch_start,
            "DeletePersons": self._batch_start,
            "QueryProgress": self._query_progress,
            "RebootDevice": self._reboot,
            "SetFactoryDefault": self._factory_default,
            "GetSysTime": self._get_time,
            "SetSysTime": self._set_time,
            "GetAudio": self._get_audio,
            "voiceplay": self._voice_play,
            "ShowQRCode": self._show_qr,
            "DelAD": self._del_ad,
            "GetPictureSimilarity": self._picture_similarity,
            "GetPictureSearch": self._picture_search,
            "DetectFaceFromPic": self._detect_face,
            "ManualPushRecords": self._manual_push,
            "ManualPushSnaps": self._manual_push,
        }
        table.update(SettingsHandlers(device, self._ok).table())  # Versions, Upgrade, EditAD
        for name, handler in table.items():
            self._handlers[name.casefold()] = handler

    # ------------------------------------------------------------------ basics

    def targets_me(self, message: JsonDict) -> bool:
        """False when the command names another device in ``facesluiceId``."""
        info = message.get("info")
        for container in (info if isinstance(info, dict) else {}, message):
            target = as_text(lookup(container, "facesluiceId"))
            if target is not None:
                return target == self.device.terminal_id
        return True

    def handle(self, command: Command) -> Reply:
        """Answer one command (never raises for bad input)."""
        operator = command.operator
        folded = operator.casefold()
        handler = self._handlers.get(folded)
        if handler is None:
            if folded.endswith("-ack"):
                _LOGGER.debug("%s ignores %s", self.device.terminal_id, operator)
                return Reply()
            section = section_for(operator)
            if section is None:
                return self._fail(command, UNKNOWN_OPERATOR, f"unknown operator {operator!r}")
            handler = self._config_section
        try:
            with self.device.lock:
                return handler(command)
        except CommandError as failure:
            return self._fail(command, failure.code, failure.detail)

    def ack(
        self,
        command: Command,
        info: JsonDict | None = None,
        *,
        ok: bool = True,
        code: str = "200",
        detail: str | None = None,
        int_code: bool = False,
        extra: JsonDict | None = None,
    ) -> Outgoing:
        """Build ``<operator>-Ack`` for a command.

        Args:
            command: The command answered.
            info: Operator-specific ``info`` content.
            ok: ``result`` ``"ok"`` or ``"fail"``.
            code: Result code (``"200"`` on success).
            detail: ``detail`` text; always present on failure.
            int_code: Send ``code`` as an int.
            extra: Further top-level keys.

        Returns:
            The message for the ``Ack`` topic.
        """
        body = dict(info or {})
        body["result"] = "ok" if ok else "fail"
        if detail is not None or not ok:
            body["detail"] = detail or ""
        code_value: int | str = int(code) if int_code else code
        payload = self.device.message(
            f"{command.operator}-Ack",
            body,
            message_id=command.message.get("messageId"),
            code=code_value,
            extra=extra,
        )
        return Outgoing(KIND_ACK, payload)

    def _ok(self, command: Command, info: JsonDict | None = None, **kwargs: Any) -> Reply:
        return Reply([self.ack(command, info, **kwargs)])

    def _fail(self, command: Command, code: str, detail: str, **kwargs: Any) -> Reply:
        return Reply([self.ack(command, ok=False, code=code, detail=detail, **kwargs)])

    @staticmethod
    def _need_info(command: Command) -> JsonDict:
        info = command.info
        if info is None:
            raise CommandError("462", "Parameter error")
        return info

    # ---------------------------------------------------------- presence/acks

    def _online_ack(self, command: Command) -> Reply:
        info = command.info or {}
        result = as_text(lookup(info, "result"))
        if result is not None and result.casefold() == "ok":
            self.device.online_acked = True
        else:
            _LOGGER.warning("%s: Online-Ack without result ok ignored", self.device.terminal_id)
        return Reply()

    def _push_ack(self, command: Command) -> Reply:
        info = command.info or {}
        ack_type = as_int(lookup(info, "PushAckType"))
        ident = as_int(lookup(info, "SnapOrRecordID"))
        entry = self.device.acknowledge(ack_type, ident)
        if entry is None:
            _LOGGER.debug(
                "%s: PushAck for %s/%s matches no pending record",
                self.device.terminal_id,
                ack_type,
                ident,
            )
        if as_int(lookup(info, "openDoor")) == 1:
            # How old the record was when the platform's answer opened the door: a
            # platform must never open for a passage that is long over.
            age = None if entry is None else time.monotonic() - entry.created
            self.device.remote_openings.append((ident, age))
            self._open_door(as_text(lookup(info, "showInfo")))
        body = {
            "PushAckType": str(ack_type if ack_type is not None else ""),
            "SnapOrRecordID": str(ident if ident is not None else ""),
        }
        return self._ok(command, body)

    def _open_door(self, show_info: str | None) -> None:
        self.device.unlock_count += 1
        tip = show_info or self.device.config["sound"].get("VerifyTipContent", "")
        self.device.show_infos.append(tip)

    def _unlock(self, command: Command) -> Reply:
        info = command.info or {}
        open_door = as_int(lookup(info, "openDoor"), 1)
        show_info = as_text(lookup(info, "showInfo"))
        if self.device.config["door"].get("OpendoorWay") == "0":
            raise CommandError(UNLOCK_REFUSED, "remote door opening disabled (OpendoorWay 0)")
        if open_door == 1:
            self._open_door(show_info)
        elif show_info:
            self.device.show_infos.append(show_info)
        body: JsonDict = {}
        uid = lookup(info, "uid")
        if uid is not None:
            body["uid"] = uid
        body["openDoor"] = str(open_door)
        return self._ok(command, body)

    def _scene_snap(self, command: Command) -> Reply:
        img_type = as_int(command.field("ImgType"), 2)
        quality = max(55, min(100, as_int(command.field("ImgQuality"), 55) or 55))
        caption = f"{self.device.terminal_id} {self.device.now():%Y-%m-%d %H:%M:%S}"
        if img_type == 2:
            data = images.scene_picture(caption, quality=quality, faces=self._last_faces)
            uri = images.data_uri(data, "image/jpeg")
        elif img_type == 1:
            data = images.scene_picture(
                caption, width=640, height=360, fmt="BMP", faces=self._last_faces
            )
            uri = images.data_uri(data, "image/bmp")
        else:
            raise CommandError("463", "GetSceneSnap error")
        return self._ok(command, {"ImgType": str(img_type), "ImgData": uri})

    def note_faces(self, names: tuple[str, ...]) -> None:
        """Remember who was last in front of the camera (drawn in scene snaps)."""
        self._last_faces = names

    # --------------------------------------------------------------- pictures

    def _single_picture(self, command: Command) -> bytes | None:
        """Picture of ``EditPerson``: inline ``pic`` or downloaded ``picURI``."""
        pic = command.field("pic")
        uri = as_text(command.field("picURI"))
        if isinstance(pic, str) and pic.strip():
            try:
                data = images.decode_base64_picture(pic)
            except images.PictureError as err:
                raise CommandError("463", "pic base64 data decode err") from err
            if len(data) > MAX_PICTURE_BYTES:
                raise CommandError("460", "Data out of range")
        elif uri:
            try:
                data = fetch_picture(uri, self.device.uri_timeout)
            except FetchError as err:
                if err.kind == "resolve":
                    raise CommandError("470", "get URI server ip error") from err
                raise CommandError("471", "get pic and connect URI IP error") from err
            if len(data) < MIN_URI_PICTURE_BYTES:
                raise CommandError("468", "get URI pic data len too short")
            if len(data) > MAX_PICTURE_BYTES:
                raise CommandError("469", "get URI pic data len too long")
        else:
            return None
        try:
            info = images.inspect_picture(data)
        except images.PictureError as err:
            raise CommandError("464", "Get pic Person Feature err, please change a pic") from err
        if not info.has_face:
            raise CommandError("464", "Get pic Person Feature err, please change a pic")
        if _too_many_pixels(info):
            raise CommandError("469", "get URI pic data len too long")
        return data

    def _check_cards(self, fields: JsonDict, person: Person | None) -> str | None:
        """Return the single-person error code for card conflicts, if any."""
        store = self.device.store
        others = [other for other in store if other is not person]
        rfid = as_text(lookup(fields, "RFIDCard"))
        if rfid and rfid != "0" and any(other.rfid_card == rfid for other in others):
            return "rfid"
        if as_int(lookup(fields, "cardType2")) == 2:
            wiegand = as_int(lookup(fields, "WiegandType"), 1)
            if wiegand in (6, 7) and as_int(lookup(fields, "WGFacilityCode")) is None:
                return "facility"
            card = as_int(lookup(fields, "cardNum2"))
            if card is None:
                return "card"
            if any(other.card_num2 == card for other in others):
                return "card_exists"
        return None

    # ----------------------------------------------------------------- persons

    def _busy_check(self, command: Command) -> None:
        busy = self.device.batch_busy
        if busy is not None:
            raise CommandError("410", f"{busy} is busy")

    def _edit_person(self, command: Command) -> Reply:
        if command.size > self.device.max_packet_bytes:
            raise CommandError("460", "Data out of range")
        info = self._need_info(command)
        self._busy_check(command)
        custom_id = as_text(lookup(info, "customId"))
        if not custom_id:
            raise CommandError("461", "can't find customId")
        store = self.device.store
        person = store.get(custom_id)
        picture = self._single_picture(command)
        if picture is None and person is None:
            raise CommandError("472", "get pic and get URI error")
        conflict = self._check_cards(info, person)
        card_errors = {
            "rfid": ("473", "RFIDCard already exist"),
            "facility": ("474", "Get WGFacilityCode error"),
            "card": ("475", "Get cardNum2 error"),
            "card_exists": ("476", "cardNum2 already exist"),
        }
        if conflict is not None:
            raise CommandError(*card_errors[conflict])
        if person is None:
            try:
                person = store.add(custom_id, as_text(lookup(info, "name")) or "", picture=picture)
            except StoreFullError as err:
                raise CommandError("467", "Person num is full") from err
        elif picture is not None:
            person.picture = picture
        person.apply(info)
        body = {"personId": str(person.person_id), "customId": custom_id}
        return self._ok(command, body, detail="")

    def _del_person(self, command: Command) -> Reply:
        info = self._need_info(command)
        self._busy_check(command)
        custom_id = as_text(lookup(info, "customId"))
        if not custom_id:
            raise CommandError("461", "can't find customId")
        person = self.device.store.delete(custom_id)
        if person is None:
            raise CommandError("464", "can't find customId's person")
        body = {"personId": str(person.person_id), "customId": custom_id}
        return self._ok(command, body, detail="")

    def _search_person(self, command: Command) -> Reply:
        info = self._need_info(command)
        custom_id = as_text(lookup(info, "customId"))
        if not custom_id:
            raise CommandError("463", "Parameter customId error")
        person = self.device.store.get(custom_id)
        if person is None:
            raise CommandError("464", "can't find customId's person")
        body: JsonDict = {
            "personId": str(person.person_id),
            "customId": person.custom_id,
            "Name": person.name,
            "gender": str(person.gender),
            "nation": str(person.nation),
            "idCard": person.id_card or " ",
            "birthday": person.birthday or " ",
            "address": person.address or " ",
            "native": person.native or " ",
            "notes": person.notes or " ",
            "createTime": format_command_time(person.create_time),
            "telnum1": person.telnum or " ",
            "personType": str(person.person_type),
            "tempCardType": str(person.temp_card_type),
            "cardValidBegin": person.card_valid_begin or "0000-00-00 00:00:00",
            "cardValidEnd": person.card_valid_end or "0000-00-00 00:00:00",
            "cardNum2": str(person.card_num2),
            "RFIDCard": person.rfid_card or "0",
        }
        extra: JsonDict | None = None
        if as_int(lookup(info, "Picture"), 0) == 1 and person.picture:
            pic = images.data_uri(person.picture)
            if self.device.profile.pic_in_info:
                body["pic"] = pic
            else:
                extra = {"pic": pic}
        return self._ok(command, body, extra=extra)

    @staticmethod
    def _list_entry(person: Person) -> JsonDict:
        return {
            "LibID": person.person_id,
            "personType": person.person_type,
            "name": person.name,
            "gender": person.gender,
            "nation": person.nation,
            "cardType": person.card_type,
            "idCard": person.id_card,
            "birthday": person.birthday,
            "telnum1": person.telnum or " ",
            "native": person.native or " ",
            "address": person.address or " ",
            "notes": person.notes or " ",
            "cardType2": person.card_type2,
            "cardNum2": person.card_num2,
            "RFIDCard": person.rfid_card or "0",
            "tempCardType": person.temp_card_type,
            "EffectNumber": person.effect_number,
            "customId": person.custom_id or " ",
            "cardValidBegin": person.card_valid_begin or "0000-00-00 00:00:00",
            "cardValidEnd": person.card_valid_end or "0000-00-00 00:00:00",
        }

    def _search_person_list(self, command: Command) -> Reply:
        info = command.info
        if info is None:
            return self._fail(command, "462", "Parameter error", int_code=True)
        person_type = as_int(lookup(info, "personType"), 2)
        gender = as_int(lookup(info, "gender"), 2)
        name = as_text(lookup(info, "name"))
        begin = parse_time(lookup(info, "BeginTime"))
        end = parse_time(lookup(info, "EndTime"))
        if name:  # "search by name: set the start and end time to be empty"
            begin = end = None
        begin_no = max(0, as_int(lookup(info, "BeginNO"), 0) or 0)
        count = max(1, min(2000, as_int(lookup(info, "RequestCount"), 100) or 100))
        matches = [
            person
            for person in self.device.store
            if person_type in (2, None, person.person_type)
            and gender in (2, None, person.gender)
            and (not name or name.casefold() in person.name.casefold())
            and (begin is None or person.create_time >= begin)
            and (end is None or person.create_time <= end)
        ]
        if not matches:
            return self._fail(command, "466", "can not find person", int_code=True)
        page = matches[begin_no : begin_no + count]
        body = {
            "TotalPersonNum": len(matches),
            "PersonNum": len(page),
            "List": [self._list_entry(person) for person in page],
        }
        return self._ok(command, body, int_code=True)

    def _query_person(self, command: Command) -> Reply:
        store = self.device.store
        ids = store.custom_ids()
        body = {
            "TotalPersonNum": str(len(store)),
            "QueryPersonNum": str(len(ids)),
            "customId": ",".join(ids),
        }
        return self._ok(command, body)

    def _delete_all(self, command: Command) -> Reply:
        info = self._need_info(command)
        self._busy_check(command)
        if as_int(lookup(info, "deleteall")) != 1:
            raise CommandError("463", "Parameter deleteall error")
        self.device.store.clear()
        self.device.history.clear()
        self.device.pending.clear()
        reply = self._ok(command)
        reply.reboot = True  # "the face recognition system will restart automatically"
        return reply

    # ------------------------------------------------------------------ batch

    def _batch_start(self, command: Command) -> Reply:
        operator = _canonical(command.operator, BATCH_LIMITS)
        if self.device.batch_busy is not None:
            raise CommandError("410", f"{self.device.batch_busy} is busy")
        message = command.message
        if as_text(lookup(message, "DataBegin")) != "BeginFlag":
            raise CommandError("412", "can not find DataBegin")
        if as_text(lookup(message, "DataEnd")) != "EndFlag":
            raise CommandError("413", "can not find DataEnd")
        items = _batch_items(operator, message.get("info"))
        if items is None:
            detail = "can not find customId" if operator == "DeletePersons" else "can not find data"
            raise CommandError("418", detail)
        number = as_int(lookup(message, "PersonNum"))
        if number is None:
            raise CommandError("415", "can not find PersonNum")
        if not 1 <= number <= BATCH_LIMITS[operator]:
            raise CommandError("416", "PersonNum out of range")
        if number != len(items):
            raise CommandError("417", "json of person's data is not equal PersonNum")
        self.device.batch_busy = operator
        self.device.batch_progress = (0, number)
        return Reply(batch=command)

    def run_batch(self, command: Command) -> Reply:
        """Execute a batch accepted by :meth:`handle` (called on the batch thread)."""
        operator = _canonical(command.operator, BATCH_LIMITS)
        items = _batch_items(operator, command.message.get("info")) or []
        succeeded: list[JsonDict] = []
        failed: list[JsonDict] = []
        try:
            for done, item in enumerate(items):
                self.device.batch_progress = (done, len(items))
                if self.batch_person_delay:
                    time.sleep(self.batch_person_delay)
                if operator == "DeletePersons":
                    custom_id = as_text(item.get("customId")) or ""
                    with self.device.lock:
                        gone = self.device.store.delete(custom_id) if custom_id else None
                    (succeeded if gone else failed).append({"customId": custom_id})
                    continue
                custom_id = as_text(lookup(item, "customId")) or ""
                with self.device.lock:
                    errcode = self._batch_person(operator, item, custom_id)
                if errcode is None:
                    succeeded.append({"customId": custom_id})
                else:
                    failed.append({"customId": custom_id, "errcode": errcode})
        finally:
            with self.device.lock:
                self.device.batch_busy = None
        prefix = "Del" if operator == "DeletePersons" else "Add"
        body = {
            f"{prefix}ErrNum": str(len(failed)),
            f"{prefix}SucNum": str(len(succeeded)),
            f"{prefix}ErrInfo": failed,
            f"{prefix}SucInfo": succeeded,
        }
        return self._ok(command, body)

    def _batch_person(self, operator: str, item: JsonDict, custom_id: str) -> str | None:
        """Add/modify one person of a batch; return its errcode or ``None``."""
        store = self.device.store
        person = store.get(custom_id) if custom_id else None
        match operator:
            case "AddPersons":
                if not custom_id:
                    return "470"
                if person is not None:
                    return "461"
            case "EditPersons":
                if not custom_id:
                    return "461"
                if person is None:
                    return "462"
            case _:
                if not custom_id:
                    return "461"
        uri = as_text(lookup(item, "picURI"))
        picture: bytes | None = None
        if uri:
            try:
                picture = self._batch_picture(uri, item)
            except CommandError as failure:
                return failure.code
        elif person is None:
            return "463" if operator == "AddPersons" else "481"
        card_codes = {
            "AddPersons": {"rfid": "462", "facility": "476", "card": "477", "card_exists": "475"},
            "EditPersons": {"rfid": "479", "facility": "476", "card": "477", "card_exists": "479"},
            "EditPersonsNew": {
                "rfid": "480",
                "facility": "476",
                "card": "477",
                "card_exists": "475",
            },
        }[operator]
        conflict = self._check_cards(item, person)
        if conflict is not None:
            return card_codes[conflict]
        if person is None:
            try:
                person = store.add(custom_id, as_text(lookup(item, "name")) or "", picture=picture)
            except StoreFullError:
                return "469"
        elif picture is not None:
            person.picture = picture
        person.apply(item)
        return None

    def _batch_picture(self, uri: str, item: JsonDict) -> bytes:
        try:
            data = fetch_picture(uri, self.device.uri_timeout)
        except FetchError as err:
            raise CommandError("464" if err.kind == "resolve" else "465", str(err)) from err
        if len(data) < MIN_URI_PICTURE_BYTES:
            raise CommandError("466", "URI picture content")
        if len(data) > MAX_PICTURE_BYTES:
            raise CommandError("467", "picture too large")
        try:
            info = images.inspect_picture(data)
        except images.PictureError as err:
            raise CommandError("468", "face feature extraction failed") from err
        if not info.has_face:
            raise CommandError("468", "face feature extraction failed")
        if _too_many_pixels(info):
            raise CommandError("467", "picture too large")
        if as_int(lookup(item, "isCheckSimilarity")) == 1:
            threshold = as_float(self.device.config["door"].get("FaceThreshold"), 90.0) or 90.0
            custom_id = as_text(lookup(item, "customId"))
            for other in self.device.store:
                if (
                    other.custom_id != custom_id
                    and other.picture
                    and images.similarity(other.picture, data) >= threshold
                ):
                    raise CommandError("478", "similar face exists")
        return data

    def _query_progress(self, command: Command) -> Reply:
        busy = self.device.batch_busy
        body = {"QueryType": busy or "None", "Status": BATCH_STATUS.get(busy or "", "0")}
        if busy is not None:
            # Not in V1.24's table: counts as some firmware adds them (the integration
            # reads them when present and shows them as progress).
            done, total = self.device.batch_progress
            body.update(TotalNum=str(total), FinishNum=str(done))
        return self._ok(command, body)

    # ----------------------------------------------------------------- system

    def _reboot(self, command: Command) -> Reply:
        reply = self._ok(command)
        reply.reboot = True
        return reply

    def _factory_default(self, command: Command) -> Reply:
        info = self._need_info(command)
        device = self.device
        reboot = False
        defaults = default_config()
        for flag, sections in FACTORY_SECTIONS.items():
            if as_int(lookup(info, flag)) == 1:
                for section in sections:
                    device.config[section] = dict(defaults[section])
        if as_int(lookup(info, "DefaltPerson")) == 1:
            device.store.clear()
            device.history.clear()
            reboot = True
        if any(as_int(lookup(info, flag)) == 1 for flag in ("DefaltRecord", "DefaltCapture")):
            device.history.clear()
            device.pending.clear()
            reboot = True
        if as_int(lookup(info, "DefaltNetPar")) == 1:
            reboot = True
        reply = self._ok(command, {"reboot": "1" if reboot else "0"})
        reply.reboot = reboot
        return reply

    def _get_time(self, command: Command) -> Reply:
        padded = self.device.profile.padded_sys_time
        return self._ok(command, {"SysTime": format_command_time(self.device.now(), padded=padded)})

    def _set_time(self, command: Command) -> Reply:
        info = self._need_info(command)
        moment = parse_time(lookup(info, "SysTime"))
        if moment is None:
            raise CommandError("463", "Can't find SysTime")
        self.device.set_time(moment)
        return self._ok(command)

    def _config_section(self, command: Command) -> Reply:
        found = section_for(command.operator)
        assert found is not None
        section, is_update = found
        config = self.device.config[section]
        if not is_update:
            return self._ok(command, dict(config))
        info = self._need_info(command)
        changes: dict[str, str] = {}
        canonical = {key.casefold(): key for key in config}
        for key, value in info.items():
            name = canonical.get(key.casefold())
            if name is not None and value is not None:
                changes[name] = value if isinstance(value, str) else str(value)
        try:
            check_values(section, changes)
        except SettingRefusedError as refused:
            raise CommandError(refused.code, refused.detail) from refused
        self._validate(section, {**config, **changes}, changes)
        reboot = (
            section == "system"
            and changes.get("Language", config["Language"]) != config["Language"]
        )
        if section == "mqtt" and changes.get("ResumefromBreakpoint") == "1":
            changes.setdefault("BeginTime", format_command_time(self.device.now()))
        config.update(changes)
        body = {"reboot": "1" if reboot else "0"} if section == "system" else {}
        reply = self._ok(command, body)
        reply.reboot = reboot
        return reply

    @staticmethod
    def _validate(section: str, merged: dict[str, str], changes: dict[str, str]) -> None:
        if section == "door" and "VerifyMode" in changes:
            mode = as_int(changes["VerifyMode"])
            if mode is None or (mode & 0xFF) not in VERIFY_MODES:
                raise CommandError("463", "VerifyMode error")
        if section == "http":
            if "ServerAddr" in changes and not _valid_host(changes["ServerAddr"]):
                raise CommandError("463", "ServerAddr error")
            port = as_int(changes.get("ServerPort", merged["ServerPort"]))
            if port is None or not 0 < port < 65536:
                raise CommandError("464", "ServerPort error")
        if (
            section == "mqtt"
            and merged.get("ResumefromBreakpoint") == "1"
            and merged.get("StrangerUploadType") == "1"
            and merged.get("RecordUploadType") == "0"
        ):
            raise CommandError("463", "ResumefromBreakpoint need Topic Snap or Verify")

    # ------------------------------------------------------- audio, QR, ads

    def _get_audio(self, command: Command) -> Reply:
        custom = list(self.device.custom_audio)
        body = {
            "AudioNum": str(len(BUILTIN_AUDIO)),
            "AudioName": list(BUILTIN_AUDIO),
            "AudioCustomerNum": str(len(custom)),
            "AudioCustomerName": custom,
        }
        return self._ok(command, body)

    def _voice_play(self, command: Command) -> Reply:
        info = self._need_info(command)
        voice = as_text(lookup(info, "voicetype"))
        if not voice:
            raise CommandError("463", "can't find voicetype param")
        user_type = as_int(lookup(info, "UsrType"), 1)
        available = self.device.custom_audio if user_type == 2 else BUILTIN_AUDIO
        if voice not in available:
            raise CommandError("464", "can't find VoiceFileName")
        self.device.played_audio.append(voice)
        return self._ok(command)

    def _show_qr(self, command: Command) -> Reply:
        info = self._need_info(command)
        if as_int(lookup(info, "ShowStatus")) == 0:
            self.device.qr_display = None
            return self._ok(command)
        image_type = as_int(lookup(info, "ImageType"), 1) or 1
        data = as_text(lookup(info, "QRCodeData"))
        if not data:
            raise CommandError("463", "can't find QRCodeData Param")
        display: JsonDict = {
            "ImageType": image_type,
            "AbsX": as_int(lookup(info, "AbsX"), 10),
            "AbsY": as_int(lookup(info, "AbsY"), 10),
            "ImageW": as_int(lookup(info, "ImageW"), 200),
            "ImageH": as_int(lookup(info, "ImageH"), 200),
        }
        if image_type == 1:
            display["text"] = data
        else:
            try:
                display["image_bytes"] = len(images.decode_base64_picture(data))
            except images.PictureError as err:
                raise CommandError("463", "can't find QRCodeData Param") from err
        self.device.qr_display = display
        return self._ok(command)

    def _del_ad(self, command: Command) -> Reply:
        info = command.info
        if info is None:
            raise CommandError("461", "Parameter error")
        slot = as_int(lookup(info, "adslot"))
        if slot is None:
            raise CommandError("462", "Can't find adslot")
        if not 0 <= slot <= 4:
            raise CommandError("463", "adslot out of range")
        self.device.ads.pop(slot, None)
        return self._ok(command, {"adid": lookup(info, "adid") or ""})

    # ----------------------------------------------------- picture services

    def _face_from(
        self, command: Command, key: str, missing: tuple[str, str], codes: tuple[str, str]
    ) -> bytes:
        value = command.field(key)
        if not isinstance(value, str) or not value.strip():
            raise CommandError(*missing)
        try:
            data = images.decode_base64_picture(value)
        except images.PictureError as err:
            raise CommandError(codes[0], f"base64_decode {key} error") from err
        try:
            face = images.inspect_picture(data).has_face
        except images.PictureError:
            face = False
        if not face:
            raise CommandError(codes[1], f"GetPersonFeature {key} error")
        return data

    def _picture_similarity(self, command: Command) -> Reply:
        self._need_info(command)
        first = self._face_from(command, "picinfo1", ("464", "Unknow pic1info"), ("466", "467"))
        second = self._face_from(command, "picinfo2", ("465", "Unknow pic2info"), ("468", "469"))
        score = images.similarity(first, second)
        return self._ok(command, {"Similarity": f"{score:.1f}"})

    def _picture_search(self, command: Command) -> Reply:
        self._need_info(command)
        threshold = as_float(command.field("MaxSimilarity"))
        if threshold is None:
            raise CommandError("463", "Unkonw MaxSimilarity")
        max_num = as_int(command.field("MaxNum"))
        if max_num is None:
            raise CommandError("464", "Unkonw MaxNum")
        picture = self._face_from(command, "picinfo", ("465", "Unkonw picinfo"), ("468", "467"))
        scored = [
            (images.similarity(person.picture, picture), person)
            for person in self.device.store
            if person.picture
        ]
        hits = sorted(
            ((score, person) for score, person in scored if score >= threshold),
            key=lambda hit: -hit[0],
        )[: max(1, min(20, max_num))]
        if not hits:
            raise CommandError("466", "No Meet Conditions Person")
        found = []
        for score, person in hits:
            entry = {key: str(value) for key, value in self._list_entry(person).items()}
            entry["Similarity"] = f"{score:.1f}"
            entry["Time"] = f"{person.create_time:%Y-%m-%d/%H:%M:%S}"
            found.append(entry)
        return self._ok(command, {"TotalNum": len(found), "SearchInfo": found})

    def _detect_face(self, command: Command) -> Reply:
        self._need_info(command)
        value = command.field("picinfo")
        if not isinstance(value, str) or not value.strip():
            raise CommandError("464", "Unknow picinfo")
        try:
            data = images.decode_base64_picture(value)
        except images.PictureError as err:
            raise CommandError("465", "base64_decode picinfo error") from err
        try:
            face = images.inspect_picture(data).has_face
        except images.PictureError:
            face = False
        return self._ok(command, {"DetectFace": "1" if face else "0"})

    # ---------------------------------------------------------- manual pushes

    def _manual_push(self, command: Command) -> Reply:
        info = self._need_info(command)
        records = command.operator.casefold() == "manualpushrecords"
        begin = parse_time(lookup(info, "TimeS"))
        if begin is None:
            raise CommandError("464", "Unknow TimeS")
        end = parse_time(lookup(info, "TimeE"))
        if end is None:
            raise CommandError("465", "Unknow TimeE")
        if records and not self.device.uploads("rec"):
            raise CommandError("467", "Unknow RecordUploadType")
        if not records and not self.device.uploads("snap"):
            raise CommandError("467", "Unknow StrangerUploadType")
        operator = REC_OPERATOR if records else SNAP_OPERATOR
        payloads = self.device.manual_records(operator, begin, end)
        if not payloads:
            what = "record" if records else "snap"
            raise CommandError("466", f"Can't Find any {what} issue, please check TimeS and TimeE")
        reply = self._ok(command, {"RecordNum": str(len(payloads))})
        kind = "Rec" if records else "Snap"
        reply.messages.extend(Outgoing(kind, payload) for payload in payloads)
        return reply


def _canonical(operator: str, names: dict[str, int]) -> str:
    folded = operator.casefold()
    for name in names:
        if name.casefold() == folded:
            return name
    return operator


def _batch_items(operator: str, info: Any) -> list[JsonDict] | None:
    """Normalise a batch's ``info`` to a list of person objects."""
    if operator == "DeletePersons":
        ids: Any = lookup(info, "customId") if isinstance(info, dict) else info
        if isinstance(ids, str):
            ids = [ids]
        if not isinstance(ids, list):
            return None
        out: list[JsonDict] = []
        for item in ids:
            if isinstance(item, dict):
                out.append({"customId": lookup(item, "customId")})
            else:
                out.append({"customId": item})
        return out
    if isinstance(info, dict):
        info = [info]
    if not isinstance(info, list):
        return None
    return [item if isinstance(item, dict) else {} for item in info]


def _too_many_pixels(info: images.PictureInfo) -> bool:
    long_side, short_side = max(info.width, info.height), min(info.width, info.height)
    return long_side > MAX_PIXELS_SIDE[0] or short_side > MAX_PIXELS_SIDE[1]


def _valid_host(value: str) -> bool:
    text = value.strip()
    if not text:
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return all(part.isalnum() or "-" in part for part in text.split(".")) and " " not in text
    return True
