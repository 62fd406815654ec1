"""A Ctrl-C while a staged root is being removed does not leave it half removed (xacct/staging.py)."""

from __future__ import annotations

import os
import shutil
import signal
import threading

import pytest

from xacct import staging

pytestmark = pytest.mark.unit


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signal handlers belong to the main thread")
def test_an_interrupt_as_removal_starts_is_raised_once_the_folder_is_gone(monkeypatch):
    root = staging.StagedRoot(files={"main.tf": ""})
    folder = root._tmp
    remove = shutil.rmtree

    def interrupted(path, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, as the terminal sends it
        remove(path, **kwargs)

    monkeypatch.setattr(staging.shutil, "rmtree", interrupted)
    with pytest.raises(KeyboardInterrupt):
        root.close()
    assert not folder.exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "the usual Ctrl-C handling is back"
