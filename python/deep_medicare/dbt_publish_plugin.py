"""dbt-duckdb plugin that lets a plain `dbt build` publish the warehouse (see deep_medicare.publish).

The profile names it under `plugins:` with the served file as `served_path`. It does two things:
- before dbt opens the build file, it checks that no other process holds it, and fails with one line if one
  does (DuckDB's own error comes with a long traceback);
- it registers the SQL function `deep_medicare_publish_warehouse()`, which the on-run-end hook (macro
  publish_warehouse) calls after a build in which every node passed;
- it registers `deep_medicare_file_sha256(path)`, the content fingerprint of a raw file that the yearly
  incremental refresh compares (deep_medicare.file_fingerprints; cached beside the build file), and
  `deep_medicare_file_encoding(path)`, the text encoding found in the same read (staging's auto encoding).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.events.logging import AdapterLogger
from dbt_common.exceptions import DbtRuntimeError
from duckdb import DuckDBPyConnection
from duckdb.sqltypes import VARCHAR

from deep_medicare.file_fingerprints import FingerprintCache
from deep_medicare.publish import PublishError, is_locked, publish

PUBLISH_FUNCTION = "deep_medicare_publish_warehouse"
FINGERPRINT_FUNCTION = "deep_medicare_file_sha256"
ENCODING_FUNCTION = "deep_medicare_file_encoding"
# Beside the build file: <build>.file-sha256.json
FINGERPRINT_CACHE_SUFFIX = ".file-sha256.json"
logger = AdapterLogger("DuckDB")


class Plugin(BasePlugin):
    """Publishes the build file to `served_path` when the on-run-end hook asks for it."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        """Read `served_path` from the plugin's config in the profile."""
        served = plugin_config.get("served_path")
        if not served:
            raise DbtRuntimeError("the deep_medicare publish plugin needs served_path in profiles.yml")
        self.served_path = Path(served)

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        """Before dbt opens the build file: stop with one clear line if another process holds it."""
        build_path = Path(creds.path)
        if is_locked(build_path):
            raise DbtRuntimeError(
                f"Another process is using the build file {build_path} (most likely another dbt build): "
                "wait for it to finish, or stop it, then build again. The served warehouse "
                f"{self.served_path} is not affected."
            )

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        """Register the publish function on dbt's connection to the build file."""
        build_path = Path(self.creds.path)

        def publish_warehouse() -> str:
            try:
                message = publish(build_path, self.served_path).message()
            except PublishError as error:
                raise DbtRuntimeError(f"The warehouse was not published: {error}") from error
            logger.info(message)
            return message

        conn.create_function(PUBLISH_FUNCTION, publish_warehouse, [], VARCHAR, side_effects=True)

        fingerprints = FingerprintCache(build_path.with_name(build_path.name + FINGERPRINT_CACHE_SUFFIX))

        def raw_file_function(read: Callable[[str], str | None], verb: str) -> Callable[[str], str | None]:
            """`read` of a raw file; a file that cannot be read fails the build with one line naming it."""

            def function(path: str) -> str | None:
                try:
                    return read(path)
                except OSError as error:
                    raise DbtRuntimeError(f"Cannot {verb} raw file '{path}': {error}") from error

            return function

        conn.create_function(
            FINGERPRINT_FUNCTION,
            raw_file_function(fingerprints.sha256, "fingerprint"),
            [VARCHAR],
            VARCHAR,
            side_effects=True,
        )
        # null for a compression the fingerprint read does not decompress: staging then probes in DuckDB
        conn.create_function(
            ENCODING_FUNCTION,
            raw_file_function(fingerprints.encoding, "read"),
            [VARCHAR],
            VARCHAR,
            null_handling="special",
            side_effects=True,
        )
