"""One network thread and a small worker pool for every simulated terminal of a process.

A paho client started with ``loop_start()`` owns a network thread, and each terminal
used to own a worker thread waking every 50 ms besides: two threads per terminal,
which topped out near 340 terminals in one process. Here paho runs on its external-loop
interface instead (``loop_read``/``loop_write``/``loop_misc`` plus the socket
callbacks), all sockets on one ``selectors`` loop in one thread (:class:`NetworkHub`),
and the terminals' periodic work runs as tasks on a fixed pool of worker threads
(:class:`Scheduler`) that wake each terminal only when it has something due.

Both are process-wide and shared by every terminal of the process; their threads start
with the first running terminal (:func:`acquire`) and end with the last one
(:func:`release`), so a stopped simulator leaves no thread behind.
"""

from __future__ import annotations

import collections
import contextlib
import heapq
import itertools
import logging
import selectors
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    import paho.mqtt.client as mqtt

_LOGGER = logging.getLogger(__name__)

#: How often keep-alive pings and the write-interest safety net run for every client.
_MISC_INTERVAL = 1.0
_RECONNECT_MIN = 1.0
_RECONNECT_MAX = 5.0


class _Link:
    """What the hub knows about one client."""

    __slots__ = ("active", "client", "delay", "sock")

    def __init__(self, client: mqtt.Client) -> None:
        self.client = client
        self.active = True  # reconnect after a loss; False once removed
        self.delay = _RECONNECT_MIN
        self.sock: Any = None


