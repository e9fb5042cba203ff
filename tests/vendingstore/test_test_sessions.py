"""Each test session writes uploads and kiosk frames to empty folders of its own, which the
processes the tests start share (tests/fixtures/folders.py): a killed run's leftovers never meet
the next run's files."""

import os
import shutil
from pathlib import Path

from tests.fixtures.folders import SessionFolders, session_folders_make


def test_this_session_writes_media_and_frames_to_folders_of_its_own(
    session_folders: SessionFolders, settings
):
    assert Path(settings.MEDIA_ROOT) == session_folders.media
    assert Path(settings.BIOMETRICS_FRAMES_DIR) == session_folders.frames
    assert Path(settings.PRIVATE_MEDIA_ROOT) == session_folders.private
    assert session_folders.root.name.startswith("vendingstore-test-")
    assert not session_folders.media.is_relative_to("/tmp/vendingstore-test-media")


def test_processes_the_tests_start_get_the_same_folders(session_folders: SessionFolders):
    assert os.environ["TEST_MEDIA_ROOT"] == str(session_folders.media)
    assert os.environ["TEST_BIOMETRICS_FRAMES_DIR"] == str(session_folders.frames)
    assert os.environ["TEST_PRIVATE_MEDIA_ROOT"] == str(session_folders.private)


def test_a_new_session_starts_with_empty_folders_whatever_an_earlier_one_left():
    killed = session_folders_make()
    (killed.frames / "1-0.jpg").write_bytes(b"a frame a killed run left behind")
    fresh = session_folders_make()
    try:
        assert fresh.root != killed.root
        assert list(fresh.media.iterdir()) == []
        assert list(fresh.frames.iterdir()) == []
        assert not fresh.frames.is_relative_to(fresh.media)  # biometrics refuses frames under media
        assert list(fresh.private.iterdir()) == []
        assert not fresh.private.is_relative_to(fresh.media)  # no public URL reaches it
    finally:
        for folders in (killed, fresh):
            shutil.rmtree(folders.root)
