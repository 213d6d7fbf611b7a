"""Attachment files on disk: content-addressed, written once, resumable.

Pure file operations, no database and no HTTP. The layout under ``<data_dir>/attachments/``:

- ``ab/cd/<sha256>``: a complete file; its bytes hash to its name, so it never changes and two
  uploads that complete at once rename identical bytes onto the same name;
- ``partial/<owner>/<sha256>``: the bytes one uploader sent so far of an unfinished upload (a
  resume appends); ``<owner>`` is a digest of the uploader's username, so one user's partial
  upload is neither visible to nor destroyable by another (issue #14, item 1);
- ``partial/<owner>/<sha256>.lock``: held with ``flock`` by the one request appending to that
  partial file, so two requests of one uploader never interleave their bytes.

A partial file is fsynced before anything answers with its size, and before it is renamed
into place (``os.replace``, atomic on one file system); the directory is fsynced after.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LOCK_ATTEMPTS = 5


def is_sha256(name: str) -> bool:
    """A lowercase hex SHA-256, the only names the store accepts (no path tricks possible)."""
    return bool(_SHA256.match(name))


class UploadBusy(Exception):
    """Another request is appending to this file's partial upload right now."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class PartialFile:
    """An open partial upload: appends bytes and hashes everything the file holds."""

    def __init__(self, path: Path, *, restart: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._hash = hashlib.sha256()
        self.size = 0
        if not restart and path.exists():
            with path.open("rb") as existing:
                for block in iter(lambda: existing.read(CHUNK), b""):
                    self._hash.update(block)
                    self.size += len(block)
        self._file: BinaryIO | None = path.open("wb" if restart else "ab")

    def write(self, chunk: bytes) -> None:
        assert self._file is not None, "closed"
        self._file.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        """Flush and fsync: what ``size`` says is on disk. Safe to call twice."""
        if self._file is None:
            return
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self._file.close()
            self._file = None


@dataclass(frozen=True)
class AttachmentStore:
    root: Path

    @classmethod
    def under(cls, data_dir: Path) -> AttachmentStore:
        return cls(Path(data_dir) / "attachments")

    def final_path(self, sha256: str) -> Path:
        _check(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def partial_path(self, sha256: str, *, owner: str) -> Path:
        _check(sha256)
        return self.root / "partial" / owner_dir(owner) / sha256

    def _lock_path(self, sha256: str, owner: str) -> Path:
        return self.partial_path(sha256, owner=owner).with_suffix(".lock")

    def stored_size(self, sha256: str) -> int | None:
        """The size of the complete file, or None when it is not stored."""
        try:
            return self.final_path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def partial_size(self, sha256: str, *, owner: str) -> int | None:
        """How many bytes ``owner``'s unfinished upload holds, or None when there is none."""
        try:
            return self.partial_path(sha256, owner=owner).stat().st_size
        except FileNotFoundError:
            return None

    @contextmanager
    def exclusive(self, sha256: str, *, owner: str) -> Iterator[None]:
        """Hold ``owner``'s upload lock of this file, or raise ``UploadBusy`` at once.

        The lock file is removed by ``finalize``/``discard`` while held; a request that opened
        the removed file before then sees that its inode is gone and opens the new one.
        """
        path = self._lock_path(sha256, owner)
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(_LOCK_ATTEMPTS):
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise UploadBusy(sha256) from None
            try:
                current = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                break
            os.close(fd)
        else:
            raise UploadBusy(sha256)
        try:
            yield
        finally:
            os.close(fd)  # releases the flock

    def open_partial(self, sha256: str, *, owner: str, restart: bool) -> PartialFile:
        """The partial upload, to append to (``restart``: emptied first). Hold ``exclusive``."""
        return PartialFile(self.partial_path(sha256, owner=owner), restart=restart)

    def finalize(self, sha256: str, *, owner: str) -> Path:
        """Move the (closed, fsynced) partial file to its final name, atomically; when the
        file is stored already (the same bytes, verified), the partial copy is dropped."""
        final = self.final_path(sha256)
        if final.exists():
            self.discard(sha256, owner=owner)
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.partial_path(sha256, owner=owner), final)
        _fsync_dir(final.parent)
        self._lock_path(sha256, owner).unlink(missing_ok=True)
        return final

    def store_whole(self, sha256: str, content: bytes, *, owner: str) -> Path:
        """Store ``content``, whose SHA-256 the caller computed, under its name: written to a
        file of this call's own, fsynced, renamed into place atomically, the folder fsynced.
        For bytes held whole in memory (an OpenRosa part), so no upload lock: two requests
        storing the same bytes at once each write their own copy, and either rename leaves
        the same file (an upload lock would refuse the second, ``UploadBusy``)."""
        final = self.final_path(sha256)
        if final.exists():
            return final
        folder = self.root / "partial" / owner_dir(owner)
        folder.mkdir(parents=True, exist_ok=True)
        own = folder / f"{sha256}.{uuid.uuid4().hex}.whole"
        try:
            with own.open("wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            if not final.parent.is_dir():
                final.parent.mkdir(parents=True, exist_ok=True)
                _fsync_dir(final.parent.parent)  # the new folder's own name, durable
            os.replace(own, final)
        finally:
            own.unlink(missing_ok=True)
        _fsync_dir(final.parent)
        return final

    def discard(self, sha256: str, *, owner: str) -> None:
        """Forget an unfinished upload (its bytes cannot become the named file)."""
        self.partial_path(sha256, owner=owner).unlink(missing_ok=True)
        self._lock_path(sha256, owner).unlink(missing_ok=True)


def owner_dir(owner: str) -> str:
    """The directory of one uploader's partial files: a digest, so no name is a path trick."""
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32]


def _check(sha256: str) -> None:
    if not is_sha256(sha256):
        raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
