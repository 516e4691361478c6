"""Every shell and SQL block of README.md that is meant for the shipped sample runs, against the warehouse
`make build` (or `make test`'s dbt build) published; and every relative link of README.md and docs/ resolves.

A block is marked by a tag after its language in the opening fence (```` ```bash server ````): `long`,
`server`, `national` and `spark` blocks are skipped, as the README says. A block in any other language, or
with a tag this module does not know, fails: a new kind of block needs a rule here before it is published.

SQL blocks run read-only through DuckDB, statement by statement. Shell blocks run with bash (errexit,
pipefail) from the repository root, with the files they would write (the report, the export, the build file
`mf` opens) redirected into a scratch folder, so that a test beside this one keeps the project's own files to
itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from serving_support import REPO_ROOT, built_served_warehouse

README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
MAX_README_LINES = 350
SHELL_LANGUAGES = frozenset({"bash", "sh", "shell"})
SQL_LANGUAGES = frozenset({"sql"})
# Fenced text that is not code (the pipeline picture): nothing to run.
TEXT_LANGUAGES = frozenset({"text"})
SKIPPED_TAGS = {
    "long": "takes minutes (a build, the test suite, a benchmark)",
    "server": "runs a server until stopped",
    "national": "needs the national CMS files",
    "spark": "needs the Spark environment (make spark-install)",
}
# make's own variables, set when pytest runs under `make test`: a make started inside a block would take
# them for a sub-make's and print "Entering directory" lines
MAKE_VARIABLES = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")
FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# [text](target) and ![alt](target); the target ends at whitespace or the closing parenthesis
LINK = re.compile(r"!?\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")


@dataclass(frozen=True)
class Block:
    """One fenced block of README.md: where it opens, its language, the tags after it, and its text."""

    line: int
    language: str
    tags: tuple[str, ...]
    text: str

    @property
    def id(self) -> str:
        return f"line{self.line}-{'-'.join((self.language or 'plain', *self.tags))}"


def fenced_blocks(markdown: str) -> list[Block]:
    """The fenced code blocks of a CommonMark text, in order (indented fences inside lists included)."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        fence = opening["fence"] if opening else ""
        # a backtick fence's info string holds no backtick: `` ```bash server ``` `` inside a sentence is code
        if not opening or (fence[0] == "`" and "`" in opening["info"]):
            index += 1
            continue
        words = opening["info"].split()
        body: list[str] = []
        closing = index + 1
        while closing < len(lines) and not re.fullmatch(
            rf"\s*{re.escape(fence[0])}{{{len(fence)},}}\s*", lines[closing]
        ):
            body.append(lines[closing])
            closing += 1
        blocks.append(Block(index + 1, words[0].lower() if words else "", tuple(words[1:]), "\n".join(body)))
        index = closing + 1
    return blocks


README_BLOCKS = fenced_blocks(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def served() -> Path:
    return built_served_warehouse()


@pytest.fixture(scope="module")
def warehouse(served: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(served), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def shell_environment(served: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of the shell blocks: the served warehouse as it is, every file they write elsewhere.

    `mf` opens dbt's build file for writing; here it gets a copy of the served warehouse of its own (named as
    the profile names build files, so that the catalog is still `medicare`), never the project's build file,
    which the docs and semantic-layer tests open in another process.
    """
    scratch = tmp_path_factory.mktemp("readme")
    build_file = scratch / "medicare.duckdb.build"
    shutil.copyfile(served, build_file)
    environment = {name: value for name, value in os.environ.items() if name not in MAKE_VARIABLES}
    environment.update(
        DBT_PROFILES_DIR=str(REPO_ROOT),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        MEDICARE_DUCKDB_PATH=str(served),
        MEDICARE_DUCKDB_BUILD_PATH=str(build_file),
        MEDICARE_EXPORT_DIR=str(scratch / "export"),
        REPORT=str(scratch / "report" / "medicare_report.html"),
    )
    return environment


def run_sql(connection: duckdb.DuckDBPyConnection, text: str) -> None:
    """Run every statement of a SQL block and fetch its rows; a DuckDB error fails with the statement."""
    statements = connection.extract_statements(text)
    assert statements, "a SQL block with no statement"
    for statement in statements:
        try:
            connection.execute(statement).fetchall()
        except duckdb.Error as error:
            pytest.fail(f"{error}\nin the statement:\n{statement.query.strip()}")


def run_shell(environment: dict[str, str], text: str) -> None:
    """Run a shell block with bash from the repository root; any failing command fails the block."""
    completed = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", text],
        cwd=REPO_ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, (
        f"exit {completed.returncode}\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    )


def test_readme_has_runnable_blocks_of_both_kinds():
    """The blocks below are found at all: a fence the parser missed would pass by running nothing."""
    runnable = [block for block in README_BLOCKS if not set(block.tags) & SKIPPED_TAGS.keys()]
    assert {block.language for block in runnable} >= {"bash", "sql"}


@pytest.mark.parametrize("block", README_BLOCKS, ids=[block.id for block in README_BLOCKS])
def test_readme_block_runs(block: Block, request: pytest.FixtureRequest):
    unknown = [tag for tag in block.tags if tag not in SKIPPED_TAGS]
    assert not unknown, f"README.md line {block.line}: tags {unknown} mean nothing to this test"
    skipped = [SKIPPED_TAGS[tag] for tag in block.tags]
    if skipped:
        pytest.skip(f"README.md line {block.line}: {'; '.join(skipped)}")
    if block.language in TEXT_LANGUAGES:
        return
    if block.language in SQL_LANGUAGES:
        run_sql(request.getfixturevalue("warehouse"), block.text)
    elif block.language in SHELL_LANGUAGES:
        run_shell(request.getfixturevalue("shell_environment"), block.text)
    else:
        pytest.fail(
            f"README.md line {block.line}: a ```{block.language} block, which this test cannot run; "
            f"run it here, or tag it ({', '.join(SKIPPED_TAGS)})"
        )


def test_readme_is_at_most_350_lines():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines: move what a user does not need to docs/"


def heading_anchors(markdown: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown text: lowercase, punctuation dropped, spaces to -."""
    anchors = set()
    in_code = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code and (heading := re.match(r"#{1,6}\s+(.*)", line)):
            text = re.sub(r"[^\w\- ]", "", heading[1].strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def markdown_files() -> list[Path]:
    return [README, REPO_ROOT / "CONTRIBUTING.md", *sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize("document", markdown_files(), ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_relative_links_resolve(document: Path):
    """Every relative link (and image) names a file or folder of the repository, and its #anchor a heading."""
    broken = []
    for match in LINK.finditer(document.read_text(encoding="utf-8")):
        target = match["target"]
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path_part, _, anchor = target.partition("#")
        path = (document.parent / path_part).resolve() if path_part else document
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in heading_anchors(path.read_text("utf-8")):
            broken.append(f"{target}: no heading #{anchor}")
    assert not broken, f"{document.relative_to(REPO_ROOT)}: " + "; ".join(broken)
