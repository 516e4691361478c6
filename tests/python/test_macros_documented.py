"""Every macro sits in a folder by concern and is described in that folder's one properties file.

macros/<folder>/ holds the macros of one concern (ingest, refresh, peers, anomaly, serving, portability,
tests, trends) and one `_<folder>__macros.yml`. Each macro and generic test of the folder's SQL files has an
entry there with a description; a macro that is not an engine body (default__, duckdb__, spark__) lists its
arguments, by the names and in the order of its signature. Read from the files, so it needs no build.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
MACROS = REPO_ROOT / "macros"
FOLDERS = ("ingest", "refresh", "peers", "anomaly", "serving", "portability", "tests", "trends")
SIGNATURE = re.compile(r"{%-?\s*(macro|test)\s+(\w+)\((.*?)\)\s*-?%}", re.S)
ENGINE_BODY = re.compile(r"^(default|duckdb|spark)__")


def signatures(folder: Path) -> dict[str, list[str]]:
    """Each macro of the folder's SQL files (a generic test as test_<name>), with its argument names."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.sql")):
        for kind, name, arguments in SIGNATURE.findall(path.read_text()):
            key = f"test_{name}" if kind == "test" else name
            found[key] = [part.split("=")[0].strip() for part in arguments.split(",") if part.strip()]
    return found


def test_macros_live_only_in_the_concern_folders() -> None:
    stray = [
        path.relative_to(REPO_ROOT).as_posix()
        for path in MACROS.rglob("*.sql")
        if path.parent.name not in FOLDERS or path.parent.parent != MACROS
    ]
    assert not stray, f"macro files outside macros/<{'|'.join(FOLDERS)}>/: {stray}"


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_macro_is_described_with_its_arguments(folder: str) -> None:
    properties_path = MACROS / folder / f"_{folder}__macros.yml"
    assert properties_path.exists(), f"{properties_path.relative_to(REPO_ROOT)} is missing"
    entries = {entry["name"]: entry for entry in yaml.safe_load(properties_path.read_text())["macros"]}
    problems = []
    for name, arguments in signatures(MACROS / folder).items():
        entry = entries.get(name)
        if entry is None or not (entry.get("description") or "").strip():
            problems.append(f"{name}: no description")
            continue
        if ENGINE_BODY.match(name) or not arguments:
            continue
        documented = [argument["name"] for argument in entry.get("arguments") or []]
        if documented != arguments:
            problems.append(f"{name}: arguments {documented} in the yml, {arguments} in the signature")
    stale = sorted(set(entries) - set(signatures(MACROS / folder)))
    problems += [f"{name}: described, but no such macro in macros/{folder}/" for name in stale]
    assert not problems, f"{properties_path.relative_to(REPO_ROOT)}:\n" + "\n".join(problems)
