"""Atomic publish of the warehouse: copy the file dbt built into beside the served one, then rename it over.

dbt writes to a build file (the profile's `path`); analysts open the served file. Publishing copies the
checkpointed build file to `<served>.publishing`, syncs it to disk, checks that DuckDB opens it, and renames
it over the served file. A rename is atomic: a new connection opens the old file or the new one, never half
of one, and a reader that holds the old file open keeps reading it (its inode lives until it closes). The
build process never opens the served file, so no reader can lock a build out, nor a build a reader.

Where the file system shares blocks between files (reflinks: XFS, btrfs), the copy is a clone: it takes no
time and no disk of its own, and the build file's later writes copy only the blocks they change. Elsewhere
(ext4) the kernel copies the bytes (docs/decisions/0038-publish-by-clone.md).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLISHING_SUFFIX = ".publishing"
# Linux's ioctl that makes a file share another's blocks (linux/fs.h: _IOW(0x94, 9, int))
FICLONE = 0x40049409
CLONED, KERNEL_COPY, COPIED = "cloned", "copied by the kernel", "copied"


class PublishError(RuntimeError):
    """The build file cannot be published; the served warehouse is left as it was."""


@dataclass(frozen=True)
class Published:
    """What a publish did: the served file, its size, how it was copied, how long the copy and rename took."""

    served_path: Path
    size_bytes: int
    seconds: float
    method: str

    def message(self) -> str:
        """One line for the build log."""
        return (
            f"Published the warehouse to {self.served_path} "
            f"({self.size_bytes / 1_000_000:,.1f} MB {self.method} in {self.seconds:.1f} s)"
        )


def wal_path(database: Path) -> Path:
    """DuckDB's write-ahead log of a database file: the file name plus `.wal`."""
    return database.with_name(database.name + ".wal")


def is_locked(database: Path) -> bool:
    """True when another process holds a lock on the DuckDB file (a writer, or a read-only reader).

    DuckDB locks its file with fcntl; asking for an exclusive lock without waiting tells whether any other
    process holds one. Call it only before this process opens the file itself: closing the probe's
    descriptor would release this process's own locks on it.
    """
    if not database.exists():
        return False
    with open(database, "rb+") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
    return False


def _copy_synced(source: Path, target: Path) -> str:
    """Copy source to target, flush target to disk before returning, and say how it was copied.

    First a clone (FICLONE: the target shares the source's blocks, where the file system has reflinks);
    else the kernel copies (copy_file_range: no trip through Python's buffers; 8 s instead of 15 s for a 7 GB
    national warehouse); where it cannot (another file system on an old kernel), Python copies.
    """
    with open(source, "rb") as reader, open(target, "wb") as writer:
        method = CLONED
        try:
            fcntl.ioctl(writer.fileno(), FICLONE, reader.fileno())
        except OSError:
            method = KERNEL_COPY
            try:
                _kernel_copy(reader.fileno(), writer.fileno(), os.fstat(reader.fileno()).st_size)
            except OSError:
                method = COPIED
                reader.seek(0)
                writer.seek(0)
                writer.truncate()
                shutil.copyfileobj(reader, writer, length=16 * 1024 * 1024)
        writer.flush()
        os.fsync(writer.fileno())
    return method


def _kernel_copy(reader: int, writer: int, size: int) -> None:
    """Copy `size` bytes from one open file to another inside the kernel."""
    copied = 0
    while copied < size:
        step = os.copy_file_range(reader, writer, min(1 << 30, size - copied))
        if step == 0:
            raise OSError(f"the file shrank while it was copied ({copied} of {size} bytes)")
        copied += step


def _sync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _check_opens(database: Path) -> None:
    """Open the copy read-only and list its tables: a copy DuckDB cannot read is never published."""
    try:
        with duckdb.connect(str(database), read_only=True) as connection:
            connection.execute("select count(*) from duckdb_tables()").fetchall()
    except duckdb.Error as error:
        raise PublishError(f"the copy of the build at {database} does not open: {error}") from error


def publish(build_path: Path, served_path: Path) -> Published:
    """Replace the served warehouse with a copy of the checkpointed build file, atomically.

    The caller checkpoints the build database first (its WAL must be empty: everything committed is then
    in the file). A failure at any step, or a kill, leaves the served file as it was; a leftover
    `.publishing` copy is overwritten by the next publish.
    """
    started = time.monotonic()
    build_path, served_path = Path(build_path).resolve(), Path(served_path).resolve()
    if build_path == served_path:
        raise PublishError(f"the build file and the served file are the same file ({served_path})")
    if not build_path.exists():
        raise PublishError(f"there is no build file at {build_path}")
    build_wal = wal_path(build_path)
    if build_wal.exists() and build_wal.stat().st_size > 0:
        raise PublishError(f"{build_wal} still holds changes: checkpoint the build database first")
    served_path.parent.mkdir(parents=True, exist_ok=True)
    staged = served_path.with_name(served_path.name + PUBLISHING_SUFFIX)
    try:
        method = _copy_synced(build_path, staged)
        _check_opens(staged)
        # A WAL beside the served file belongs to the old file (a client that opened it for writing);
        # replayed onto the new file it would corrupt it.
        wal_path(served_path).unlink(missing_ok=True)
        os.replace(staged, served_path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    _sync_directory(served_path.parent)
    return Published(served_path, served_path.stat().st_size, time.monotonic() - started, method)
