"""scikit-learn's bundled digits: 1,797 images of 8x8 pixels, ten classes, offline.

The service turns uploaded images into the same form (see ``serving/images.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

from .config import Settings
from .digits import MAX_PIXEL_VALUE


@dataclass(frozen=True)
class Split:
    """Images as float32 arrays of shape (N, 1, 8, 8) in [0, 1]; labels as int64 (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_images() -> tuple[np.ndarray, np.ndarray]:
    digits = load_digits()
    images = (digits.images / MAX_PIXEL_VALUE).astype(np.float32)[:, None, :, :]
    return images, digits.target.astype(np.int64)


def split_dataset(settings: Settings) -> Split:
    """Stratified test, validation and training splits, the same for the same seed."""
    images, labels = load_images()
    x_rest, x_test, y_rest, y_test = train_test_split(
        images,
        labels,
        test_size=settings.test_fraction,
        stratify=labels,
        random_state=settings.seed,
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest,
        y_rest,
        test_size=settings.validation_fraction,
        stratify=y_rest,
        random_state=settings.seed,
    )
    return Split(x_train, y_train, x_val, y_val, x_test, y_test)


def loader(
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
) -> DataLoader:
    # The whole data set is a few hundred kB: tensors in memory, no worker processes.
    dataset = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)
