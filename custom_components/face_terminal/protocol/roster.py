"""Rosters: what a terminal should hold, what it holds, and the difference between them.

Pure functions for the batch roster sync (V1.24 §4.2.1, §4.8-§4.10):

* `custom_ids_from_ack` reads the customId list of a ``QueryPerson-Ack``;
* `fingerprint` condenses what Home Assistant sent for a person (details and photo
  separately, so a changed name does not re-send an unchanged photo, and the name on
  its own, so that a name changed on the terminal can be found: `renamed`);
* `plan_roster` computes which persons to add, update, leave alone or delete;
* `batch_outcomes` turns a batch ack into one outcome per person: an ack with code 200
  only says the command was parsed (Q-24), so a person counts as done only when the
  ack lists them as succeeded and not as failed;
* `BatchTracker` decides, from the answers and the time, what to do while a batch runs:
  wait, send it again (lost, or the terminal busy) or give up; `BusyBackoff` is its
  patience with a busy terminal, also for deletions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from .errors import describe_ack_error, error_meaning, person_error_meaning
from .models import QueryPersonAck, QueryProgressAck

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
    from datetime import datetime

    from .models import Ack, PersonRecord

MAX_CUSTOM_ID_BYTES: Final = 47
NO_ACK_CODE: Final = 0
"""`PersonOutcome.error_code` of a person the batch ack did not mention at all."""
BUSY_CODE: Final = 410
"""A batch command refused because the terminal still runs one (Q-29)."""


class RosterAction(StrEnum):
    """What a sync does with one person."""

    ADD = "add"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DELETE = "delete"


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterPerson:
    """One person a terminal should hold; `photo_digest` None when no photo was given."""

    custom_id: str
    name: str
    person_type: int = 0
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    photo_digest: str | None = None


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What was last sent for a person: digests of the details, the photo and the name.

    `name` is None for fingerprints stored before names were kept (their names are not
    compared until the person is sent again).
    """

    details: str
    photo: str | None
    name: str | None = None


def name_digest(name: str) -> str:
    """A short digest of a name as the terminal keeps it (spaces around it do not count).

    A digest, not the name: the stored fingerprints hold no personal data, and equal
    names are all a comparison needs.
    """
    return hashlib.sha256(name.strip().encode()).hexdigest()[:32]


def fingerprint(person: RosterPerson) -> Fingerprint:
    """Digests of the details the terminal stores and of the name; the photo's as given."""
    details = json.dumps(
        [
            person.name,
            person.person_type,
            None if person.valid_from is None else person.valid_from.isoformat(),
            None if person.valid_until is None else person.valid_until.isoformat(),
        ],
        ensure_ascii=False,
    )
    return Fingerprint(
        hashlib.sha256(details.encode()).hexdigest(), person.photo_digest, name_digest(person.name)
    )


def renamed(records: Iterable[PersonRecord], known: Mapping[str, Fingerprint]) -> list[str]:
    """The customIds among `records` whose name differs from the one last sent.

    Only people Home Assistant sent with a known name digest, and listed with a name,
    are compared: a person the listing leaves out is not taken as renamed.
    """
    found: list[str] = []
    for record in records:
        if record.custom_id is None or record.name is None:
            continue
        last = known.get(record.custom_id)
        if last is not None and last.name is not None and last.name != name_digest(record.name):
            found.append(record.custom_id)
    return found


@dataclass(slots=True)
class RosterPlan:
    """The changes that bring a terminal in line with a roster.

    `send_photo` holds the customIds (of `add` and `update`) whose photo must be sent;
    `photo_missing` the new persons that cannot be added because they have no photo.
    """

    add: list[str] = field(default_factory=list)
    update: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    send_photo: set[str] = field(default_factory=set)
    photo_missing: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        """How many persons the terminal is asked to change."""
        return len(self.add) + len(self.update) + len(self.delete)


