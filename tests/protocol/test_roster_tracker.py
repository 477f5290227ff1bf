"""The batch policy of the roster sync (pure): lost batches, silence, a busy terminal."""

import json

import pytest

from custom_components.face_terminal.protocol import Ack, parse_message
from custom_components.face_terminal.protocol.roster import (
    BatchPolicy,
    BatchStep,
    BatchTracker,
    BusyBackoff,
    ProgressPolls,
    failed_outcomes,
)

ACK_TOPIC = "mqtt/face/1305433/Ack"
POLICY = BatchPolicy()


def answer(operator: str, code: str = "200", **info: object) -> Ack:
    body = {"operator": f"{operator}-Ack", "messageId": "m1", "code": code, "info": info}
    message = parse_message(ACK_TOPIC, json.dumps(body).encode())
    assert isinstance(message, Ack)
    return message


IDLE = answer("QueryProgress", Status="0", QueryType="None")
RUNNING = answer("QueryProgress", Status="3", TotalNum="3", FinishNum="2")
REFUSED = answer("QueryProgress", code="404")
BUSY = answer("EditPersonsNew", code="410")
DONE = answer("EditPersonsNew", AddSucNum="1", AddSucInfo=[{"customId": "a"}])


def tracker(size: int = 3, polls: ProgressPolls | None = None) -> BatchTracker:
    return BatchTracker(size, polls if polls is not None else ProgressPolls(), POLICY)


def poll_from(batch: BatchTracker, reply: Ack | None, start: float, count: int) -> list[BatchStep]:
    """`count` polls asked one second apart from `start`, all answered with `reply`."""
    return [batch.polled(reply, asked_at=start + second) for second in range(count)]


# --- lost batches -------------------------------------------------------------------------------


def test_idle_after_the_send_means_lost_and_the_batch_goes_again_once() -> None:
    batch = tracker()
    batch.sent(10.0)
    assert poll_from(batch, IDLE, 11.0, 3) == [BatchStep.WAIT, BatchStep.WAIT, BatchStep.RESEND]
    batch.sent(20.0)
    assert poll_from(batch, IDLE, 21.0, 3) == [
        BatchStep.WAIT,
        BatchStep.WAIT,
        BatchStep.UNCONFIRMED,
    ]


def test_idle_before_the_send_does_not_count() -> None:
    """A batch queued behind the §4.1 spacing: the terminal is idle, it has nothing yet."""
    batch = tracker()
    assert poll_from(batch, IDLE, 1.0, 5) == [BatchStep.WAIT] * 5
    batch.sent(10.0)
    # A poll asked before the batch went out (answered after) says nothing about it.
    assert batch.polled(IDLE, asked_at=9.5) is BatchStep.WAIT
    assert batch.polled(IDLE, asked_at=10.0) is BatchStep.WAIT
    assert poll_from(batch, IDLE, 11.0, 3) == [BatchStep.WAIT, BatchStep.WAIT, BatchStep.RESEND]


def test_the_batch_sent_again_counts_idle_only_once_it_is_out() -> None:
    """Tracker issue 21 item 6: after a loss, idle polls before the new send do not count."""
    batch = tracker()
    batch.sent(1.0)
    assert poll_from(batch, IDLE, 2.0, 3)[-1] is BatchStep.RESEND
    # The new send waits behind the spacing; the terminal stays idle all the while.
    assert poll_from(batch, IDLE, 5.0, 10) == [BatchStep.WAIT] * 10
    batch.sent(15.0)
    assert poll_from(batch, IDLE, 16.0, 3)[-1] is BatchStep.UNCONFIRMED


def test_only_the_first_report_of_a_send_counts() -> None:
    batch = tracker()
    batch.sent(1.0)
    batch.sent(50.0)  # the driver reports the same send on every poll
    assert poll_from(batch, IDLE, 2.0, 3)[-1] is BatchStep.RESEND


def test_a_running_batch_resets_the_idle_count() -> None:
    batch = tracker()
    batch.sent(0.0)
    replies = [IDLE, IDLE, RUNNING, IDLE, IDLE, IDLE]
    steps = [batch.polled(reply, asked_at=index + 1.0) for index, reply in enumerate(replies)]
    assert steps == [BatchStep.WAIT] * 5 + [BatchStep.RESEND]


def test_done_counts_only_this_batch_and_never_more_than_its_size() -> None:
    batch = tracker(size=1)
    batch.polled(RUNNING, asked_at=1.0)
    assert batch.done is None  # not sent yet: the count is another batch's
    batch.sent(2.0)
    batch.polled(RUNNING, asked_at=3.0)
    assert batch.done == 1  # the terminal said 2 of 3; this batch holds 1


# --- silence and older firmware ------------------------------------------------------------------


