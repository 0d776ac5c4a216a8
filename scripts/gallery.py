"""Write docs/gallery.md: each built track and level, as a visitor sees it.

Its inputs come from a full run of the suite (`.ci/run`, or `scripts/test.sh`
with Docker and Chromium):

- build/screenshots/<track>-<level>.png: the demo page in Chromium, after the
  visitor's first action (tests/test_containers.py);
- build/results/<track>-<level>.md: the results table `train` or `index`
  wrote into that project's README (tests/test_project.py).

The screenshots are scaled to GALLERY_WIDTH pixels and copied to docs/gallery/.
Run it after a full run, from the checkout that ran it:

    .venv/bin/python scripts/gallery.py            # or --build /path/to/clone/build
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from matrix import built_track_levels  # noqa: E402 (the cases, derived from copier.yml)

GALLERY = ROOT / "docs" / "gallery.md"
PICTURES = ROOT / "docs" / "gallery"
GALLERY_WIDTH = 800

# What each level adds over the one below, as its README's feature list says.
ADDS = {
    ("classical-ml", "beginner"): (
        "A scikit-learn pipeline on tabular data (the bundled breast-cancer set or "
        "your CSV), tracked in MLflow, served by FastAPI with a form built from the "
        "model's own schema."
    ),
    ("classical-ml", "intermediate"): (
        "Boosted trees beside the linear baseline, Optuna tuning, a pandera data "
        "schema, the registry's champion alias, and SHAP: the page shows the "
        "contributions behind each prediction."
    ),
    ("classical-ml", "advanced"): (
        "A compose stack with an MLflow server on PostgreSQL, distributed tuning, "
        "Prometheus metrics, drift reports, a model card and a release workflow."
    ),
    ("deep-learning", "beginner"): (
        "A digits CNN in plain PyTorch, exported to ONNX and served by onnxruntime, "
        "with a pad to draw a digit on."
    ),
    ("deep-learning", "intermediate"): (
        "Transfer learning from a torchvision backbone on an image folder, and "
        "Grad-CAM: the page shows where the model looked."
    ),
    ("deep-learning", "advanced"): (
        "torchrun DDP or FSDP training, mixed precision, and an int8 model measured "
        "against the float one."
    ),
    ("genai", "beginner"): (
        "Semantic search: documents chunked by the encoder's own tokens, embedded "
        "with all-MiniLM-L6-v2, evaluated on labelled queries; OpenAI-compatible "
        "embeddings."
    ),
    ("genai", "intermediate"): (
        "Answers from a language model that cite the passages they use, a FAISS "
        "index, MLflow traces and answer evaluation."
    ),
    ("genai", "advanced"): (
        "LoRA fine-tuning and an OpenAI-compatible chat API: the page streams the "
        "model's answer token by token."
    ),
}


def missing_inputs(build: Path) -> list[Path]:
    return [
        path
        for track, level in built_track_levels()
        for path in (
            build / "screenshots" / f"{track}-{level}.png",
            build / "results" / f"{track}-{level}.md",
        )
        if not path.is_file()
    ]


def write_gallery(build: Path) -> None:
    """Scale the pictures into docs/gallery/ and write the page."""
    sections = [
        "# Gallery",
        "",
        "Each track at each level, as its demo page looks after a visitor's first",
        "action, with the results its own `train` or `index` wrote into its README.",
        "Pictures and tables come from the template's suite (`.ci/run`): refresh",
        "them with `scripts/gallery.py` after a full run.",
    ]
    PICTURES.mkdir(parents=True, exist_ok=True)
    for track, level in built_track_levels():
        name = f"{track}-{level}"
        with Image.open(build / "screenshots" / f"{name}.png") as picture:
            height = round(picture.height * GALLERY_WIDTH / picture.width)
            small = picture.convert("RGB").resize((GALLERY_WIDTH, height), Image.Resampling.LANCZOS)
            # A 256-colour palette: a third of the bytes, no visible loss on a page.
            small.quantize(colors=256).save(PICTURES / f"{name}.png", optimize=True)
        results = (build / "results" / f"{name}.md").read_text().strip()
        sections += [
            "",
            f"## {track}, {level}",
            "",
            ADDS[(track, level)],
            "",
            f"![The {track} {level} demo page](gallery/{name}.png)",
            "",
            results,
        ]
    GALLERY.write_text("\n".join(sections) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build", help="the run's build/")
    arguments = parser.parse_args()
    missing = missing_inputs(arguments.build)
    if missing:
        for path in missing:
            print(f"missing: {path} (run the whole suite first)", file=sys.stderr)
        return 1
    write_gallery(arguments.build)
    print(f"wrote {GALLERY.relative_to(ROOT)} and {PICTURES.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
