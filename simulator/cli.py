"""Command line: ``python -m simulator --broker HOST:PORT --terminals N ...``.

Starts N terminals with IDs ``id-base``, ``id-base + 1`` ..., runs the scripted
events (``--event`` and ``--scenario``), then keeps the terminals online
(answering commands, optionally producing random arrivals with ``--arrivals``)
until Ctrl-C, SIGTERM or ``--duration`` seconds. Logs every message sent and
received, with pictures replaced by ``<picture N chars>``.

With ``--jovision URL`` it also runs ``--jovision-devices`` simulated Jovision devices
(HTTP push, see `simulator.jovision`) that post heartbeats and, with ``--arrivals``,
face matches to that URL; ``--terminals 0`` runs Jovision devices only.
"""

from __future__ import annotations

import argparse
import functools
import logging
import random
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.jovision import JovisionConfigError, JovisionDevice
from simulator.profiles import PROFILE_NAMES, parse_profile
from simulator.scenario import Event, parse_event, parse_scenario, run_event
from simulator.store import DEFAULT_CAPACITY, SEED_PERSONS
from simulator.terminal import Terminal

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType

_LOGGER = logging.getLogger("simulator")

EPILOG = f"""\
profiles: {", ".join(PROFILE_NAMES)} - one base (terminal, camera) plus modifiers,
  joined with + or , (e.g. camera+pretty, terminal,toplevel)
events (--event, repeatable; scenario files hold one per line, plus "sleep N"):
  person NAME|CUSTOMID [at ID]   stranger [at ID]      qr TEXT [at ID]
  card NUMBER [at ID]            idcard [NAME] [at ID] sleep SECONDS
  kill|stop|start|reboot [at ID]
built-in people: {", ".join(seed.name for seed in SEED_PERSONS)}
"""


def _broker(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host:
        return value, 1883
    try:
        return host, int(port)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"bad broker address {value!r}") from err


def _profile(value: str) -> str:
    try:
        return parse_profile(value).name
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _event(value: str) -> Event:
    try:
        event = parse_event(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err
    if event is None:
        raise argparse.ArgumentTypeError("empty event")
    return event


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m simulator``."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Simulate face-recognition access-control terminals on MQTT.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add(
        "--broker",
        type=_broker,
        default=("127.0.0.1", 1883),
        metavar="HOST:PORT",
        help="MQTT broker (default 127.0.0.1:1883)",
    )
    add("--terminals", type=int, default=1, metavar="N", help="number of terminals (default 1)")
    add(
        "--id-base",
        type=int,
        default=1305433,
        metavar="ID",
        help="ID of the first terminal; the others count up (default 1305433)",
    )
    add(
        "--profile",
        type=_profile,
        default="terminal",
        metavar="NAME",
        help="quirk profile (default terminal)",
    )
    add(
        "--heartbeat",
        type=float,
        default=60.0,
        metavar="S",
        help="HeartBeat interval in seconds (default 60)",
    )
    add(
        "--online-repeat",
        type=float,
        default=60.0,
        metavar="S",
        help="Online repeat interval until Online-Ack (default 60)",
    )
    add(
        "--resume",
        action="store_true",
        help="resume-from-breakpoint: re-send records until PushAck",
    )
    add(
        "--resend",
        type=float,
        default=10.0,
        metavar="S",
        help="re-send interval of unacknowledged records (default 10)",
    )
    add(
        "--arrivals",
        type=float,
        metavar="S",
        help="a random known/unknown person arrives every S seconds at a random terminal",
    )
    add(
        "--stranger-ratio",
        type=float,
        default=0.3,
        metavar="P",
        help="share of strangers among random arrivals (default 0.3)",
    )
    add(
        "--event",
        type=_event,
        action="append",
        default=[],
        metavar="TEXT",
        help='scripted event, e.g. "person Alice at 1305433" (repeatable)',
    )
    add("--scenario", type=Path, metavar="FILE", help="file with one event per line")
    add("--picture-kb", type=float, metavar="N", help="size of record pictures in KB")
    add("--username", help="MQTT user name")
    add("--password", help="MQTT password")
    add(
        "--topic-prefix",
        default="mqtt/face",
        metavar="PREFIX",
        help="topic prefix (default mqtt/face)",
    )
    add(
        "--capacity",
        type=int,
        default=DEFAULT_CAPACITY,
        metavar="N",
        help=f"face library capacity (default {DEFAULT_CAPACITY})",
    )
    add("--no-seed-persons", action="store_true", help="start with an empty face library")
    add(
        "--no-answer",
        action="append",
        default=[],
        metavar="OPERATOR",
        help="receive OPERATOR (e.g. EditPerson) but never answer it; repeatable",
    )
    add(
        "--jovision",
        metavar="URL",
        help="also run Jovision devices posting to this http:// address (e.g. a webhook)",
    )
    add(
        "--jovision-heartbeat-url",
        metavar="URL",
        help="heartbeat address of the Jovision devices (default: --jovision)",
    )
    add(
        "--jovision-devices",
        type=int,
        default=1,
        metavar="N",
        help="number of Jovision devices with --jovision (default 1)",
    )
    add(
        "--jovision-uuid",
        default="JVSIM7A3F00C1E5",
        metavar="PREFIX",
        help="UUID prefix of the Jovision devices; they get -1, -2 ... (default JVSIM7A3F00C1E5)",
    )
    add(
        "--jovision-heartbeat",
        type=float,
        default=30.0,
        metavar="S",
        help="keepalive interval of the Jovision devices in seconds (default 30)",
    )
    add(
        "--jovision-captures",
        action="store_true",
        help="Jovision devices also post a capture push for a face nobody matched"
        " (--stranger-ratio of their arrivals, now and then too warm); the vendor marks"
        " captures temporarily unused",
    )
    add("--duration", type=float, metavar="S", help="stop after S seconds (default: Ctrl-C)")
    add("--seed", type=int, help="random seed for --arrivals")
    add(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (default INFO)",
    )
    return parser  # fmt: skip


