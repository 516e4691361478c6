"""Run Superset from its own environment: initialise its metadata once (a state folder under the warehouse
directory holds the SQLite database, the secret key, the pid file and the log), start gunicorn in the
background, wait until it answers, and stop it by its pid."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ADMIN_USER = "admin"
START_TIMEOUT_SECONDS = 300.0
STOP_TIMEOUT_SECONDS = 30.0


class SupersetStartError(RuntimeError):
    """Superset did not start; the message ends with its log."""


def _alive(pid: int) -> bool:
    """True while the process runs (a child of ours that exited is reaped, not counted)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass(frozen=True)
class Server:
    """Where Superset's environment, config and state are, and where it listens."""

    venv: Path
    config: Path
    state_dir: Path
    host: str = "127.0.0.1"
    port: int = 8088

    @property
    def url(self) -> str:
        """The base URL it answers on."""
        return f"http://{self.host}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "superset.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "superset.log"

    def environment(self) -> dict[str, str]:
        """The environment Superset's commands run with: its config file and state folder."""
        return os.environ | {
            "SUPERSET_CONFIG_PATH": str(self.config.resolve()),
            "DEEP_MEDICARE_SUPERSET_DIR": str(self.state_dir.resolve()),
            "SUPERSET_HOME": str(self.state_dir.resolve()),
            "FLASK_APP": "superset",
        }

    def _superset(self, *args: str) -> None:
        with self.log_file.open("a") as log:
            result = subprocess.run(
                [str(self.venv / "bin" / "superset"), *args],
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if result.returncode != 0:
            raise SupersetStartError(f"`superset {args[0]}` failed:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """The end of Superset's log."""
        if not self.log_file.exists():
            return "(no log)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    def initialise(self, admin_password: str) -> bool:
        """Create the state folder, secret key, metadata database and admin user, once; True if it did."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        key = self.state_dir / "secret_key"
        if not key.exists():
            key.write_text(secrets.token_urlsafe(42) + "\n")
            key.chmod(0o600)
        stamp = self.state_dir / "initialised"
        if stamp.exists():
            return False
        self._superset("db", "upgrade")
        self._superset(
            "fab",
            "create-admin",
            "--username",
            ADMIN_USER,
            "--firstname",
            "Deep",
            "--lastname",
            "Medicare",
            "--email",
            "admin@localhost",
            "--password",
            admin_password,
        )
        self._superset("init")
        stamp.touch()
        return True

    def running_pid(self) -> int | None:
        """The pid of the Superset this state folder started, if it is still running."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def answers(self) -> bool:
        """True when Superset's health check answers OK."""
        try:
            return requests.get(f"{self.url}/health", timeout=5).text.strip() == "OK"
        except requests.RequestException:
            return False

    def start(self) -> bool:
        """Start gunicorn (one worker, four threads) in the background unless it runs; wait until Superset
        answers. True if it started it."""
        if self.running_pid() is not None and self.answers():
            return False
        if self.answers():
            raise SupersetStartError(f"something else already answers on {self.url}: set SUPERSET_PORT")
        with self.log_file.open("a") as log:
            process = subprocess.Popen(
                [
                    str(self.venv / "bin" / "gunicorn"),
                    "--bind",
                    f"{self.host}:{self.port}",
                    "--workers",
                    "1",
                    "--threads",
                    "4",
                    "--timeout",
                    "300",
                    "superset.app:create_app()",
                ],
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{process.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.answers():
            if process.poll() is not None:
                raise SupersetStartError(f"Superset exited with {process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise SupersetStartError(f"Superset did not answer within {START_TIMEOUT_SECONDS:.0f} s")
            time.sleep(1)
        return True

    def stop(self) -> bool:
        """Stop the Superset this state folder started (TERM, then KILL after a grace period); True if one
        was running."""
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.killpg(pid, signal.SIGTERM)  # gunicorn leads its own process group (start_new_session)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True
