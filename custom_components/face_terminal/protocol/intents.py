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

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar

from . import commands, face_tools, settings
from .commands import PUSH_ACK_RECORD, ConfigSection, PersonSpec
from .face_tools import DEFAULT_MIN_SIMILARITY

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

    from .commands import Command


@dataclass(frozen=True, slots=True)
class Intent:
    """A command to send, by what it asks; `TerminalSession.frame` turns it into bytes.

    Each kind names its catalogue builder (`build`); its fields are that builder's
    keyword arguments after the command topic and terminal ID.
    """

    build: ClassVar[Callable[..., Command]]

    def frame(self, command_topic: str, terminal_id: str) -> Command:
        """The command for one terminal (`CommandError` for invalid arguments)."""
        arguments: dict[str, Any] = {item.name: getattr(self, item.name) for item in fields(self)}
        return type(self).build(command_topic, terminal_id, **arguments)


# --- door and screen -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unlock(Intent):
    """Open the door (§8), showing `show_info` on the screen (None: the terminal's own)."""

    build = commands.build_unlock

    show_info: str | None = None


@dataclass(frozen=True, slots=True)
class AnswerAccess(Intent):
    """Answer a door-mode-3 record (§9.3.5): its ``PushAck`` with ``openDoor``."""

    build = commands.build_push_ack

    record_id: str
    open_door: bool
    show_info: str | None = None
    push_ack_type: int = field(default=PUSH_ACK_RECORD, init=False)


@dataclass(frozen=True, slots=True)
class PlayVoice(Intent):
    """Play a built-in (or `custom`, ``_C.wav``) sound file (§14)."""

    build = commands.build_voice_play

    file_name: str
    custom: bool = False


@dataclass(frozen=True, slots=True)
class ListVoices(Intent):
    """The terminal's built-in and custom sound files (``GetAudio``)."""

    build = commands.build_get_audio


@dataclass(frozen=True, slots=True)
class ShowQRCode(Intent):
    """Show a QR code drawn from `text`, or a ready picture, at a screen position."""

    build = commands.build_show_qr_code

    text: str | None = None
    image: bytes | None = field(default=None, repr=False)
    x: int = 10
    y: int = 10
    width: int = 200
    height: int = 200


@dataclass(frozen=True, slots=True)
class HideQRCode(Intent):
    """Remove the QR code from the screen."""

    build = commands.build_hide_qr_code


@dataclass(frozen=True, slots=True)
class SnapScene(Intent):
    """A fresh picture of the terminal's view (``GetSceneSnap``)."""

    build = commands.build_get_scene_snap


@dataclass(frozen=True, slots=True)
class ShowAdvertisement(Intent):
    """Show the JPEG at `url` in advertisement `slot` (``EditAD``, §12.1)."""

    build = settings.build_edit_ad

    slot: int
    url: str
    poll_time: int


@dataclass(frozen=True, slots=True)
class DeleteAdvertisement(Intent):
    """Remove the advertisement in `slot` (``DelAD``, §12.3)."""

    build = settings.build_delete_ad

    slot: int


# --- persons ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnrolPerson(Intent):
    """Add or change one person, a picture inline or by URL (``EditPerson``, §4.1)."""

    build = commands.build_edit_person

    person: PersonSpec


@dataclass(frozen=True, slots=True)
class EnrolPersons(Intent):
    """Add or change a batch of persons, pictures by URL (``EditPersonsNew``, §4.10)."""

    build = commands.build_edit_persons_new

    persons: Sequence[PersonSpec]


@dataclass(frozen=True, slots=True)
class ReadProgress(Intent):
    """Whether a batch enrolment still runs (``QueryProgress``, §4.8)."""

    build = commands.build_query_progress


@dataclass(frozen=True, slots=True)
class DeletePerson(Intent):
    """Delete one person by customId (``DelPerson``)."""

    build = commands.build_del_person

    custom_id: str


@dataclass(frozen=True, slots=True)
class DeletePersons(Intent):
    """Delete up to 200 persons by customId (``DeletePersons``, §4.9)."""

    build = commands.build_delete_persons

    custom_ids: Sequence[str]


@dataclass(frozen=True, slots=True)
class DeleteAllPersons(Intent):
    """Delete every person and their records (``DeleteAllPerson``, §4.5)."""

    build = commands.build_delete_all_persons


@dataclass(frozen=True, slots=True)
class ListPersonIds(Intent):
    """The customIds of every enrolled person (``QueryPerson``, §4.2.1)."""

    build = commands.build_query_person


@dataclass(frozen=True, slots=True)
class SearchPersons(Intent):
    """One page of persons by fuzzy `name` (None: everybody), no pictures (§4.2.3)."""

    build = commands.build_search_person_list

    name: str | None = None
    offset: int = 0
    count: int = 100


# --- face tools (§17-19) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompareFaces(Intent):
    """How alike the faces on two photos are (``GetPictureSimilarity``, §17)."""

    build = face_tools.build_picture_similarity

    first: bytes = field(repr=False)
    second: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class SearchFace(Intent):
    """Who in the library a photo shows (``GetPictureSearch``, §18)."""

    build = face_tools.build_picture_search

    picture: bytes = field(repr=False)
    min_similarity: float = DEFAULT_MIN_SIMILARITY
    max_results: int = 1


@dataclass(frozen=True, slots=True)
class DetectFace(Intent):
    """Whether a photo shows a usable face (``DetectFaceFromPic``, §19)."""

    build = face_tools.build_detect_face

    picture: bytes = field(repr=False)


# --- device and settings -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadVersions(Intent):
    """The firmware version and build time (``Versions``)."""

    build = commands.build_versions


@dataclass(frozen=True, slots=True)
class Reboot(Intent):
    """Restart the terminal (``RebootDevice``, §9.7)."""

    build = commands.build_reboot


@dataclass(frozen=True, slots=True)
class ReadClock(Intent):
    """The terminal's wall-clock time (``GetSysTime``)."""

    build = commands.build_get_sys_time


@dataclass(frozen=True, slots=True)
class SetClock(Intent):
    """Set the terminal's wall clock to `when` (local time without a zone)."""

    build = commands.build_set_sys_time

    when: datetime


@dataclass(frozen=True, slots=True)
class ReadConfig(Intent):
    """One parameter group (``Get…config``, §9)."""

    build = commands.build_get_config

    section: ConfigSection


@dataclass(frozen=True, slots=True)
class WriteConfig(Intent):
    """Change the given parameters of one group and nothing else (``Up…config``, §9)."""

    build = commands.build_set_config

    section: ConfigSection
    values: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class InstallFirmware(Intent):
    """Download and install the firmware file at `url` (``Upgrade``, §7.1)."""

    build = settings.build_upgrade

    url: str
    name: str


@dataclass(frozen=True, slots=True)
class FactoryReset(Intent):
    """Restore `parts` to factory settings (``SetFactoryDefault``, §9.9)."""

    build = settings.build_factory_default

    parts: Sequence[str]


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResendRecords(Intent):
    """Re-send the recognition records of a period (``ManualPushRecords``, §20)."""

    build = commands.build_manual_push_records

    begin: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class ResendSnaps(Intent):
    """Re-send the stranger snapshots of a period (``ManualPushSnaps``, §22)."""

    build = commands.build_manual_push_snaps

    begin: datetime
    end: datetime