def plan_roster(
    desired: Sequence[RosterPerson],
    present: Collection[str],
    known: Mapping[str, Fingerprint],
    *,
    keep: Collection[str] = (),
    delete_missing: bool = False,
) -> RosterPlan:
    """Compare a roster with a terminal's customIds and what was last sent to it.

    A person the terminal holds but for whom nothing is known (enrolled elsewhere) is
    updated, with the photo when one is given, so that the terminal matches the roster.
    A person without a photo keeps the photo the terminal has. `keep` lists customIds
    that are in the roster but not in `desired` (invalid entries): they are never
    deleted. Nothing is deleted unless `delete_missing`.
    """
    plan = RosterPlan()
    present_set = set(present)
    for person in desired:
        custom_id = person.custom_id
        if custom_id not in present_set:
            if person.photo_digest is None:
                plan.photo_missing.append(custom_id)
                continue
            plan.add.append(custom_id)
            plan.send_photo.add(custom_id)
            continue
        wanted = fingerprint(person)
        last = known.get(custom_id)
        photo_changed = person.photo_digest is not None and (
            last is None or last.photo != person.photo_digest
        )
        if last is not None and last.details == wanted.details and not photo_changed:
            plan.unchanged.append(custom_id)
            continue
        plan.update.append(custom_id)
        if photo_changed:
            plan.send_photo.add(custom_id)
    if delete_missing:
        wanted_ids = {person.custom_id for person in desired} | set(keep)
        plan.delete = sorted(present_set - wanted_ids)
    return plan


def custom_ids_from_ack(ack: Ack) -> tuple[list[str], int | None]:
    """The customIds a ``QueryPerson-Ack`` lists (each once), and its ``TotalPersonNum``.

    Any other ack lists nobody.
    """
    if not isinstance(ack, QueryPersonAck):
        return [], None
    return list(ack.custom_ids), ack.total


@dataclass(frozen=True, slots=True)
class PersonOutcome:
    """How one person of a batch fared; `error` is the meaning of `error_code`."""

    ok: bool
    error_code: int | None = None
    error: str | None = None


def batch_outcomes(ack: Ack, sent: Sequence[str]) -> dict[str, PersonOutcome]:
    """One outcome per sent customId from a batch ack (``EditPersonsNew``, ``DeletePersons``).

    A refused command (code other than 200) fails every person with the command's
    meaning. Otherwise a person succeeded only when listed in the success list and not in
    the failure list; a person in neither is reported as unconfirmed (`NO_ACK_CODE`).
    """
    operator = ack.operator
    if not ack.ok:
        meaning = describe_ack_error(ack)
        return {cid: PersonOutcome(False, ack.code, meaning) for cid in sent}
    succeeded = set(getattr(ack, "succeeded", ()))
    failures: dict[str, int | None] = {}
    for failure in getattr(ack, "failed", ()):
        if failure.custom_id is not None:
            failures.setdefault(failure.custom_id, failure.error_code)
    outcomes: dict[str, PersonOutcome] = {}
    for cid in sent:
        if cid in failures:
            code = failures[cid]
            meaning = (
                person_error_meaning(operator, code)
                or error_meaning(operator, code)
                or "unknown error code"
            )
            outcomes[cid] = PersonOutcome(False, code, meaning)
        elif cid in succeeded:
            outcomes[cid] = PersonOutcome(True)
        else:
            outcomes[cid] = PersonOutcome(
                False, NO_ACK_CODE, "the terminal did not report this person as done"
            )
    return outcomes


def failed_outcomes(sent: Sequence[str], error: str) -> dict[str, PersonOutcome]:
    """Every person of a command that got no usable answer, failed for the same reason."""
    return {cid: PersonOutcome(False, None, error) for cid in sent}


# --- while a batch runs -------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchPolicy:
    """How patiently a batch is awaited; the defaults suit real terminals."""

    idle_polls: int = 3
    """Idle answers in a row, after the batch went out, that mean it was lost (§4.8)."""
    failed_polls: int = 5
    """Unanswered progress polls in a row that mean the terminal is gone."""
    resends: int = 1
    """How often a lost batch is sent again."""
    busy_first: float = 2.0
    """Seconds before the first new try after a busy refusal; doubled each time."""
    busy_longest: float = 30.0
    busy_give_up: float = 600.0
    """Seconds of busy refusals after which the last refusal is the answer."""


class BusyBackoff:
    """Pauses before sending a command again that a busy terminal refused (code 410)."""

    def __init__(self, policy: BatchPolicy) -> None:
        """No refusal yet."""
        self._policy = policy
        self._since: float | None = None
        self._pause = policy.busy_first

    def answered(self, ack: Ack, now: float) -> float | None:
        """Seconds to wait before sending again, or None: `ack` is the answer to report."""
        if ack.code != BUSY_CODE:
            return None
        if self._since is None:
            self._since = now
        elif now - self._since >= self._policy.busy_give_up:
            return None
        else:
            self._pause = min(self._pause * 2, self._policy.busy_longest)
        return self._pause


