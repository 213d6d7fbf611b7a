"""Several server workers, each listening on its own socket, the kernel sharing connections out.

Uvicorn's ``--workers`` has every worker accept from one shared socket, and asyncio accepts
every connection that is waiting when its worker wakes: phones that connect at once (a
sync session, a queue of ODK submissions over one kept-alive connection each) often all land
on one worker while the other idles, and the server runs at half its speed
(docs/performance.md, "OpenRosa submissions"). Here each worker binds its own socket with
``SO_REUSEPORT`` and Linux hashes each new connection to one of them, as nginx's
``reuseport`` does. The parent reserves the address first (``reserve``: a socket bound
with the same option and never listened on gets no connection), so that a port taken, even
by another Homeward, fails at once; it restarts a worker that dies and stops them all on SIGTERM or
SIGINT. Where the option does not exist, uvicorn's own workers serve.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

STOP_SECONDS = 30.0  # a worker still running this long after SIGTERM is killed


def reuse_port_available() -> bool:
    return hasattr(socket, "SO_REUSEPORT") and sys.platform.startswith("linux")


def bound_socket(host: str, port: int, *, shared: bool = True) -> socket.socket:
    """A TCP socket bound to ``host:port``; ``shared``: others with the option may bind it
    too (processes of the same user)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def reserve(host: str, port: int) -> socket.socket:
    """The parent's hold on ``host:port``, never listened on. A socket without the option
    is bound first and let go: binding it fails when anything holds the port, even a server
    that shares it, so a second server started on the same port refuses instead of sharing
    its connections. Raises OSError."""
    bound_socket(host, port, shared=False).close()
    return bound_socket(host, port)


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    """One worker: its own socket, uvicorn serving on it."""
    sock = bound_socket(host, port)
    config = uvicorn.Config(**options, host=host, port=port)
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(host: str, port: int, workers: int, options: dict[str, Any]) -> int:
    """Run ``workers`` workers until SIGTERM or SIGINT; the exit status."""
    reserved = reserve(host, port)
    context = multiprocessing.get_context("spawn")
    stopping: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(host, port, options))
        process.start()
        return process

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    processes = [start() for _ in range(workers)]
    status = 0
    try:
        while not stopping:
            time.sleep(0.2)
            for index, process in enumerate(processes):
                if process.is_alive() or stopping:
                    continue
                if process.exitcode == STARTUP_FAILURE:  # would fail the same way again
                    stopping.append(signal.SIGTERM)
                    status = STARTUP_FAILURE
                    break
                processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        reserved.close()
    return status
