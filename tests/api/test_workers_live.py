"""``homeward serve --workers 2`` (app.web.workers): each worker listens on its own socket, so
phones that connect at once are shared between the workers instead of all landing on the one
that woke first; the parent restarts a worker that dies and stops them all on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import httpx

from tests.live_server import LiveServer

CONNECTIONS = 16  # all on one of 2 workers by chance: 2 in 65,536


def _workers(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                worker = b"spawn_main" in (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == parent and worker:  # not multiprocessing's resource tracker
                children.append(int(entry.name))
    return children


def _socket_inodes(pid: int) -> set[int]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(int(target[8:-1]))
    return found


ESTABLISHED, LISTEN = "01", "0A"


def _tcp(port: int, state: str) -> set[int]:
    """Inodes of the sockets on local ``port`` in ``state`` (the server's ends)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(int(fields[9]))
    return inodes


def test_connections_made_at_once_are_shared_between_workers(database: str) -> None:
    server = LiveServer(database, workers=2).start(timeout=120)
    try:
        assert server.process is not None
        deadline = time.monotonic() + 60
        while len(_tcp(server.port, LISTEN)) < 2:  # each worker listens on its own socket
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
        connections = [
            socket.create_connection(("127.0.0.1", server.port)) for _ in range(CONNECTIONS)
        ]
        try:
            for sock in connections:  # each connection is served, kept alive
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            for sock in connections:
                assert sock.recv(4096).startswith(b"HTTP/1.1 200")
            established = _tcp(server.port, ESTABLISHED)
            held = {pid: _socket_inodes(pid) & established for pid in _workers(server.process.pid)}
            assert sum(len(inodes) for inodes in held.values()) == CONNECTIONS
            assert len(held) == 2 and all(held.values()), {p: len(i) for p, i in held.items()}
        finally:
            for sock in connections:
                sock.close()

        # a worker that dies is replaced, and the server goes on answering
        victim = _workers(server.process.pid)[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:
            workers = _workers(server.process.pid)
            if len(workers) == 2 and victim not in workers:
                break
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.2)
        for _ in range(8):
            assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
        workers = _workers(server.process.pid)
        server.process.send_signal(signal.SIGTERM)  # to the parent alone: it stops the workers
        assert server.process.wait(timeout=60) == 0
        assert not [pid for pid in workers if _running(pid)]
    finally:
        server.stop()


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