@dataclass(slots=True)
class ProgressPolls:
    """What one sync learnt about a terminal's ``QueryProgress``, over all its batches."""

    supported: bool = True
    """False once the terminal refused it (older firmware): it is not asked again."""
    answered: bool = False
    """Whether it ever answered: only then does its silence count."""


class BatchStep(StrEnum):
    """What to do after a progress poll (`BatchTracker.polled`)."""

    WAIT = "wait"
    """Keep waiting for the batch's answer; poll again later."""
    RESEND = "resend"
    """The terminal lost the batch: send it again."""
    UNCONFIRMED = "unconfirmed"
    """It lost the batch again: give up, nobody in it is confirmed."""
    SILENT = "silent"
    """The terminal stopped answering: give up."""


class BatchTracker:
    """The policy while one batch command runs (V1.24 §4.8, §4.10), without I/O or clock.

    The driver sends the batch, tells `sent` when it left its lane (it may wait behind
    the §4.1 spacing first), asks ``QueryProgress`` while `polls` and hands each answer
    to `polled`, and hands the batch's own answer to `answered`. The rules:

    * A terminal idle `BatchPolicy.idle_polls` times in a row without having answered
      lost the batch: send it again (`BatchPolicy.resends` times), then give up. Only
      polls asked after the batch went out count: before, the terminal is idle because
      it has nothing to do yet.
    * `BatchPolicy.failed_polls` unanswered polls in a row from a terminal that answered
      before mean it is gone. One that never answered may just not know the command;
      one that refused it is not asked again (`ProgressPolls`); both are only awaited.
    * A busy refusal (410) of the batch is followed by a new try after `BusyBackoff`'s
      pause.
    """

    def __init__(self, size: int, polls: ProgressPolls, policy: BatchPolicy) -> None:
        """Track a batch of `size` persons, not sent yet."""
        self.size = size
        self._polls = polls
        self._policy = policy
        self._busy = BusyBackoff(policy)
        self._resent = 0
        self._sent_at: float | None = None
        self._idle = 0
        self._failed = 0
        self.done: int | None = None
        """How many persons of this batch the terminal reported done (None: not said)."""

    @property
    def polls(self) -> bool:
        """Whether to ask the terminal for the batch's progress."""
        return self._polls.supported

    def sent(self, at: float) -> None:
        """The batch left its lane at `at` (only the first report of a send counts)."""
        if self._sent_at is None:
            self._sent_at = at

    def polled(self, answer: Ack | None, *, asked_at: float) -> BatchStep:
        """A ``QueryProgress`` answer (a refusal too; None: none came) asked at `asked_at`."""
        if answer is not None and not answer.ok:
            self._polls.supported = False
            return BatchStep.WAIT
        if not isinstance(answer, QueryProgressAck):  # no answer, or none about progress
            if self._polls.answered:
                self._failed += 1
            if self._failed >= self._policy.failed_polls:
                return BatchStep.SILENT
            return BatchStep.WAIT
        self._polls.answered = True
        self._failed = 0
        if self._sent_at is None or asked_at <= self._sent_at:
            return BatchStep.WAIT  # the terminal's state is not about this batch yet
        if answer.done is not None:
            self.done = min(answer.done, self.size)
        if not answer.finished:
            self._idle = 0
            return BatchStep.WAIT
        self._idle += 1
        if self._idle < self._policy.idle_polls:
            return BatchStep.WAIT
        if self._resent == self._policy.resends:
            return BatchStep.UNCONFIRMED
        self._resent += 1
        self._busy = BusyBackoff(self._policy)
        self._start_again()
        return BatchStep.RESEND

    def answered(self, ack: Ack, now: float) -> float | None:
        """The batch's answer: seconds to wait before sending it again, or None: final."""
        pause = self._busy.answered(ack, now)
        if pause is not None:
            self._start_again()
        return pause

    def _start_again(self) -> None:
        """The next send is a new one: nothing seen so far is about it."""
        self._sent_at = None
        self._idle = self._failed = 0
        self.done = None


def chunked[T](items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size`."""
    if size < 1:
        raise ValueError("size must be at least 1")
    for start in range(0, len(items), size):
        yield items[start : start + size]
