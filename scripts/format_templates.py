"""Developer helper: render the default project, run ruff on it, copy fixes back.

Plain template files (no .jinja suffix) are copied back as ruff left them; the
generated tests' .jinja files differ from their output only by the package
name, so that is swapped back. Anything else is reported for a manual edit.
Usage: python scripts/format_templates.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import copier

ROOT = Path(__file__).resolve().parents[1]
TRACK = ROOT / "templates" / "classical-ml"
PACKAGE = "tumor_classifier"
INCLUDE = re.compile(r'\{% include "([^"]+)" %\}')


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "project"
        copier.run_copy(
            str(ROOT), out, vcs_ref="HEAD", defaults=True, unsafe=False, skip_tasks=True, quiet=True
        )
        ruff = [sys.executable, "-m", "ruff"]
        subprocess.run([*ruff, "check", "--fix", "--quiet", str(out)], check=False)
        subprocess.run([*ruff, "format", "--quiet", str(out)], check=True)
        for rendered in sorted(out.rglob("*.py")):
            relative = rendered.relative_to(out)
            template_rel = Path(str(relative).replace(PACKAGE, "{{package_name}}"))
            plain, jinja = TRACK / template_rel, TRACK / f"{template_rel}.jinja"
            text = rendered.read_text()
            if plain.exists():
                if plain.read_text() != text:
                    plain.write_text(text)
                    print(f"formatted {template_rel}")
            elif jinja.exists() and INCLUDE.fullmatch(jinja.read_text()):
                shared = ROOT / INCLUDE.fullmatch(jinja.read_text()).group(1)
                if shared.read_text() != text:
                    shared.write_text(text)
                    print(f"formatted {shared.relative_to(ROOT)}")
            elif jinja.exists() and "{%" not in jinja.read_text():
                restored = text.replace(PACKAGE, "{{ package_name }}")
                if jinja.read_text() != restored and str(relative).startswith("tests"):
                    jinja.write_text(restored)
                    print(f"formatted {template_rel}.jinja")
        subprocess.run([*ruff, "check", str(out)], check=False)
        subprocess.run([*ruff, "format", "--diff", str(out)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