def make_terminals(args: argparse.Namespace) -> list[Terminal]:
    """Create (unstarted) terminals from parsed arguments."""
    host, port = args.broker
    record_start = int(time.time()) % 1_000_000 * 10  # survive simulator restarts
    return [
        Terminal(
            str(args.id_base + index),
            host,
            port,
            profile=args.profile,
            heartbeat=args.heartbeat if args.heartbeat > 0 else None,
            online_repeat=args.online_repeat,
            resume=args.resume,
            resend_interval=args.resend,
            topic_prefix=args.topic_prefix,
            picture_kb=args.picture_kb,
            name=f"Face{index + 1}",
            username=args.username,
            password=args.password,
            capacity=args.capacity,
            seed_persons=not args.no_seed_persons,
            record_id_start=record_start,
            snap_id_start=record_start,
            unanswered=args.no_answer,
        )
        for index in range(args.terminals)
    ]


def make_jovision_devices(args: argparse.Namespace) -> list[JovisionDevice]:
    """Create (unstarted) Jovision devices from parsed arguments (none without --jovision)."""
    if not args.jovision:
        return []
    return [
        JovisionDevice(
            f"{args.jovision_uuid}-{index + 1}",
            args.jovision,
            heartbeat_url=args.jovision_heartbeat_url,
            heartbeat=args.jovision_heartbeat if args.jovision_heartbeat > 0 else None,
            product_name=f"Jovision {index + 1}",
            picture_kb=args.picture_kb,
            captures=args.jovision_captures,
        )
        for index in range(args.jovision_devices)
    ]