class NetworkHub:
    """Runs the network I/O of many paho clients on one thread."""

    def __init__(self) -> None:
        """Create the selector; the thread starts with the first client."""
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._ops: collections.deque[Callable[[], None]] = collections.deque()
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._sequence = itertools.count()
        self._links: dict[mqtt.Client, _Link] = {}
        self._by_sock: dict[Any, _Link] = {}
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._running = False

    # --------------------------------------------------------------- public API

    def add(self, client: mqtt.Client, host: str, port: int, keepalive: int) -> None:
        """Connect `client` (in the background, retrying every 1-5 s until removed)."""
        client.on_socket_open = self._on_socket_open
        client.on_socket_close = self._on_socket_close
        client.on_socket_register_write = self._on_register_write
        client.on_socket_unregister_write = self._on_unregister_write
        client.connect_async(host, port, keepalive)
        link = _Link(client)
        self.call(lambda: self._attach(link))

    def remove(self, client: mqtt.Client, *, graceful: bool) -> None:
        """Stop driving `client`: with a DISCONNECT when `graceful`, else cut the socket.

        Cutting the socket without DISCONNECT makes the broker publish the will. Returns
        once done (the DISCONNECT may still be in flight for a slow socket).
        """
        self.call_sync(lambda: self._detach(client, graceful=graceful))

    def call(self, function: Callable[[], None]) -> None:
        """Run `function` on the network thread soon."""
        self._ensure_started()
        self._ops.append(function)
        self._wake()

    def call_sync(self, function: Callable[[], None], timeout: float = 10.0) -> None:
        """Run `function` on the network thread and wait for it."""
        if threading.current_thread() is self._thread:
            function()
            return
        done = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            try:
                function()
            except BaseException as err:  # noqa: BLE001 - handed to the caller
                failure.append(err)
            finally:
                done.set()

        self.call(run)
        if not done.wait(timeout):
            raise TimeoutError("the simulator's network thread did not answer")
        if failure:
            raise failure[0]

    @property
    def client_count(self) -> int:
        """Clients currently driven (connected or retrying)."""
        return sum(1 for link in self._links.values() if link.active)

    # ----------------------------------------------------------- paho callbacks

    def _on_socket_open(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._on_thread(lambda: self._register(client, sock))

    def _on_socket_close(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._on_thread(lambda: self._closed(client, sock))

    def _on_register_write(self, _client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._on_thread(lambda: self._interest(sock, write=True))

    def _on_unregister_write(self, _client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self._on_thread(lambda: self._interest(sock, write=False))

    def _on_thread(self, function: Callable[[], None]) -> None:
        if threading.current_thread() is self._thread:
            function()
        else:
            self.call(function)

    # -------------------------------------------------- network thread only

    def _attach(self, link: _Link) -> None:
        self._links[link.client] = link
        self._connect(link)

    def _connect(self, link: _Link) -> None:
        if not link.active or link.sock is not None:
            return
        try:
            link.client.reconnect()
        except (OSError, ValueError) as err:
            _LOGGER.debug("connection attempt failed (%s); retrying in %.0f s", err, link.delay)
            self._retry(link)

    def _retry(self, link: _Link) -> None:
        delay, link.delay = link.delay, min(link.delay * 2, _RECONNECT_MAX)
        self._later(delay, lambda: self._connect(link))

    def connected(self, client: mqtt.Client) -> None:
        """Reset the back-off once the broker accepted `client` (call from on_connect)."""
        link = self._links.get(client)
        if link is not None:
            link.delay = _RECONNECT_MIN

    def _register(self, client: mqtt.Client, sock: Any) -> None:
        link = self._links.get(client)
        if link is None:
            return
        link.sock = sock
        self._by_sock[sock] = link
        self._selector.register(sock, selectors.EVENT_READ, link)

    def _closed(self, client: mqtt.Client, sock: Any) -> None:
        link = self._by_sock.pop(sock, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(sock)
        if link is None:
            return
        link.sock = None
        if link.active:
            self._retry(link)
        else:
            self._links.pop(client, None)

    def _interest(self, sock: Any, *, write: bool) -> None:
        link = self._by_sock.get(sock)
        if link is None:
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if write else 0)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.modify(sock, events, link)

    def _detach(self, client: mqtt.Client, *, graceful: bool) -> None:
        link = self._links.get(client)
        if link is None:
            return
        link.active = False
        sock = link.sock
        if sock is None:
            self._links.pop(client, None)
            return
        if graceful:
            client.disconnect()
            client.loop_write()  # sends DISCONNECT; paho closes the socket after it
            return
        self._by_sock.pop(sock, None)
        self._links.pop(client, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()

    def _later(self, delay: float, function: Callable[[], None]) -> None:
        heapq.heappush(self._timers, (time.monotonic() + delay, next(self._sequence), function))

    # ------------------------------------------------------------------ loop

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                thread = threading.Thread(target=self._main, name="ft-sim-network", daemon=True)
                self._thread = thread
                thread.start()

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_w.send(b"\0")

    def shutdown(self) -> None:
        """End the thread (call only when no client is driven any more)."""
        thread = self._thread
        if thread is None:
            return
        self.call(self._stop_loop)
        if thread is not threading.current_thread():
            thread.join(10)

    def _stop_loop(self) -> None:
        for sock in list(self._by_sock):
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(sock)
            with contextlib.suppress(OSError):
                sock.close()
        self._by_sock.clear()
        self._links.clear()
        self._timers.clear()
        self._running = False

    def _main(self) -> None:
        next_misc = time.monotonic() + _MISC_INTERVAL
        self._running = True
        while self._running:
            now = time.monotonic()
            timeout = next_misc - now
            if self._timers:
                timeout = min(timeout, self._timers[0][0] - now)
            for key, mask in self._selector.select(max(0.0, timeout)):
                try:
                    self._ready(key, mask)
                except Exception:
                    _LOGGER.exception("simulator network error")
            self._run_ops()
            now = time.monotonic()
            while self._timers and self._timers[0][0] <= now:
                _, _, function = heapq.heappop(self._timers)
                self._guarded(function)
            if now >= next_misc:
                next_misc = now + _MISC_INTERVAL
                self._misc()
        with self._start_lock:
            self._thread = None
        if self._ops:  # handed over while this thread was ending: run them on a new one
            self._ensure_started()
            self._wake()

    def _ready(self, key: selectors.SelectorKey, mask: int) -> None:
        if key.fileobj is self._wake_r:
            with contextlib.suppress(BlockingIOError, OSError):
                self._wake_r.recv(4096)
            return
        link: _Link = key.data
        if mask & selectors.EVENT_READ:
            link.client.loop_read()
        if mask & selectors.EVENT_WRITE and link.sock is key.fileobj:
            link.client.loop_write()

    def _run_ops(self) -> None:
        while self._ops:
            self._guarded(self._ops.popleft())

    @staticmethod
    def _guarded(function: Callable[[], None]) -> None:
        try:
            function()
        except Exception:
            _LOGGER.exception("simulator network error")

    def _misc(self) -> None:
        for link in list(self._by_sock.values()):
            client = link.client
            try:
                client.loop_misc()  # keep-alive; a loss comes back through the callbacks
            except Exception:
                _LOGGER.exception("simulator network error")
            # Safety net for a write interest lost between threads.
            if link.sock is not None and client.want_write():
                self._interest(link.sock, write=True)


class Task:
    """A unit of work that the :class:`Scheduler` runs on one worker at a time.

    `function` returns the monotonic time it wants to run again at (``None``: only when
    woken).
    """

    __slots__ = ("again", "cancelled", "deadline", "function", "queued", "runner")

    def __init__(self, function: Callable[[], float | None]) -> None:
        """Wrap `function` (not scheduled until woken)."""
        self.function = function
        self.queued = False
        self.again = False
        self.cancelled = False
        self.runner: threading.Thread | None = None
        self.deadline: float | None = None


class Scheduler:
    """A fixed pool of worker threads running :class:`Task` objects when due or woken."""

    def __init__(self, workers: int = 4) -> None:
        """Create the pool; threads start on first use."""
        self._workers = workers
        self._condition = threading.Condition()
        self._ready: collections.deque[Task] = collections.deque()
        self._timers: list[tuple[float, int, Task]] = []
        self._sequence = itertools.count()
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def wake(self, task: Task) -> None:
        """Run `task` as soon as a worker is free (again after a run in progress)."""
        with self._condition:
            if task.cancelled:
                return
            if task.runner is not None:
                task.again = True
            elif not task.queued:
                task.queued = True
                self._ready.append(task)
                self._condition.notify()
        self._ensure_started()

    def cancel(self, task: Task) -> None:
        """Never run `task` again; wait for a run in progress (unless it is the caller's)."""
        with self._condition:
            task.cancelled = True
            while task.runner is not None and task.runner is not threading.current_thread():
                self._condition.wait()

    def shutdown(self) -> None:
        """End the worker threads (call only when no task is left)."""
        with self._condition:
            threads, self._threads = self._threads, []
            self._stopping = True
            self._condition.notify_all()
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(10)
        with self._condition:
            self._stopping = False
            self._ready.clear()
            self._timers.clear()

    def _ensure_started(self) -> None:
        if len(self._threads) >= self._workers:
            return
        with self._condition:
            while len(self._threads) < self._workers:
                thread = threading.Thread(
                    target=self._main, name=f"ft-sim-worker-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()

    def _next(self) -> Task | None:
        with self._condition:
            while True:
                if self._stopping:
                    return None
                if self._ready:
                    task = self._ready.popleft()
                    task.queued = False
                    if not task.cancelled:
                        task.runner = threading.current_thread()
                        return task
                    continue
                now = time.monotonic()
                if self._timers and self._timers[0][0] <= now:
                    when, _, task = heapq.heappop(self._timers)
                    if task.cancelled or task.deadline != when or task.queued:
                        continue
                    if task.runner is not None:
                        task.again = True
                        continue
                    task.runner = threading.current_thread()
                    return task
                timeout = self._timers[0][0] - now if self._timers else None
                self._condition.wait(timeout)

    def _main(self) -> None:
        while True:
            task = self._next()
            if task is None:
                return
            when: float | None = None
            try:
                when = task.function()
            except Exception:
                _LOGGER.exception("simulator worker error")
                when = time.monotonic() + 1.0
            with self._condition:
                task.runner = None
                task.deadline = when
                if task.cancelled:
                    pass
                elif task.again:
                    task.again = False
                    task.queued = True
                    self._ready.append(task)
                elif when is not None:
                    heapq.heappush(self._timers, (when, next(self._sequence), task))
                self._condition.notify_all()


_HUB: NetworkHub | None = None
_USERS = 0
_SCHEDULER: Scheduler | None = None
_SHARED_LOCK = threading.Lock()


def network_hub() -> NetworkHub:
    """The process-wide network thread."""
    global _HUB  # noqa: PLW0603 - one per process by design
    with _SHARED_LOCK:
        if _HUB is None:
            _HUB = NetworkHub()
        return _HUB


def scheduler() -> Scheduler:
    """The process-wide worker pool."""
    global _SCHEDULER  # noqa: PLW0603 - one per process by design
    with _SHARED_LOCK:
        if _SCHEDULER is None:
            _SCHEDULER = Scheduler()
        return _SCHEDULER


def acquire() -> None:
    """Note one more running terminal (the shared threads start on demand)."""
    global _USERS  # noqa: PLW0603 - one per process by design
    with _SHARED_LOCK:
        _USERS += 1


def release() -> None:
    """Note a stopped terminal; the last one ends the shared threads."""
    global _USERS  # noqa: PLW0603 - one per process by design
    with _SHARED_LOCK:
        _USERS = max(0, _USERS - 1)
        if _USERS:
            return
        hub, pool = _HUB, _SCHEDULER
    if pool is not None:
        pool.shutdown()
    if hub is not None:
        hub.shutdown()
