"""Which device torch runs on: the one asked for, or the best one present."""

from __future__ import annotations

import torch


def pick_device(preferred: str) -> str:
    """'auto' picks cuda, then mps (Apple silicon), then cpu."""
    if preferred != "auto":
        return preferred
    if torch.cuda.is_available():
        return "cuda"
    return "mps" if torch.backends.mps.is_available() else "cpu"
