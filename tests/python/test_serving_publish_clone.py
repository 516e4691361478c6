"""Where the file system shares blocks between files (reflinks), the publish clones the build file: the served
file takes no disk of its own and no copying time (deep_medicare.publish,
docs/decisions/0038-publish-by-clone.md).

The test makes such a file system: a 1 GB XFS image (reflink=1) mounted through a loop device in the test's
temporary folder. That needs root, `mkfs.xfs` (Debian's xfsprogs, which `.ci/run` installs) and loop devices;
without them the test is skipped and says why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from deep_medicare.publish import CLONED, publish

ROWS = 2_000_000


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), capture_output=True, text=True, check=False)


@pytest.fixture
def reflink_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder on a freshly made XFS file system with reflinks, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("making an XFS file system to clone on needs root")
    if shutil.which("mkfs.xfs") is None:
        pytest.skip("mkfs.xfs is not installed (Debian: xfsprogs)")
    image, mount_point = tmp_path / "xfs.img", tmp_path / "xfs"
    mount_point.mkdir()
    with open(image, "wb") as handle:
        handle.truncate(1 << 30)
    made = run("mkfs.xfs", "-q", "-m", "reflink=1", str(image))
    assert made.returncode == 0, made.stderr
    mounted = run("mount", "-o", "loop", str(image), str(mount_point))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a loop device here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        unmounted = run("umount", str(mount_point))
        assert unmounted.returncode == 0, unmounted.stderr


def used_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


def test_the_publish_clones_the_build_file_where_the_file_system_can(reflink_folder: Path) -> None:
    build, served = reflink_folder / "medicare.duckdb.build", reflink_folder / "medicare.duckdb"
    with duckdb.connect(str(build)) as connection:
        connection.execute(
            f"create table lines as select i, md5(i::varchar) as text from range({ROWS}) as numbers(i)"
        )
        connection.execute("checkpoint")
    before = used_bytes(reflink_folder)

    published = publish(build, served)

    assert published.method == CLONED, published.message()
    assert "cloned" in published.message()
    size = served.stat().st_size
    assert size == build.stat().st_size and size > 20_000_000
    # the served file shares the build file's blocks: the file system grew by far less than a copy
    assert used_bytes(reflink_folder) - before < size / 10
    with duckdb.connect(str(served), read_only=True) as connection:
        found = connection.execute("select count(*), sum(i) from lines").fetchone()
        assert found == (ROWS, ROWS * (ROWS - 1) // 2)
    # the build goes on writing its own file; the served file keeps what was published
    with duckdb.connect(str(build)) as connection:
        connection.execute("delete from lines where i % 2 = 0")
        connection.execute("checkpoint")
    with duckdb.connect(str(served), read_only=True) as connection:
        assert connection.execute("select count(*) from lines").fetchone() == (ROWS,)