def _jovision_arrival(device: JovisionDevice, rng: random.Random, ratio: float) -> None:
    """Someone walks up to a Jovision device: a library match, or a capture.

    With captures on, a share of `ratio` are faces nobody matched (capture pushes);
    without, a device only reports matches.
    """
    if device.captures and rng.random() < ratio:
        temperature = round(rng.uniform(36.0, 38.0), 1) if rng.random() < 0.5 else None
        device.push_capture(
            age=rng.randint(18, 70), gender=rng.choice((1, 2)), temperature=temperature
        )
        return
    seed = rng.choice(SEED_PERSONS)
    if seed.person_type == 1 or rng.random() < ratio / 3:
        list_type = "blacklist"
    else:
        list_type = "vip" if rng.random() < 0.15 else "whitelist"
    device.push_match(
        seed.name,
        list_type=list_type,
        match_score=round(rng.uniform(0.82, 0.99), 3),
        age=rng.randint(20, 65),
        gender=2 if seed.gender == 1 else 1,  # MQTT: 1 female; Jovision: 2 female
        mask=int(rng.random() < 0.2),
    )


def _random_arrival(
    terminals: Sequence[Terminal],
    rng: random.Random,
    ratio: float,
    jovision: Sequence[JovisionDevice] = (),
) -> None:
    targets: list[Terminal | JovisionDevice] = [*terminals, *jovision]
    target = rng.choice(targets)
    if isinstance(target, JovisionDevice):
        _jovision_arrival(target, rng, ratio)
        return
    terminal = target
    if not terminal.running:
        return
    temperature = round(rng.uniform(36.0, 37.6), 2) if rng.random() < 0.5 else None
    persons = list(terminal.store)
    if not persons or rng.random() < ratio:
        terminal.push_stranger(temperature=temperature)
        return
    person = rng.choice(persons)
    terminal.push_recognition(person.custom_id or person.name, temperature=temperature)


def _flush(terminals: Sequence[Terminal], timeout: float = 3.0) -> None:
    """Give queued records a moment to leave before stopping."""
    deadline = time.monotonic() + timeout
    for terminal in terminals:
        terminal.wait_for(functools.partial(_delivered, terminal), deadline - time.monotonic())


def _delivered(terminal: Terminal) -> bool:
    return not terminal.connected or all(r.sends > 0 for r in terminal.pending_records)


def run(args: argparse.Namespace) -> int:
    """Run the simulation described by parsed arguments; return the exit status."""
    events: list[Event] = list(args.event)
    if args.scenario is not None:
        try:
            events += parse_scenario(args.scenario.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            _LOGGER.error("scenario %s: %s", args.scenario, err)  # noqa: TRY400
            return 2
    terminals = make_terminals(args)
    try:
        jovision = make_jovision_devices(args)
    except JovisionConfigError as err:
        _LOGGER.error("--jovision: %s", err)  # noqa: TRY400
        return 2
    stop = threading.Event()
    started = time.monotonic()
    deadline = started + args.duration if args.duration is not None else None

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    rng = random.Random(args.seed)
    try:
        for terminal in terminals:
            terminal.start()
        for device in jovision:
            device.start()
        for terminal in terminals:
            if not terminal.wait_connected(10.0):
                _LOGGER.warning("%s is not connected yet", terminal.terminal_id)
        for event in events:
            if stop.is_set():
                break
            try:
                run_event(event, terminals, stop)
            except (KeyError, ValueError) as err:
                _LOGGER.error("event %s failed: %s", event, err)  # noqa: TRY400
        next_arrival = time.monotonic() + (args.arrivals or 0)
        while not stop.is_set():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                break
            if args.arrivals and now >= next_arrival:
                _random_arrival(terminals, rng, args.stranger_ratio, jovision)
                next_arrival = now + args.arrivals
            stop.wait(0.1)
    except KeyboardInterrupt:
        _LOGGER.info("interrupted")
    finally:
        signal.signal(signal.SIGTERM, previous)
        _flush([terminal for terminal in terminals if terminal.running])
        for terminal in terminals:
            terminal.stop()
        for device in jovision:
            device.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), configure logging and run."""
    args = build_parser().parse_args(argv)
    if args.terminals < 0 or (args.terminals == 0 and not args.jovision):
        build_parser().error("--terminals must be at least 1 (or 0 with --jovision)")
    if args.jovision and args.jovision_devices < 1:
        build_parser().error("--jovision-devices must be at least 1")
    logging.basicConfig(
        level=args.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stdout,
    )
    logging.getLogger("simulator").setLevel(args.log_level)
    return run(args)
