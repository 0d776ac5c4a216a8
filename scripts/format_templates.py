"""Developer helper: render each track's fullest project, run ruff, copy fixes back.

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
# track -> (its default package name, its highest built level: the one with the most
# files; the digits files that deep-learning replaces from intermediate up are not in it)
TRACKS = {
    "classical-ml": ("tumor_classifier", "advanced"),
    "deep-learning": ("shape_classifier", "advanced"),
    "genai": ("document_assistant", "advanced"),
}
INCLUDE = re.compile(r'\{% include "([^"]+)" %\}')
CONDITIONAL = re.compile(r"\{% if [^%]+ %\}(.*?)\{% endif %\}")


def template_sources(track: Path, package: str) -> dict[Path, Path]:
    """Each rendered file's path -> the template file it came from.

    A name that two templates can render to (`{% if flag %}x.py{% endif %}` and
    `{% if not flag %}x.py{% endif %}`) is left out: which one rendered depends on
    the answers, so those files are reported by the final ruff run instead.
    """
    sources: dict[Path, Path] = {}
    ambiguous: set[Path] = set()
    for path in track.rglob("*"):
        if path.is_file():
            name = CONDITIONAL.sub(r"\1", str(path.relative_to(track)))
            name = Path(name.replace("{{package_name}}", package).removesuffix(".jinja"))
            if name in sources:
                ambiguous.add(name)
            sources[name] = path
    return {name: path for name, path in sources.items() if name not in ambiguous}


def main() -> int:
    for track, (package, level) in TRACKS.items():
        format_track(track, package, level)
    return 0


def format_track(track: str, package: str, level: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "project"
        copier.run_copy(
            str(ROOT),
            out,
            data={"track": track, "level": level},
            vcs_ref="HEAD",
            defaults=True,
            unsafe=False,
            skip_tasks=True,
            quiet=True,
        )
        ruff = [sys.executable, "-m", "ruff"]
        subprocess.run([*ruff, "check", "--fix", "--quiet", str(out)], check=False)
        subprocess.run([*ruff, "format", "--quiet", str(out)], check=True)
        sources = template_sources(ROOT / "templates" / track, package)
        for rendered in sorted(out.rglob("*.py")):
            relative = rendered.relative_to(out)
            source = sources.get(relative)
            text = rendered.read_text()
            if source is None:
                continue
            template = source.read_text()
            if source.suffix != ".jinja":
                if template != text:
                    source.write_text(text)
                    print(f"formatted {source.relative_to(ROOT)}")
            elif INCLUDE.fullmatch(template):
                shared = ROOT / INCLUDE.fullmatch(template).group(1)
                if "{%" in shared.read_text():
                    continue  # a template itself: its rendering is not its source
                if shared.read_text() != text:
                    shared.write_text(text)
                    print(f"formatted {shared.relative_to(ROOT)}")
            elif "{%" not in template and str(relative).startswith("tests"):
                restored = text.replace(package, "{{ package_name }}")
                if template != restored:
                    source.write_text(restored)
                    print(f"formatted {source.relative_to(ROOT)}")
        subprocess.run([*ruff, "check", str(out)], check=False)
        subprocess.run([*ruff, "format", "--diff", str(out)], check=False)


if __name__ == "__main__":
    sys.exit(main())
