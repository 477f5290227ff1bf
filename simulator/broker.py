"""A throw-away ``mosquitto`` broker on 127.0.0.1 for tests, demos and benchmarks.

Example::

    with Mosquitto() as broker:
        terminal = Terminal("1305433", "127.0.0.1", broker.port)
        ...
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Self

if TYPE_CHECKING:
    from types import TracebackType

_LOGGER = logging.getLogger(__name__)

#: Where ``mosquitto`` usually lives when it is not on ``PATH`` (Debian puts it in sbin).
_CANDIDATES = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/opt/homebrew/sbin/mosquitto")
#: Large enough for 2 MB pictures after base64 (x 4/3) plus JSON.
DEFAULT_MAX_PACKET = 8 * 1024 * 1024


class MosquittoNotFoundError(FileNotFoundError):
    """The ``mosquitto`` binary is not installed."""


def find_mosquitto() -> str:
    """Return the path of the ``mosquitto`` binary.

    Raises:
        MosquittoNotFoundError: When it is neither on ``PATH`` nor in a usual sbin.
    """
    found = shutil.which("mosquitto")
    if found:
        return found
    for candidate in _CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise MosquittoNotFoundError(
        "mosquitto binary not found (looked on PATH and in "
        f"{', '.join(_CANDIDATES)}); install mosquitto (scripts/setup does) "
        "and run through scripts/run"
    )


def free_port(host: str = "127.0.0.1") -> int:
    """Ask the kernel for a currently free TCP port on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class Mosquitto:
    """Run ``mosquitto`` on 127.0.0.1 with a generated configuration.

    The configuration is ``listener <port> 127.0.0.1``, ``allow_anonymous true``,
    ``persistence false`` and ``max_packet_size`` (8 MiB by default). The broker's
    log goes to ``<workdir>/mosquitto.log``.

    Attributes:
        host: Always ``127.0.0.1``.
        port: The TCP port (free port chosen at construction unless given).
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        binary: str | None = None,
        max_packet_size: int = DEFAULT_MAX_PACKET,
        extra_config: str = "",
        start_timeout: float = 10.0,
    ) -> None:
        """Prepare (but do not start) a broker.

        Args:
            port: TCP port; a free one is picked when ``None``.
            binary: Path of ``mosquitto``; searched when ``None``.
            max_packet_size: ``max_packet_size`` in bytes.
            extra_config: Lines appended to the generated configuration.
            start_timeout: Seconds to wait for the port to accept connections.
        """
        self.host = "127.0.0.1"
        self.port = port if port is not None else free_port(self.host)
        self._binary = binary
        self._max_packet_size = max_packet_size
        self._extra_config = extra_config
        self._start_timeout = start_timeout
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """``host:port`` as accepted by the simulator CLI's ``--broker``."""
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the broker process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def log_path(self) -> Path | None:
        """Path of the broker log (``None`` before the first start)."""
        if self._workdir is None:
            return None
        return Path(self._workdir.name) / "mosquitto.log"

    def log_text(self) -> str:
        """Return what the broker logged so far (empty before the first start)."""
        path = self.log_path
        if path is None or not path.exists():
            return ""
        return path.read_text(errors="replace")

    def _config(self) -> str:
        return (
            f"listener {self.port} {self.host}\n"
            "allow_anonymous true\n"
            "persistence false\n"
            f"max_packet_size {self._max_packet_size}\n"
            "log_dest stdout\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
            "connection_messages true\n"
            f"{self._extra_config}\n"
        )

    def start(self) -> None:
        """Start the broker and wait until it accepts TCP connections.

        Raises:
            MosquittoNotFoundError: When the binary is missing.
            RuntimeError: When the broker exits or does not listen in time.
        """
        if self.running:
            return
        binary = self._binary or find_mosquitto()
        if self._workdir is None:
            self._workdir = tempfile.TemporaryDirectory(prefix="ft-mosquitto-")
        workdir = Path(self._workdir.name)
        workdir.chmod(0o755)  # mosquitto may drop root privileges to its own user
        config = workdir / "mosquitto.conf"
        config.write_text(self._config())
        config.chmod(0o644)
        self._log_file = (workdir / "mosquitto.log").open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [binary, "-c", str(config)],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self._start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._close_log()
                raise RuntimeError(
                    f"mosquitto exited with {self._process.returncode}:\n{self.log_text()}"
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), 0.2),
            ):
                _LOGGER.debug("mosquitto listening on %s", self.url)
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"mosquitto did not listen on {self.url}:\n{self.log_text()}")

    def stop(self) -> None:
        """Stop the broker (SIGTERM, then SIGKILL after 5 s)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self._close_log()

    def restart(self, downtime: float = 0.0) -> None:
        """Stop the broker, wait ``downtime`` seconds, start it again on the same port."""
        self.stop()
        if downtime > 0:
            time.sleep(downtime)
        self.start()

    def reconfigure(self, extra_config: str, downtime: float = 0.0) -> None:
        """Restart on the same port with other extra lines (e.g. ``set_tcp_nodelay true``).

        Clients see the broker go away and come back, as after any broker restart.
        """
        self._extra_config = extra_config
        self.restart(downtime)

    def cleanup(self) -> None:
        """Stop the broker and delete its working directory."""
        self.stop()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> Self:
        """Start the broker."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the broker and remove its files."""
        self.cleanup()
