"""TensorFlow Playground's 2D data sets and two moons, with features, splits and standardization.

Pure NumPy (no torch): a data set is arrays, reproducible under a seed. Classification labels are 0/1;
regression targets are floats. Generators follow the Playground's definitions (dataset.ts) in spirit: the
same shapes, written anew here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION = ("plane", "multi_gauss")
DIGITS = "digits"  # scikit-learn's bundled 8x8 handwritten digits: 1 797 images, 10 classes
DATASETS = CLASSIFICATION + REGRESSION
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")


DIGIT_IMAGES = 1797
MIN_HELD_OUT = 10  # fewer validation or test points make their loss and accuracy noise (3 points: 0 %, 33 %, ...)


def split_counts(size: int, validation: float, test: float) -> tuple[int, int, int]:
    """How many of `size` points go to training, validation and test."""
    test_count, val_count = round(test * size), round(validation * size)
    return size - test_count - val_count, val_count, test_count


def held_out_too_small(size: int, validation: float, test: float,
                       minimum: int = MIN_HELD_OUT) -> tuple[str, int] | None:
    """("validation" or "test", its count) of the first held-out part with fewer than `minimum` points (a part
    asked for, share > 0), or None."""
    _, val_count, test_count = split_counts(size, validation, test)
    for part, share, count in (("validation", validation, val_count), ("test", test, test_count)):
        if share > 0 and count < minimum:
            return part, count
    return None


@dataclass
class Split:
    """Inputs and targets of the train, validation and test parts."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str  # "classification" or "regression"
    classes: int
    chosen: tuple[str, ...] = ("x1", "x2")
    mean: np.ndarray | None = None  # the training part's feature means and deviations (None: not standardized)
    deviation: np.ndarray | None = None
    points: np.ndarray | None = None  # the raw 2D points, train then validation then test (for plots)

    def inputs_at(self, points: np.ndarray) -> np.ndarray:
        """What the network sees at raw 2D `points` (..., 2): the same features and standardization."""
        flat = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        inputs = features(flat, self.chosen)
        if self.mean is not None:
            inputs = (inputs - self.mean) / self.deviation
        return inputs


def generate(name: str, size: int = 500, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`size` points (x in about [-6, 6]²) and their labels; `noise` in [0, 0.5] blurs the classes."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}: known are {', '.join(DATASETS)}")
    if not 4 <= size <= 100_000:
        raise ValueError(f"size = {size} is out of range: allowed [4, 100000]")
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise = {noise} is out of range: allowed [0, 0.5]")
    rng = np.random.default_rng(seed)
    half = size // 2
    if name == "circle":
        radius = 5.0
        inner = rng.uniform(0, radius * 0.5, half)
        outer = rng.uniform(radius * 0.7, radius, size - half)
        r = np.concatenate([inner, outer])
        angle = rng.uniform(0, 2 * np.pi, size)
        x = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
        x += rng.normal(0, noise * radius, x.shape)
        return x, np.repeat([0, 1], [half, size - half]).astype(np.int64)
    if name == "xor":
        x = rng.uniform(-5, 5, (size, 2))
        x += np.sign(x) * 0.3  # keep points off the axes
        labels = (x[:, 0] * x[:, 1] >= 0).astype(np.int64)
        x += rng.normal(0, noise * 5, x.shape)
        return x, labels
    if name == "gauss":
        centres = np.array([[2.0, 2.0], [-2.0, -2.0]])
        y = np.repeat([0, 1], [half, size - half])
        x = centres[y] + rng.normal(0, 1.0 + noise * 6, (size, 2))
        return x, y.astype(np.int64)
    if name == "spiral":
        y = np.repeat([0, 1], [half, size - half])
        t = np.concatenate([np.linspace(0, 1, half), np.linspace(0, 1, size - half)])
        radius = 5 * t
        angle = 1.75 * t * 2 * np.pi + np.pi * y
        x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
        x += rng.normal(0, noise * 2, x.shape)
        return x, y.astype(np.int64)
    if name == "moons":
        y = np.repeat([0, 1], [half, size - half])
        t = rng.uniform(0, np.pi, size)
        upper = np.stack([np.cos(t), np.sin(t)], axis=1)
        lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
        x = np.where(y[:, None] == 0, upper, lower)
        x = (x - [0.5, 0.25]) * 3.0 + rng.normal(0, noise * 2 + 0.05, (size, 2))
        return x, y.astype(np.int64)
    x = rng.uniform(-6, 6, (size, 2))
    if name == "plane":
        target = x[:, 0] / 6 * 0.5 + x[:, 1] / 6 * 0.5
    else:
        centres = np.array([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]])
        signs = np.array([1, -1, 1, -1, 1, -1])
        distance = np.linalg.norm(x[:, None, :] - centres[None], axis=-1)
        target = (signs * np.exp(-(distance**2) / 2)).sum(axis=1)
    return x + rng.normal(0, noise * 2, x.shape), target.astype(np.float64)


