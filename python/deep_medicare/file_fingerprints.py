"""Content fingerprints of the raw CMS files, for the yearly incremental refresh.

The refresh finds the data years to rebuild by comparing each raw file's SHA-256 with the one the warehouse
was built from, so a revised file is found by its content, whatever its name or modification time. Hashing
a national year (about 4 GB) takes about 5 s, so the digest of each file is kept in a small JSON cache beside
the build database, keyed by path and trusted while the file's size, modification time and inode are the
ones it was computed for (the rule git and rsync use to skip unchanged files). A file whose content changes
gets a new modification time and is hashed again.

The same pass tells the file's text encoding (UTF-8 when every byte of the text decodes as UTF-8, else
Latin-1, as CMS's older downloads are), decompressing a gzip file on the way, so staging need not read a
national year once more to probe it (7.7 s in DuckDB; the hash and the check together take 3.4 s).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import zlib
from pathlib import Path

CHUNK_BYTES = 16 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
# zlib's window bits for a gzip stream (16 + the largest window); a gzip file may hold several members
GZIP_WINDOW_BITS = 16 + zlib.MAX_WBITS
# first bytes of a zstd, bzip2 or xz file, which DuckDB may read but this module does not decompress
OTHER_COMPRESSION_MAGIC = (b"\x28\xb5\x2f\xfd", b"BZh", b"\xfd7zXZ")


def fingerprint_of(path: Path) -> tuple[str, str | None]:
    """The SHA-256 of the file's bytes (64 hex digits) and the encoding of its text, in one read.

    The encoding is `utf-8` when the whole text decodes as UTF-8 (plain ASCII does), else `latin-1`. The
    text is the file itself, or its decompressed content when it starts as gzip does; for another
    compression (zstd, bzip2, xz) the encoding is None and the caller probes the file itself.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    text: _GzipText | None = None
    is_utf8: bool | None = True
    with open(path, "rb") as handle:
        first = True
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            if first:
                first = False
                if chunk.startswith(GZIP_MAGIC):
                    text = _GzipText()
                elif chunk.startswith(OTHER_COMPRESSION_MAGIC):
                    is_utf8 = None
            if is_utf8:
                try:
                    is_utf8 = _decodes(decoder, chunk if text is None else text.feed(chunk))
                except zlib.error:
                    is_utf8 = None  # not a whole gzip stream: the DuckDB probe reports it
    if is_utf8:
        is_utf8 = _decodes(decoder, b"", final=True)
    encoding = None if is_utf8 is None else ("utf-8" if is_utf8 else "latin-1")
    return digest.hexdigest(), encoding


class _GzipText:
    """The decompressed bytes of a gzip file, fed chunk by chunk (a file may hold several gzip members)."""

    def __init__(self) -> None:
        self.inflater = zlib.decompressobj(GZIP_WINDOW_BITS)

    def feed(self, chunk: bytes) -> bytes:
        text = self.inflater.decompress(chunk)
        while self.inflater.eof and self.inflater.unused_data:
            rest = self.inflater.unused_data
            self.inflater = zlib.decompressobj(GZIP_WINDOW_BITS)
            text += self.inflater.decompress(rest)
        return text


def _decodes(decoder, text: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(text, final)
    except UnicodeDecodeError:
        return False
    return True


def _stamp(status: os.stat_result) -> list[int]:
    return [status.st_size, status.st_mtime_ns, status.st_ino]


class FingerprintCache:
    """SHA-256 and text encoding of files, remembered in a JSON file while a file's stamp is unchanged."""

    def __init__(self, cache_path: Path) -> None:
        self.cache_path = Path(cache_path)
        try:
            self.entries: dict[str, dict] = json.loads(self.cache_path.read_text())
        except (FileNotFoundError, ValueError):
            self.entries = {}

    def sha256(self, path: str) -> str:
        """The file's SHA-256: cached while its size, mtime and inode match, else computed and saved."""
        return self._entry(path)["sha256"]

    def encoding(self, path: str) -> str | None:
        """`utf-8` or `latin-1` (see fingerprint_of), or None when the file's compression is not gzip."""
        return self._entry(path)["encoding"]

    def _entry(self, path: str) -> dict:
        resolved = Path(path).resolve()
        try:
            stamp = _stamp(resolved.stat())
        except FileNotFoundError as error:
            raise FileNotFoundError(f"Raw file '{path}' disappeared while the build read it") from error
        key = str(resolved)
        entry = self.entries.get(key)
        if entry is not None and entry.get("stamp") == stamp and "encoding" in entry:
            return entry
        digest, encoding = fingerprint_of(resolved)
        entry = self.entries[key] = {"stamp": stamp, "sha256": digest, "encoding": encoding}
        self._save()
        return entry

    def _save(self) -> None:
        """Write the cache atomically (a killed build leaves the old cache or the new one)."""
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.cache_path.with_name(self.cache_path.name + ".partial")
        partial.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
        os.replace(partial, self.cache_path)
