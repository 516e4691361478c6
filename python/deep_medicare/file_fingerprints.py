"""Content fingerprints of the raw CMS files, for the yearly incremental refresh.

The refresh finds the data years to rebuild by comparing each raw file's SHA-256 with the one the warehouse
was built from, so a revised file is found by its content, whatever its name or modification time. Hashing
a national year (about 4 GB) takes about 5 s, so the digest of each file is kept in a small JSON cache beside
the build database, keyed by path and trusted while the file's size, modification time and inode are the
ones it was computed for (the rule git and rsync use to skip unchanged files). A file whose content changes
gets a new modification time and is hashed again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

CHUNK_BYTES = 16 * 1024 * 1024


def sha256_of(path: Path) -> str:
    """The SHA-256 of the file's bytes, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp(status: os.stat_result) -> list[int]:
    return [status.st_size, status.st_mtime_ns, status.st_ino]


class FingerprintCache:
    """SHA-256 of files, remembered in a JSON file across builds while a file's stamp is unchanged."""

    def __init__(self, cache_path: Path) -> None:
        self.cache_path = Path(cache_path)
        try:
            self.entries: dict[str, dict] = json.loads(self.cache_path.read_text())
        except (FileNotFoundError, ValueError):
            self.entries = {}

    def sha256(self, path: str) -> str:
        """The file's SHA-256: cached while its size, mtime and inode match, else computed and saved."""
        resolved = Path(path).resolve()
        try:
            stamp = _stamp(resolved.stat())
        except FileNotFoundError as error:
            raise FileNotFoundError(f"Raw file '{path}' disappeared while the build read it") from error
        key = str(resolved)
        entry = self.entries.get(key)
        if entry is not None and entry.get("stamp") == stamp:
            return entry["sha256"]
        digest = sha256_of(resolved)
        self.entries[key] = {"stamp": stamp, "sha256": digest}
        self._save()
        return digest

    def _save(self) -> None:
        """Write the cache atomically (a killed build leaves the old cache or the new one)."""
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.cache_path.with_name(self.cache_path.name + ".partial")
        partial.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
        os.replace(partial, self.cache_path)