def features(x: np.ndarray, chosen: tuple[str, ...] = ("x1", "x2")) -> np.ndarray:
    """The input columns the network sees, among x1, x2, x1², x2², x1·x2, sin x1, sin x2."""
    unknown = [name for name in chosen if name not in FEATURES]
    if unknown or not chosen:
        raise ValueError(f"features must be a non-empty choice among {', '.join(FEATURES)}")
    x1, x2 = x[:, 0], x[:, 1]
    columns = {"x1": x1, "x2": x2, "x1^2": x1 * x1, "x2^2": x2 * x2, "x1*x2": x1 * x2, "sin(x1)": np.sin(x1),
               "sin(x2)": np.sin(x2)}
    return np.stack([columns[name] for name in chosen], axis=1)


def split(name: str, size: int = 500, noise: float = 0.0, seed: int = 0, validation: float = 0.2,
          test: float = 0.2, chosen: tuple[str, ...] = ("x1", "x2"), standardize: bool = True) -> Split:
    """A data set cut into train / validation / test after one seeded shuffle; inputs standardized with the
    training part's mean and deviation only (no peeking at validation or test)."""
    if not (0 <= validation < 1 and 0 <= test < 1 and validation + test < 0.9):
        raise ValueError("validation and test fractions must be in [0, 1) and leave at least 10 % for training")
    points, targets = generate(name, size, noise, seed)
    order = np.random.default_rng(seed + 1).permutation(len(points))
    inputs, targets = features(points[order], chosen), targets[order]
    train_end, val_count, _ = split_counts(size, validation, test)
    parts = [slice(0, train_end), slice(train_end, train_end + val_count), slice(train_end + val_count, size)]
    mean = deviation = None
    if standardize:
        mean = inputs[parts[0]].mean(axis=0)
        deviation = np.where(inputs[parts[0]].std(axis=0) > 0, inputs[parts[0]].std(axis=0), 1.0)
        inputs = (inputs - mean) / deviation
    task = "classification" if name in CLASSIFICATION else "regression"
    return Split(*(array for part in parts for array in (inputs[part], targets[part])), task=task,
                 classes=2 if task == "classification" else 1, chosen=tuple(chosen), mean=mean, deviation=deviation,
                 points=points[order])


def digits_split(seed: int = 0, validation: float = 0.2, test: float = 0.2, size: int | None = None) -> Split:
    """scikit-learn's handwritten digits (shipped inside the package: nothing is downloaded), pixels scaled to
    [0, 1], 64 inputs per image, shuffled under `seed` and cut into train / validation / test."""
    if not (0 <= validation < 1 and 0 <= test < 1 and validation + test < 0.9):
        raise ValueError("validation and test fractions must be in [0, 1) and leave at least 10 % for training")
    from sklearn.datasets import load_digits  # imported only when the digits are asked for

    images = load_digits()
    inputs = images.data.astype(np.float64) / 16.0
    targets = images.target.astype(np.int64)
    order = np.random.default_rng(seed + 1).permutation(len(inputs))
    if size is not None:
        if not 20 <= size <= len(order):
            raise ValueError(f"size = {size} is out of range: allowed [20, {len(order)}] for the digits")
        order = order[:size]
    inputs, targets = inputs[order], targets[order]
    count = len(order)
    train_end, val_count, _ = split_counts(count, validation, test)
    parts = [slice(0, train_end), slice(train_end, train_end + val_count), slice(train_end + val_count, count)]
    return Split(*(array for part in parts for array in (inputs[part], targets[part])), task="classification",
                 classes=10, chosen=(), mean=None, deviation=None, points=None)
