"""The reference seeds agree with published listings, kept as test fixtures in another shape, so a wrong row
in a seed fails here, named.

- seeds/us_states.csv against the Census Bureau's "Census Regions and Divisions of the United States"
  (tests/fixtures/census_regions_divisions.csv: region, division, state FIPS code and full name, listed by
  division, as the Bureau's state geocodes table lists them);
- seeds/hcpcs_add_on_codes.csv against the add-on codes and the primary codes each is reported with
  (tests/fixtures/add_on_code_primaries.csv, from the CPT instructions NCCI's add-on code list repeats:
  17312 with 17311, 17314 with 17313, 17315 with any of 17311-17314);
- seeds/entity_codes.csv and seeds/place_of_service_codes.csv against the values the CMS data dictionary of
  the Physician & Other Practitioners files gives Rndrng_Prvdr_Ent_Cd and Place_Of_Srvc
  (tests/fixtures/cms_physician_code_values.csv).

ruca_codes.csv (the USDA's codes changed between the 2000 and 2010 releases) and us_state_tiles.csv (a layout
of this project's own) are not checked here: no listing is kept for them.
"""

from __future__ import annotations

import csv
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = REPO_ROOT / "seeds"
FIXTURES = REPO_ROOT / "tests" / "fixtures"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def us_states_disagreements(states: list[dict[str, str]], census: list[dict[str, str]]) -> list[str]:
    """One line per seed row that disagrees with the Census listing, and per listed state the seed lacks."""
    listed = {row["state_name"]: row for row in census}
    problems = []
    for row in states:
        name = row["state_name"]
        expected = listed.get(name)
        if expected is None:
            # not a state or DC: territories, armed forces, unknown carry no Census region or division
            if row["census_region"] or row["census_division"]:
                problems.append(
                    f"{row['state_code']} ({name}): not in a Census region, but the seed says "
                    f"{row['census_region']} / {row['census_division']}"
                )
            continue
        seed = (row["state_fips"], row["census_region"], row["census_division"])
        published = (expected["state_fips"], expected["region_name"], expected["division_name"])
        if seed != published:
            problems.append(
                f"{row['state_code']} ({name}): seed says FIPS {seed[0]}, {seed[1]} / {seed[2]}; "
                f"the Census Bureau lists FIPS {published[0]}, {published[1]} / {published[2]}"
            )
        is_state = name != "District of Columbia"
        if row["is_state"] != str(is_state).lower() or row["is_territory"] != "false":
            problems.append(f"{row['state_code']} ({name}): is_state should be {str(is_state).lower()}")
    missing = sorted(set(listed) - {row["state_name"] for row in states})
    problems += [f"{name}: listed by the Census Bureau, missing from the seed" for name in missing]
    return problems


def test_the_census_listing_is_whole():
    census = read_rows(FIXTURES / "census_regions_divisions.csv")
    assert len(census) == 51  # 50 states and the District of Columbia
    assert {row["region_name"] for row in census} == {"Northeast", "Midwest", "South", "West"}
    assert len({row["division_name"] for row in census}) == 9


def test_us_states_regions_divisions_and_fips_are_the_census_bureaus():
    states = read_rows(SEEDS / "us_states.csv")
    census = read_rows(FIXTURES / "census_regions_divisions.csv")
    problems = us_states_disagreements(states, census)
    assert not problems, "seeds/us_states.csv disagrees with the Census listing:\n" + "\n".join(problems)


def test_a_state_moved_to_another_division_is_named():
    # the check above on a copy of the seed with Washington moved to the Mountain division of the South
    states = read_rows(SEEDS / "us_states.csv")
    census = read_rows(FIXTURES / "census_regions_divisions.csv")
    moved = [
        {**row, "census_region": "South", "census_division": "Mountain"} if row["state_code"] == "WA" else row
        for row in states
    ]
    assert us_states_disagreements(moved, census) == [
        "WA (Washington): seed says FIPS 53, South / Mountain; "
        "the Census Bureau lists FIPS 53, West / Pacific"
    ]


def test_hcpcs_add_on_codes_are_the_published_add_ons_with_their_primary_codes():
    seed = read_rows(SEEDS / "hcpcs_add_on_codes.csv")
    primaries: dict[str, set[str]] = {}
    for row in read_rows(FIXTURES / "add_on_code_primaries.csv"):
        primaries.setdefault(row["add_on_code"], set()).add(row["primary_code"])
    problems = []
    for row in seed:
        code, base = row["hcpcs_code"], row["base_hcpcs_code"]
        is_add_on = code in primaries
        if row["is_add_on"] != str(is_add_on).lower():
            problems.append(f"{code}: is_add_on {row['is_add_on']}, published {str(is_add_on).lower()}")
        if is_add_on and base not in primaries[code]:
            problems.append(f"{code}: base {base} is not one of its primary codes {sorted(primaries[code])}")
        if not is_add_on and base != code:
            problems.append(f"{code}: a primary code is its own base, not {base}")
    problems += [
        f"{code}: a published add-on missing from the seed"
        for code in sorted(set(primaries) - {row["hcpcs_code"] for row in seed})
    ]
    assert not problems, "seeds/hcpcs_add_on_codes.csv:\n" + "\n".join(problems)


def test_entity_and_place_of_service_codes_are_the_data_dictionarys():
    values: dict[str, dict[str, str]] = {}
    for row in read_rows(FIXTURES / "cms_physician_code_values.csv"):
        values.setdefault(row["field"], {})[row["value"]] = row["meaning"]
    entities = {row["entity_code"]: row["entity_type"] for row in read_rows(SEEDS / "entity_codes.csv")}
    assert entities == values["Rndrng_Prvdr_Ent_Cd"]
    # the seed's name may lead with a common example ("office, non-facility"); its last part is the meaning
    places = {
        row["place_of_service"]: row["place_of_service_name"].split(", ")[-1]
        for row in read_rows(SEEDS / "place_of_service_codes.csv")
    }
    assert places == values["Place_Of_Srvc"]
