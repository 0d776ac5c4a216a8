"""Pick where tensors live, and make runs repeatable."""

from __future__ import annotations

import random

import numpy as np
import torch


def pick_device(preferred: str = "auto") -> torch.device:
    """'auto' -> cuda if present, then Apple's mps, then cpu; otherwise as asked.

    Asking for a device that is not there is an error, not a silent fallback.
    """
    if preferred == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if preferred == "cuda" and not torch.cuda.is_available():
        raise ValueError("device=cuda was asked for, but torch sees no CUDA GPU")
    if preferred == "mps" and not torch.backends.mps.is_available():
        raise ValueError("device=mps was asked for, but this torch build has no MPS")
    return torch.device(preferred)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; return a generator for data shuffling."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return torch.Generator().manual_seed(seed)
