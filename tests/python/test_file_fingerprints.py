"""The one read that hashes a raw file also tells its text encoding (deep_medicare.file_fingerprints).

Staging reads a file as UTF-8 when its whole text decodes as UTF-8, else as Latin-1; the plugin answers this
from the read that hashes the file, decompressing gzip on the way. Each case below is a file written by
hand with the encoding it must get; the hashes are checked against hashlib over the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from deep_medicare import file_fingerprints
from deep_medicare.file_fingerprints import FingerprintCache, fingerprint_of

HEADER = "Rndrng_NPI,Rndrng_Prvdr_Last_Org_Name\n"
ASCII_TEXT = HEADER + "1000000001,SMITH\n"
# 'PEÑA' and 'MÜLLER': characters outside ASCII, as real CMS names carry them
ACCENTED_TEXT = HEADER + "1000000002,PE\u00d1A\n1000000003,M\u00dcLLER\n"


CASES = [
    ("ascii.csv", ASCII_TEXT.encode("ascii"), "utf-8"),
    ("utf8.csv", ACCENTED_TEXT.encode("utf-8"), "utf-8"),
    ("utf8_bom.csv", b"\xef\xbb\xbf" + ACCENTED_TEXT.encode("utf-8"), "utf-8"),
    ("latin1.csv", ACCENTED_TEXT.encode("latin-1"), "latin-1"),
    ("utf8.csv.gz", gzip.compress(ACCENTED_TEXT.encode("utf-8")), "utf-8"),
    ("latin1.csv.gz", gzip.compress(ACCENTED_TEXT.encode("latin-1")), "latin-1"),
    # a file of two gzip members (as `cat a.gz b.gz` makes): the Latin-1 byte is in the second
    (
        "two_members.csv.gz",
        gzip.compress(ASCII_TEXT.encode("ascii")) + gzip.compress("1000000004,PE\u00d1A\n".encode("latin-1")),
        "latin-1",
    ),
    # the last character's UTF-8 bytes cut short by the end of the file
    ("truncated.csv", ASCII_TEXT.encode("ascii") + "\u00d1".encode("utf-8")[:1], "latin-1"),
    # zstd: not decompressed here, so the build probes the file in DuckDB instead
    ("zstd.csv.zst", b"\x28\xb5\x2f\xfd" + b"\x00" * 32, None),
]


@pytest.mark.parametrize(("name", "content", "expected"), CASES, ids=[case[0] for case in CASES])
def test_encoding_and_hash_come_from_one_read(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert fingerprint_of(path) == (hashlib.sha256(content).hexdigest(), expected)


def test_a_character_split_across_two_reads_is_still_utf8(tmp_path, monkeypatch):
    content = ("x" * 9 + "\u00d1").encode("utf-8")  # the two bytes of Ñ are bytes 10 and 11
    path = tmp_path / "split.csv"
    path.write_bytes(content)
    monkeypatch.setattr(file_fingerprints, "CHUNK_BYTES", 10)
    assert fingerprint_of(path)[1] == "utf-8"
    path.write_bytes(gzip.compress(content))
    monkeypatch.setattr(file_fingerprints, "CHUNK_BYTES", 7)
    assert fingerprint_of(path)[1] == "utf-8"


def test_the_cache_keeps_the_encoding_and_recomputes_entries_without_one(tmp_path):
    raw = tmp_path / "latin1.csv"
    raw.write_bytes(ACCENTED_TEXT.encode("latin-1"))
    cache_path = tmp_path / "cache.json"
    assert FingerprintCache(cache_path).encoding(str(raw)) == "latin-1"
    entries = json.loads(cache_path.read_text())
    assert [entry["encoding"] for entry in entries.values()] == ["latin-1"]
    # a cache written before encodings were kept: its entry is read again, not trusted without one
    for entry in entries.values():
        del entry["encoding"]
    cache_path.write_text(json.dumps(entries))
    assert FingerprintCache(cache_path).encoding(str(raw)) == "latin-1"
    assert [entry["encoding"] for entry in json.loads(cache_path.read_text()).values()] == ["latin-1"]
