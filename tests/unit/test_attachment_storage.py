"""The attachment store on its own: paths, appending, hashing, the upload lock, finalizing."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from app.attachments.storage import AttachmentStore, UploadBusy, is_sha256, owner_dir

CONTENT = b"a photo of the dormitory " * 1000
SHA = hashlib.sha256(CONTENT).hexdigest()
OWNER = "inspector.sr"


@pytest.fixture
def store(tmp_path: Path) -> AttachmentStore:
    return AttachmentStore.under(tmp_path)


def test_a_file_lives_under_two_levels_of_its_hash(store: AttachmentStore, tmp_path: Path) -> None:
    assert store.final_path(SHA) == tmp_path / "attachments" / SHA[:2] / SHA[2:4] / SHA
    assert (
        store.partial_path(SHA, owner=OWNER)
        == tmp_path / "attachments" / "partial" / owner_dir(OWNER) / SHA
    )


@pytest.mark.parametrize("name", ["../../etc/passwd", SHA.upper(), SHA[:-1], SHA + "0", ""])
def test_only_lowercase_hex_sha256_names_are_accepted(store: AttachmentStore, name: str) -> None:
    assert not is_sha256(name)
    with pytest.raises(ValueError):
        store.final_path(name)


def test_appending_in_two_parts_hashes_the_whole_file(store: AttachmentStore) -> None:
    half = len(CONTENT) // 2
    with store.exclusive(SHA, owner=OWNER):
        first = store.open_partial(SHA, owner=OWNER, restart=True)
        first.write(CONTENT[:half])
        first.close()
    assert store.partial_size(SHA, owner=OWNER) == half
    assert store.stored_size(SHA) is None
    with store.exclusive(SHA, owner=OWNER):
        rest = store.open_partial(SHA, owner=OWNER, restart=False)
        assert rest.size == half
        rest.write(CONTENT[half:])
        rest.close()
        assert rest.hexdigest() == SHA
        final = store.finalize(SHA, owner=OWNER)
    assert final.read_bytes() == CONTENT
    assert store.stored_size(SHA) == len(CONTENT)
    assert store.partial_size(SHA, owner=OWNER) is None
    assert (
        list((store.root / "partial" / owner_dir(OWNER)).iterdir()) == []
    )  # neither partial nor lock file left


def test_restart_empties_an_earlier_partial_file(store: AttachmentStore) -> None:
    with store.exclusive(SHA, owner=OWNER):
        stale = store.open_partial(SHA, owner=OWNER, restart=True)
        stale.write(b"garbage from an earlier attempt")
        stale.close()
        fresh = store.open_partial(SHA, owner=OWNER, restart=True)
        fresh.write(CONTENT)
        fresh.close()
    assert fresh.size == len(CONTENT)
    assert fresh.hexdigest() == SHA
    assert store.partial_path(SHA, owner=OWNER).read_bytes() == CONTENT


def test_a_second_upload_of_the_same_file_is_refused_while_one_runs(
    store: AttachmentStore,
) -> None:
    with store.exclusive(SHA, owner=OWNER):
        with pytest.raises(UploadBusy), store.exclusive(SHA, owner=OWNER):
            pass
        other = hashlib.sha256(b"another file").hexdigest()
        with store.exclusive(other, owner=OWNER):  # other files are not blocked
            pass
    with store.exclusive(SHA, owner=OWNER):  # released
        pass


def test_the_lock_still_excludes_after_its_file_was_removed_and_made_again(
    store: AttachmentStore,
) -> None:
    with store.exclusive(SHA, owner=OWNER):
        partial = store.open_partial(SHA, owner=OWNER, restart=True)
        partial.write(b"wrong bytes")
        partial.close()
        store.discard(SHA, owner=OWNER)  # removes the lock file while it is held
        # a new lock file (the old holder is done with it) that excludes as well
        with (
            store.exclusive(SHA, owner=OWNER),
            pytest.raises(UploadBusy),
            store.exclusive(SHA, owner=OWNER),
        ):
            pass
    assert store.partial_size(SHA, owner=OWNER) is None


def test_finalizing_twice_leaves_one_intact_file(store: AttachmentStore) -> None:
    for _ in range(2):
        with store.exclusive(SHA, owner=OWNER):
            partial = store.open_partial(SHA, owner=OWNER, restart=True)
            partial.write(CONTENT)
            partial.close()
            store.finalize(SHA, owner=OWNER)
    assert store.final_path(SHA).read_bytes() == CONTENT


def test_discard_forgets_a_partial_upload(store: AttachmentStore) -> None:
    with store.exclusive(SHA, owner=OWNER):
        partial = store.open_partial(SHA, owner=OWNER, restart=True)
        partial.write(b"not the file")
        partial.close()
        store.discard(SHA, owner=OWNER)
    assert store.partial_size(SHA, owner=OWNER) is None
    assert store.stored_size(SHA) is None


def test_close_is_safe_twice(store: AttachmentStore) -> None:
    partial = store.open_partial(SHA, owner=OWNER, restart=True)
    partial.write(b"x")
    partial.close()
    partial.close()
    assert store.partial_size(SHA, owner=OWNER) == 1


def test_each_uploader_has_their_own_partial_upload(tmp_path: Path) -> None:
    """One user's unfinished upload is neither seen nor touched by another's (#14, item 1)."""
    store = AttachmentStore(tmp_path / "attachments")
    with store.exclusive(SHA, owner=OWNER):
        mine = store.open_partial(SHA, owner=OWNER, restart=True)
        mine.write(CONTENT[:100])
        mine.close()
    with store.exclusive(SHA, owner="intruder"):  # not blocked by the owner's lock either
        theirs = store.open_partial(SHA, owner="intruder", restart=True)
        theirs.close()
        store.discard(SHA, owner="intruder")
    assert store.partial_size(SHA, owner="intruder") is None
    assert store.partial_size(SHA, owner=OWNER) == 100


def test_bytes_held_whole_stored_by_many_at_once_leave_one_file_and_no_copy(
    store: AttachmentStore,
) -> None:
    start = threading.Barrier(8)

    def put() -> None:
        start.wait()
        store.store_whole(SHA, CONTENT, owner=OWNER)

    threads = [threading.Thread(target=put) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.final_path(SHA).read_bytes() == CONTENT
    assert store.stored_size(SHA) == len(CONTENT)
    leftovers = list((store.root / "partial").rglob("*"))
    assert [p for p in leftovers if p.is_file()] == []  # every call's own copy renamed or removed
    assert store.store_whole(SHA, CONTENT, owner=OWNER) == store.final_path(SHA)  # stored: kept
