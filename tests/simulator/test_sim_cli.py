"""The command line: --help and a short real run against mosquitto."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .conftest import PREFIX, Platform

if TYPE_CHECKING:
    from simulator import Mosquitto

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for flag in (
        "--broker",
        "--terminals",
        "--profile",
        "--resume",
        "--arrivals",
        "--event",
        "--no-answer",
    ):
        assert flag in result.stdout
    assert "person NAME|CUSTOMID" in result.stdout


def test_bad_arguments() -> None:
    result = run_cli("--profile", "toaster")
    assert result.returncode == 2
    assert "unknown profile" in result.stderr
    assert run_cli("--event", "dance at 1").returncode == 2


def test_short_run(broker: Mosquitto, platform: Platform, tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.txt"
    scenario.write_text(
        "# comment\nstranger at 1305434\nsleep 0.1\nqr https://x/#frag at 1305434\n"
    )
    result = run_cli(
        "--broker",
        broker.url,
        "--terminals",
        "2",
        "--heartbeat",
        "0.3",
        "--duration",
        "1.5",
        "--event",
        "person Alice at 1305433",
        "--event",
        "card 12345",
        "--scenario",
        str(scenario),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rec = platform.wait_on(f"{PREFIX}/1305433/Rec", "RecPush")[0]
    assert rec.info["persionName"] == "Alice"
    platform.wait_on(f"{PREFIX}/1305433/card", "CardPush")
    platform.wait_on(f"{PREFIX}/1305434/Snap", "StrSnapPush")
    qr = platform.wait_on(f"{PREFIX}/1305434/QRCode", "QRCodePush")[0]
    assert qr.info["QRCodeInfo"] == "https://x/#frag"
    platform.wait_on(f"{PREFIX}/heartbeat", "HeartBeat", count=2)
    offline = platform.wait_on(f"{PREFIX}/basic", "Offline", count=2)
    assert {message.info["facesluiceId"] for message in offline} == {"1305433", "1305434"}
    assert all("time" in message.info for message in offline)  # graceful, not the will
    assert "RecPush" in result.stdout
    assert "<picture " in result.stdout
    assert "/9j/" not in result.stdout  # no base64 in the log