def test_silence_counts_only_after_an_answer() -> None:
    polls = ProgressPolls()
    batch = tracker(polls=polls)
    assert poll_from(batch, None, 1.0, 20) == [BatchStep.WAIT] * 20
    assert not polls.answered
    batch.polled(RUNNING, asked_at=30.0)
    assert polls.answered
    steps = poll_from(batch, None, 31.0, POLICY.failed_polls)
    assert steps == [BatchStep.WAIT] * (POLICY.failed_polls - 1) + [BatchStep.SILENT]


def test_an_answer_resets_the_silence() -> None:
    batch = tracker(polls=ProgressPolls(answered=True))
    assert set(poll_from(batch, None, 1.0, POLICY.failed_polls - 1)) == {BatchStep.WAIT}
    batch.polled(RUNNING, asked_at=10.0)
    assert set(poll_from(batch, None, 11.0, POLICY.failed_polls - 1)) == {BatchStep.WAIT}


def test_the_next_batch_of_the_sync_remembers_what_the_terminal_did() -> None:
    polls = ProgressPolls()
    tracker(polls=polls).polled(RUNNING, asked_at=1.0)
    later = tracker(polls=polls)
    assert poll_from(later, None, 2.0, POLICY.failed_polls)[-1] is BatchStep.SILENT


def test_a_refused_poll_stops_the_polls_for_the_sync() -> None:
    polls = ProgressPolls()
    batch = tracker(polls=polls)
    assert batch.polls
    assert batch.polled(REFUSED, asked_at=1.0) is BatchStep.WAIT
    assert not batch.polls
    assert not tracker(polls=polls).polls


def test_an_answer_that_is_no_progress_says_nothing() -> None:
    batch = tracker(polls=ProgressPolls(answered=True))
    other = answer("QueryPerson")
    steps = poll_from(batch, other, 1.0, POLICY.failed_polls)
    assert steps[-1] is BatchStep.SILENT


# --- a busy terminal -----------------------------------------------------------------------------


def test_busy_pauses_double_up_to_the_longest() -> None:
    busy = BusyBackoff(POLICY)
    pauses = [busy.answered(BUSY, float(second)) for second in range(7)]
    assert pauses == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_busy_for_too_long_the_refusal_is_the_answer() -> None:
    busy = BusyBackoff(POLICY)
    assert busy.answered(BUSY, 100.0) == POLICY.busy_first
    assert busy.answered(BUSY, 100.0 + POLICY.busy_give_up - 1) is not None
    assert busy.answered(BUSY, 100.0 + POLICY.busy_give_up) is None


def test_any_other_answer_is_final() -> None:
    busy = BusyBackoff(POLICY)
    assert busy.answered(DONE, 1.0) is None
    assert busy.answered(answer("EditPersonsNew", code="416"), 2.0) is None


def test_a_busy_refusal_starts_the_batch_over() -> None:
    batch = tracker()
    batch.sent(1.0)
    poll_from(batch, IDLE, 2.0, 2)
    assert batch.answered(BUSY, 4.0) == POLICY.busy_first
    # The next send is a new one: the idle polls before it, and those of the
    # refused send, do not count.
    assert poll_from(batch, IDLE, 5.0, 3) == [BatchStep.WAIT] * 3
    batch.sent(8.0)
    assert poll_from(batch, IDLE, 9.0, 3)[-1] is BatchStep.RESEND
    assert batch.answered(DONE, 20.0) is None


def test_a_lost_batch_gets_the_full_patience_again() -> None:
    policy = BatchPolicy(busy_give_up=10.0)
    batch = BatchTracker(3, ProgressPolls(), policy)
    assert batch.answered(BUSY, 0.0) is not None
    batch.sent(9.0)
    assert poll_from(batch, IDLE, 10.0, 3)[-1] is BatchStep.RESEND
    assert batch.answered(BUSY, 13.0) == policy.busy_first  # not given up at 10 s


@pytest.mark.parametrize("resends", [0, 2])
def test_how_often_a_lost_batch_goes_again(resends: int) -> None:
    batch = BatchTracker(3, ProgressPolls(), BatchPolicy(resends=resends))
    steps: list[BatchStep] = []
    for send in range(resends + 1):
        batch.sent(send * 10.0)
        steps.append(poll_from(batch, IDLE, send * 10.0 + 1, 3)[-1])
    assert steps == [BatchStep.RESEND] * resends + [BatchStep.UNCONFIRMED]


def test_failed_outcomes() -> None:
    outcomes = failed_outcomes(["a", "b"], "gone")
    assert list(outcomes) == ["a", "b"]
    assert {(item.ok, item.error_code, item.error) for item in outcomes.values()} == {
        (False, None, "gone")
    }
