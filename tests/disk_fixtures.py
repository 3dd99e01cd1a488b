"""A hostile disk for tests, real and unmocked: a tiny tmpfs (disk full, read-only
remount) and `chattr +i` (immutable).  Both need root; elsewhere those tests skip.
Also ``swap_mode``: a test that takes it runs with each way a bundle is swapped in."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from notebook_skills.skills import swap

ROOT = os.geteuid() == 0
PAGE = 4096  # tmpfs allocates whole pages


def mount_tmpfs(where: Path, size: str = "256k", *, required: bool = False) -> None:
    """Mount a tmpfs at ``where``; skip when that is impossible here, or fail when ``required``."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        why = f"cannot mount a tmpfs here: {done.stderr.decode().strip()}"
        if required:
            pytest.fail(why)
        pytest.skip(why)


def unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture
def tiny_user_disk(skills_dirs):
    """The user skills folder on a 256 KiB tmpfs of its own."""
    if not ROOT:
        pytest.skip("mounting a tmpfs needs root")
    where = skills_dirs["user"]
    mount_tmpfs(where)
    yield where
    unmount(where)


def fill(where: Path, leave_pages: int = 0) -> None:
    """Fill the filesystem to the last byte, then free ``leave_pages`` pages again."""
    path = where / ".filler"
    with open(path, "ab", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * PAGE)
        except OSError as err:
            assert err.errno == errno.ENOSPC
    if leave_pages:
        os.truncate(path, max(0, os.path.getsize(path) - leave_pages * PAGE))


@pytest.fixture(params=["renameat2", "two-renames"])
def swap_mode(request, monkeypatch):
    """The test runs twice: swapping with renameat2 (where the kernel has it), then with
    the two-rename fallback."""
    if request.param == "two-renames":
        monkeypatch.setattr(swap, "USE_RENAMEAT2", False)
    return request.param


@pytest.fixture
def immutable():
    """``freeze(path)``: chattr +i, undone at teardown."""
    made = []

    def freeze(path: Path) -> None:
        if not ROOT or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not available here")
        made.append(path)

    yield freeze
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=False)
