"""Open the served warehouse for reading, with one clear line when that cannot be done.

DuckDB's own errors for the two usual cases (no file yet; a client holding it open for writing) are long
and come with a traceback; tools of this package catch WarehouseUnavailableError and print its message alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_PATH = Path("warehouse") / "medicare.duckdb"


class WarehouseUnavailableError(RuntimeError):
    """The served warehouse cannot be opened; the message says why and what to do, in one line."""


def served_path() -> Path:
    """The served warehouse: $MEDICARE_DUCKDB_PATH, else warehouse/medicare.duckdb."""
    return Path(os.environ.get("MEDICARE_DUCKDB_PATH", DEFAULT_PATH))


def open_served(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse at path, or WarehouseUnavailableError saying what to do."""
    if not path.exists():
        raise WarehouseUnavailableError(
            f"No warehouse at {path}: build it with `make build` (or point MEDICARE_DUCKDB_PATH at one)."
        )
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseUnavailableError(
                f"{path} is held open for writing by another process: open it read-only there "
                "(read_only=True, -readonly, access_mode=read_only) or close it, then try again."
            ) from error
        raise WarehouseUnavailableError(f"{path} cannot be opened: {str(error).splitlines()[0]}") from error
