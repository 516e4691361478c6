"""One home per constant: the SQL models take theirs from the dbt macro anomaly_constant, the Python package
from deep_medicare.robust, and the two homes must agree."""

from __future__ import annotations

import re
from pathlib import Path

from deep_medicare import robust, scoring, year_features

REPO_ROOT = Path(__file__).resolve().parents[2]
MACRO = REPO_ROOT / "macros" / "anomaly" / "anomaly_constants.sql"


def macro_constants() -> dict[str, float]:
    """The name: value pairs of the macro's dictionary, read from its text."""
    text = MACRO.read_text()
    body = text[text.index("{%- set constants = {") : text.index("} -%}")]
    return {name: float(value) for name, value in re.findall(r"'(\w+)':\s*([-+0-9.eE]+)", body)}


def test_the_macro_holds_every_constant_the_sql_needs():
    assert set(macro_constants()) == {"mad_to_sigma", "mean_ad_to_sigma", "log_floor", "min_relative_spread"}


def test_the_macro_and_the_python_package_agree():
    constants = macro_constants()
    assert constants["mad_to_sigma"] == robust.MAD_TO_SIGMA
    assert constants["mean_ad_to_sigma"] == robust.MEAN_AD_TO_SIGMA
    assert constants["log_floor"] == robust.LOG_FLOOR


def test_the_package_modules_use_the_one_python_home():
    assert scoring.MAD_TO_SIGMA is robust.MAD_TO_SIGMA
    assert year_features.LOG_FLOOR is robust.LOG_FLOOR
    for path in (REPO_ROOT / "python" / "deep_medicare").glob("*.py"):
        if path.name != "robust.py":
            assignments = re.findall(
                r"^(MAD_TO_SIGMA|MEAN_AD_TO_SIGMA|LOG_FLOOR)\s*=", path.read_text(), re.M
            )
            assert not assignments, f"{path.name} defines {assignments} again"
