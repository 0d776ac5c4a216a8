"""docs/gallery.md shows every built track and level, with pictures that exist."""

from __future__ import annotations

import re
import sys

from PIL import Image

from matrix import ROOT, built_track_levels

sys.path.insert(0, str(ROOT / "scripts"))
import gallery

PAGE = ROOT / "docs" / "gallery.md"


def test_every_track_and_level_has_a_screenshot_and_its_results() -> None:
    text = PAGE.read_text()
    sections = text.split("\n## ")[1:]
    assert [section.split("\n", 1)[0] for section in sections] == [
        f"{track}, {level}" for track, level in built_track_levels()
    ]
    for (track, level), section in zip(built_track_levels(), sections, strict=True):
        (picture,) = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", section)
        assert picture == f"gallery/{track}-{level}.png"
        with Image.open(PAGE.parent / picture) as image:
            assert image.format == "PNG" and image.width == gallery.GALLERY_WIDTH
        assert re.search(r"^\|.*\|$", section, re.MULTILINE), f"{track} {level}: no table"
        assert gallery.ADDS[(track, level)] in section


def test_the_gallery_describes_exactly_the_built_levels() -> None:
    assert set(gallery.ADDS) == set(built_track_levels())


def test_the_readme_links_the_gallery() -> None:
    assert "(docs/gallery.md)" in (ROOT / "README.md").read_text()
