"""scripts/newest_dependencies.py: the part that runs without the network.

The scheduled workflow installs each level's project with its upper bounds
dropped; here, the rewriting is checked on every level's real pyproject.toml.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from matrix import ROOT, Case, level_defaults

sys.path.insert(0, str(ROOT / "scripts"))
import newest_dependencies as newest  # a script, not a package: imported from its folder

LEVEL_DEFAULTS = level_defaults()


def requirements(pyproject: str) -> list[str]:
    document = tomllib.loads(pyproject)
    table = document["project"]
    extras = [r for extra in table["optional-dependencies"].values() for r in extra]
    return [*table["dependencies"], *extras, *document["build-system"]["requires"]]


@pytest.mark.parametrize("case", LEVEL_DEFAULTS, ids=[case.id for case in LEVEL_DEFAULTS])
def test_every_upper_bound_and_only_it_is_dropped(
    case: Case, rendered: Callable[[Case], Path]
) -> None:
    bounded = (rendered(case) / "pyproject.toml").read_text()
    relaxed = newest.without_upper_bounds(bounded)
    before, after = requirements(bounded), requirements(relaxed)
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        assert "<" not in new.split(";")[0], new
        assert new == re.sub(r",<[0-9]+", "", old, count=1), (old, new)  # nothing else changed
    names = {re.match(r"[A-Za-z0-9_.\-]+", r)[0].lower() for r in before if ",<" in r}
    assert set(newest.upper_bounds(bounded)) == names


def test_versions_past_the_tested_range_are_named() -> None:
    bounds = newest.upper_bounds(
        '"pandas>=3.1.1,<4",\n"fastapi>=0.163.2,<1; sys_platform == \'linux\'",'
    )
    assert bounds == {"pandas": 4, "fastapi": 1}
    installed = {"pandas": "4.0.1", "fastapi": "0.170.0"}
    assert newest.past_tested_range(bounds, installed) == ["pandas 4.0.1"]
