"""Presence: Online until Online-Ack, HeartBeat, Offline and the will."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from .conftest import FIRST_ID, PREFIX, Platform, TerminalFactory

if TYPE_CHECKING:
    from simulator import Terminal

EVENT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def test_online_repeats_until_acknowledged(
    make_terminal: TerminalFactory, platform: Platform
) -> None:
    terminal = make_terminal(online_repeat=0.2, username="admin", name="Front door")
    onlines = platform.wait_on(f"{PREFIX}/basic", "Online", count=2)
    first = onlines[0]
    assert "messageId" not in first.json
    assert first.info["facesluiceId"] == FIRST_ID
    assert first.info["username"] == "admin"
    assert first.info["facesname"] == "Front door"
    assert first.info["ip"] == "127.0.0.1"
    assert EVENT_TIME.match(first.info["time"])

    platform.online_ack(FIRST_ID, result=None)  # no result: the device keeps asking
    count = len(platform.on(f"{PREFIX}/basic", "Online"))
    platform.wait_on(f"{PREFIX}/basic", "Online", count=count + 1)
    assert not terminal.online_acked

    platform.online_ack(FIRST_ID)
    assert terminal.wait_online_acked(2)
    time.sleep(0.1)
    settled = len(platform.on(f"{PREFIX}/basic", "Online"))
    time.sleep(0.5)
    assert len(platform.on(f"{PREFIX}/basic", "Online")) == settled
    assert terminal.received[-1]["operator"] == "Online-Ack"


def test_heartbeat(make_terminal: TerminalFactory, platform: Platform) -> None:
    make_terminal(heartbeat=0.2)
    beats = platform.wait_on(f"{PREFIX}/heartbeat", "HeartBeat", count=2)
    assert beats[0].info["facesluiceId"] == FIRST_ID
    assert EVENT_TIME.match(beats[0].info["time"])
    assert set(beats[0].json) == {"operator", "info"}


def test_kill_fires_the_will(make_terminal: TerminalFactory, platform: Platform) -> None:
    terminal = make_terminal()
    platform.wait_on(f"{PREFIX}/basic", "Online")
    terminal.kill()
    offline = platform.wait_on(f"{PREFIX}/basic", "Offline")[0]
    assert offline.json == {"operator": "Offline", "info": {"facesluiceId": FIRST_ID}}


def test_graceful_stop_sends_offline_with_time(
    make_terminal: TerminalFactory, platform: Platform
) -> None:
    terminal = make_terminal()
    platform.wait_on(f"{PREFIX}/basic", "Online")
    terminal.stop()
    offline = platform.wait_on(f"{PREFIX}/basic", "Offline")[0]
    assert offline.info["facesluiceId"] == FIRST_ID
    assert EVENT_TIME.match(offline.info["time"])


def test_restart_after_kill_announces_again(
    make_terminal: TerminalFactory, platform: Platform
) -> None:
    terminal = make_terminal()
    platform.wait_on(f"{PREFIX}/basic", "Online")
    platform.online_ack(FIRST_ID)
    assert terminal.wait_online_acked()
    terminal.kill()
    platform.wait_on(f"{PREFIX}/basic", "Offline")
    terminal.start()
    assert terminal.wait_connected()
    platform.wait_on(f"{PREFIX}/basic", "Online", count=2)
    assert not terminal.online_acked


def test_reconnects_after_broker_restart(
    make_terminal: TerminalFactory, platform: Platform, broker: object
) -> None:
    from simulator import Mosquitto

    assert isinstance(broker, Mosquitto)
    # Resume mode: the record is re-sent until acknowledged, so it also reaches a
    # platform that reconnects after the terminal.
    terminal: Terminal = make_terminal(resume=True)
    platform.wait_on(f"{PREFIX}/basic", "Online")
    broker.stop()
    assert terminal.wait_for(lambda: not terminal.connected, 3)
    record_id = terminal.push_recognition("Bob")  # queued while disconnected
    broker.start()
    assert terminal.wait_connected(8)
    rec = platform.wait_on(f"{PREFIX}/{FIRST_ID}/Rec", "RecPush", timeout=8)[0]
    assert rec.info["RecordID"] == str(record_id)


def test_reconnects_after_broker_reconfiguration(
    make_terminal: TerminalFactory, platform: Platform, broker: object
) -> None:
    from simulator import Mosquitto

    assert isinstance(broker, Mosquitto)
    terminal: Terminal = make_terminal()
    platform.wait_on(f"{PREFIX}/basic", "Online")
    port = broker.port
    broker.reconfigure("set_tcp_nodelay true")
    assert broker.running
    assert broker.port == port
    assert broker.log_path is not None
    assert "set_tcp_nodelay true" in (broker.log_path.parent / "mosquitto.conf").read_text()
    assert terminal.wait_for(lambda: terminal.connect_count == 2, 8)
    assert terminal.wait_connected(8)


def test_reboot_device_command(make_terminal: TerminalFactory, platform: Platform) -> None:
    terminal = make_terminal(reboot_seconds=0.3)
    platform.wait_on(f"{PREFIX}/basic", "Online")
    platform.online_ack(FIRST_ID)
    assert terminal.wait_online_acked()
    ack = platform.call(FIRST_ID, "RebootDevice", {})
    assert (ack.json["code"], ack.info["result"]) == ("200", "ok")
    will = platform.wait_on(f"{PREFIX}/basic", "Offline")[0]
    assert "time" not in will.info  # the connection died: the broker sent the will
    platform.wait_on(f"{PREFIX}/basic", "Online", count=2)
    assert terminal.wait_connected()
    assert terminal.device.reboots == 1
    assert not terminal.online_acked
