"""Write includes/reserved_names.yml: the names a project must not take.

A package called `json` or `torch` shadows the module of that name (the service
dies with ModuleNotFoundError or worse at start); a distribution called `numpy`
or `pip` makes the project's own dependencies unresolvable or replaces the
installer; `con` or `nul` cannot be a folder on Windows. copier.yml includes the
file as hidden questions, so the validators of project_slug and package_name
read the lists, and tests/test_answers.py derives its cases from the same file.

The lists come from their sources, never typed by hand:
- import names: this interpreter's `sys.stdlib_module_names`, and the top-level
  import names of every distribution installed in the environments given
  (rendered projects with every extra installed: dependencies, and what they
  pull in);
- distribution names: the distributions in those environments, the
  dependencies named in templates/*/pyproject.toml.jinja, and the installers.

Run it with a rendered project's environment of each track at its highest
level, after changing a dependency:

    .venv/bin/python scripts/reserved_names.py /tmp/cm/.venv /tmp/dl/.venv /tmp/genai/.venv
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "includes" / "reserved_names.yml"

# Windows refuses these as file or folder names, with any extension
# (learn.microsoft.com: "Naming Files, Paths, and Namespaces").
WINDOWS_DEVICE_NAMES = ["con", "prn", "aux", "nul"] + [
    f"{device}{n}" for device in ("com", "lpt") for n in range(10)
]
# What installs a project: a distribution of that name would replace it.
INSTALLERS = ["pip", "setuptools", "wheel", "uv", "hatchling"]
# Folders of the project itself.
PROJECT_FOLDERS = ["src", "test", "tests"]

# A requirement string in a pyproject template: "name[extra]>=1.2" or "name>=1.2".
REQUIREMENT = re.compile(r'^\s*"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*[<>=!~;"]', re.M)

# Asks an environment's own interpreter what it has installed.
LIST_ENVIRONMENT = """
import importlib.metadata as m, json
dists = sorted({d.metadata["Name"] for d in m.distributions() if d.metadata["Name"]})
imports = sorted(m.packages_distributions())
print(json.dumps({"distributions": dists, "imports": imports}))
"""


def normalise(distribution: str) -> str:
    """PEP 503: the name pip and uv compare."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def template_dependencies() -> set[str]:
    names: set[str] = set()
    for pyproject in (ROOT / "templates").glob("*/pyproject.toml.jinja"):
        names |= {normalise(name) for name in REQUIREMENT.findall(pyproject.read_text())}
    return {name for name in names if "{" not in name}


def environment(venv: Path) -> dict[str, list[str]]:
    output = subprocess.run(
        [str(venv / "bin" / "python"), "-c", LIST_ENVIRONMENT],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


def is_import_name(name: str) -> bool:
    # package_name is lowercase; an upper-case module (PIL) is still shadowed on
    # case-insensitive file systems (macOS, Windows), so its lowercase form counts.
    return re.fullmatch(r"[a-z_][a-z0-9_]*", name.lower()) is not None and not name.startswith(
        "__editable__"
    )


def reserved(venvs: list[Path]) -> tuple[list[str], list[str]]:
    imports = {name.lower() for name in sys.stdlib_module_names} | set(PROJECT_FOLDERS)
    distributions = template_dependencies() | set(INSTALLERS)
    for venv in venvs:
        found = environment(venv)
        imports |= {name.lower() for name in found["imports"] if is_import_name(name)}
        distributions |= {normalise(name) for name in found["distributions"]}
    imports |= {name.replace("-", "_") for name in distributions}
    return sorted(n for n in imports if is_import_name(n)), sorted(distributions)


def main(venvs: list[Path]) -> None:
    imports, distributions = reserved(venvs)
    # Projects rendered into those environments install themselves: leave the
    # template's own default names out, or the defaults would be refused.
    own = {
        "tumor-classifier",
        "digit-recognizer",
        "shape-classifier",
        "document-search",
        "document-assistant",
    }
    distributions = [name for name in distributions if name not in own]
    imports = [name for name in imports if name.replace("_", "-") not in own]
    lines = [
        "# Written by scripts/reserved_names.py: run it again after changing a dependency.",
        "# Hidden questions (never asked, never recorded) read by the validators of",
        "# project_slug and package_name in copier.yml.",
        "reserved_import_names:",
        "  type: yaml",
        "  when: false",
        f"  default: {json.dumps(imports)}",
        "reserved_distribution_names:",
        "  type: yaml",
        "  when: false",
        f"  default: {json.dumps(distributions)}",
        "windows_device_names:",
        "  type: yaml",
        "  when: false",
        f"  default: {json.dumps(WINDOWS_DEVICE_NAMES)}",
    ]
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text("\n".join(lines) + "\n")
    print(
        f"{OUTPUT.relative_to(ROOT)}: {len(imports)} import names, "
        f"{len(distributions)} distribution names"
    )


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]])
