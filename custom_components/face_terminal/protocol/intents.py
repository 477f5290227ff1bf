"""What a caller wants a terminal to do, without saying where it goes or how it is framed.

An `Intent` names a command and its arguments only: ``Unlock(show_info="Welcome")``,
``ReadConfig(ConfigSection.DOOR)``, ``EnrolPersons(specs)``. The terminal's
`session.TerminalSession` frames it (`TerminalSession.frame`): it adds its own command
topic and terminal ID, a fresh ``messageId``, and checks the arguments with the
``build_*`` function of the catalogue (`commands`, `face_tools`, `settings`), which
raises `CommandError` for a value the terminal must not get. The session's route table
decides the lane and the deadline of each operator, so an intent carries neither.

This is the sending half of the h11-style contract: callers say *what*, the session
knows *where* and *how*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, override

from .commands import (
    PUSH_ACK_RECORD,
    Command,
    ConfigSection,
    PersonSpec,
    build_del_person,
    build_delete_all_persons,
    build_delete_persons,
    build_edit_person,
    build_edit_persons_new,
    build_get_audio,
    build_get_config,
    build_get_scene_snap,
    build_get_sys_time,
    build_hide_qr_code,
    build_manual_push_records,
    build_manual_push_snaps,
    build_push_ack,
    build_query_person,
    build_query_progress,
    build_reboot,
    build_search_person_list,
    build_set_config,
    build_set_sys_time,
    build_show_qr_code,
    build_unlock,
    build_versions,
    build_voice_play,
)
from .face_tools import (
    DEFAULT_MIN_SIMILARITY,
    build_detect_face,
    build_picture_search,
    build_picture_similarity,
)
from .settings import build_delete_ad, build_edit_ad, build_factory_default, build_upgrade

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime


@dataclass(frozen=True, slots=True)
class Intent:
    """A command to send, by what it asks; `TerminalSession.frame` turns it into bytes."""

    def frame(self, command_topic: str, terminal_id: str) -> Command:
        """The command for one terminal (`CommandError` for invalid arguments)."""
        raise NotImplementedError


# --- door and screen -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unlock(Intent):
    """Open the door (§8), showing `show_info` on the screen (None: the terminal's own)."""

    show_info: str | None = None

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_unlock(command_topic, terminal_id, show_info=self.show_info)


@dataclass(frozen=True, slots=True)
class AnswerAccess(Intent):
    """Answer a door-mode-3 record (§9.3.5): its ``PushAck`` with ``openDoor``."""

    record_id: str
    open_door: bool
    show_info: str | None = None

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_push_ack(
            command_topic,
            terminal_id,
            push_ack_type=PUSH_ACK_RECORD,
            record_id=self.record_id,
            open_door=self.open_door,
            show_info=self.show_info,
        )


@dataclass(frozen=True, slots=True)
class PlayVoice(Intent):
    """Play a built-in (or `custom`, ``_C.wav``) sound file (§14)."""

    file_name: str
    custom: bool = False

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_voice_play(command_topic, terminal_id, self.file_name, self.custom)


@dataclass(frozen=True, slots=True)
class ListVoices(Intent):
    """The terminal's built-in and custom sound files (``GetAudio``)."""

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_get_audio(command_topic, terminal_id)


@dataclass(frozen=True, slots=True)
class ShowQRCode(Intent):
    """Show a QR code drawn from `text`, or a ready picture, at a screen position."""

    text: str | None = None
    image: bytes | None = field(default=None, repr=False)
    x: int = 10
    y: int = 10
    width: int = 200
    height: int = 200

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_show_qr_code(
            command_topic,
            terminal_id,
            text=self.text,
            image=self.image,
            x=self.x,
            y=self.y,
            width=self.width,
            height=self.height,
        )


@dataclass(frozen=True, slots=True)
class HideQRCode(Intent):
    """Remove the QR code from the screen."""

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_hide_qr_code(command_topic, terminal_id)


@dataclass(frozen=True, slots=True)
class SnapScene(Intent):
    """A fresh picture of the terminal's view (``GetSceneSnap``)."""

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_get_scene_snap(command_topic, terminal_id)


@dataclass(frozen=True, slots=True)
class ShowAdvertisement(Intent):
    """Show the JPEG at `url` in advertisement `slot` (``EditAD``, §12.1)."""

    slot: int
    url: str
    poll_time: int

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_edit_ad(
            command_topic, terminal_id, self.slot, self.url, poll_time=self.poll_time
        )


@dataclass(frozen=True, slots=True)
class DeleteAdvertisement(Intent):
    """Remove the advertisement in `slot` (``DelAD``, §12.3)."""

    slot: int

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_delete_ad(command_topic, terminal_id, self.slot)


# --- persons ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnrolPerson(Intent):
    """Add or change one person, a picture inline or by URL (``EditPerson``, §4.1)."""

    person: PersonSpec

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_edit_person(command_topic, terminal_id, person=self.person)


@dataclass(frozen=True, slots=True)
class EnrolPersons(Intent):
    """Add or change a batch of persons, pictures by URL (``EditPersonsNew``, §4.10)."""

    persons: Sequence[PersonSpec]

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_edit_persons_new(command_topic, terminal_id, self.persons)


@dataclass(frozen=True, slots=True)
class ReadProgress(Intent):
    """Whether a batch enrolment still runs (``QueryProgress``, §4.8)."""

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_query_progress(command_topic, terminal_id)


@dataclass(frozen=True, slots=True)
class DeletePerson(Intent):
    """Delete one person by customId (``DelPerson``)."""

    custom_id: str

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_del_person(command_topic, terminal_id, self.custom_id)


@dataclass(frozen=True, slots=True)
class DeletePersons(Intent):
    """Delete up to 200 persons by customId (``DeletePersons``, §4.9)."""

    custom_ids: Sequence[str]

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_delete_persons(command_topic, terminal_id, list(self.custom_ids))


@dataclass(frozen=True, slots=True)
class DeleteAllPersons(Intent):
    """Delete every person and their records (``DeleteAllPerson``, §4.5)."""

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_delete_all_persons(command_topic, terminal_id)


@dataclass(frozen=True, slots=True)
class ListPersonIds(Intent):
    """The customIds of every enrolled person (``QueryPerson``, §4.2.1)."""

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_query_person(command_topic, terminal_id)


@dataclass(frozen=True, slots=True)
class SearchPersons(Intent):
    """One page of persons by fuzzy `name` (None: everybody), no pictures (§4.2.3)."""

    name: str | None = None
    offset: int = 0
    count: int = 100

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_search_person_list(
            command_topic, terminal_id, name=self.name, offset=self.offset, count=self.count
        )


# --- face tools (§17-19) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompareFaces(Intent):
    """How alike the faces on two photos are (``GetPictureSimilarity``, §17)."""

    first: bytes = field(repr=False)
    second: bytes = field(repr=False)

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_picture_similarity(command_topic, terminal_id, self.first, self.second)


@dataclass(frozen=True, slots=True)
class SearchFace(Intent):
    """Who in the library a photo shows (``GetPictureSearch``, §18)."""

    picture: bytes = field(repr=False)
    min_similarity: float = DEFAULT_MIN_SIMILARITY
    max_results: int = 1

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_picture_search(
            command_topic,
            terminal_id,
            self.picture,
            min_similarity=self.min_similarity,
            max_results=self.max_results,
        )


@dataclass(frozen=True, slots=True)
class DetectFace(Intent):
    """Whether a photo shows a usable face (``DetectFaceFromPic``, §19)."""

    picture: bytes = field(repr=False)

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_detect_face(command_topic, terminal_id, self.picture)


# --- device and settings -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadVersions(Intent):
    """The firmware version and build time (``Versions``)."""

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_versions(command_topic, terminal_id)


@dataclass(frozen=True, slots=True)
class Reboot(Intent):
    """Restart the terminal (``RebootDevice``, §9.7)."""

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_reboot(command_topic, terminal_id)


@dataclass(frozen=True, slots=True)
class ReadClock(Intent):
    """The terminal's wall-clock time (``GetSysTime``)."""

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_get_sys_time(command_topic, terminal_id)


@dataclass(frozen=True, slots=True)
class SetClock(Intent):
    """Set the terminal's wall clock to `when` (local time without a zone)."""

    when: datetime

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_set_sys_time(command_topic, terminal_id, when=self.when)


@dataclass(frozen=True, slots=True)
class ReadConfig(Intent):
    """One parameter group (``Get…config``, §9)."""

    section: ConfigSection

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_get_config(command_topic, terminal_id, self.section)


@dataclass(frozen=True, slots=True)
class WriteConfig(Intent):
    """Change the given parameters of one group and nothing else (``Up…config``, §9)."""

    section: ConfigSection
    values: Mapping[str, object]

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_set_config(command_topic, terminal_id, self.section, self.values)


@dataclass(frozen=True, slots=True)
class InstallFirmware(Intent):
    """Download and install the firmware file at `url` (``Upgrade``, §7.1)."""

    url: str
    name: str

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_upgrade(command_topic, terminal_id, self.url, self.name)


@dataclass(frozen=True, slots=True)
class FactoryReset(Intent):
    """Restore `parts` to factory settings (``SetFactoryDefault``, §9.9)."""

    parts: Sequence[str]

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_factory_default(command_topic, terminal_id, self.parts)


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResendRecords(Intent):
    """Re-send the recognition records of a period (``ManualPushRecords``, §20)."""

    start: datetime
    end: datetime

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_manual_push_records(command_topic, terminal_id, self.start, self.end)


@dataclass(frozen=True, slots=True)
class ResendSnaps(Intent):
    """Re-send the stranger snapshots of a period (``ManualPushSnaps``, §22)."""

    start: datetime
    end: datetime

    @override
    def frame(self, command_topic: str, terminal_id: str) -> Command:
        return build_manual_push_snaps(command_topic, terminal_id, self.start, self.end)
