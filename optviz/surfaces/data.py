"""Loss surfaces made of data: a two-parameter model's loss over its two parameters (w, b).

    linreg   y = w·u + b fitted to points (x, y) by mean squared error, u = x or x standardized
    logreg   P(y = 1 | x) = σ(w·x + b) fitted to two Gaussian classes on a line by cross entropy (+ L2)

The surface (its contour, minima, f*, the recorded loss of every step) is the loss over the whole data set. A step's
gradient is the gradient of its mini-batch: with batch = 0 (or ≥ n) the whole data set, and the surface is an ordinary
deterministic function (batch gradient descent); with 1 ≤ batch < n the objective is stochastic and the engine's
driver hands it the step t and the runs' flat indices (optviz/engine/driver.py), so that

- runs are reproducible from batch_seed: the same seed, the same batches;
- each of K vectorized runs draws its own batches (run k of a batch of K draws what run k draws alone);
- without replacement (the default, as a shuffled data loader) every epoch is a fresh permutation of the n points,
  cut into ceil(n / batch) batches, the last one smaller when batch does not divide n; with replacement every batch is
  `batch` independent uniform draws (d2l.ai 12.4).

The random numbers are counter-based (a SplitMix64 hash of seed, run, step or epoch, and slot), so a batch is a pure
function of (batch_seed, run, step): nothing is carried from step to step, nothing is shared between sessions or
threads. An epoch's permutation ranks the n points by a hashed key each, so a step without replacement costs
O(n log n) per run (it re-derives its epoch's order); with replacement, O(batch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from optviz.engine.spec import INT, Spec

from .library import Family, Surface

MAX_POINTS = 2000
LINREG = "linreg"
LOGREG = "logreg"

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _mix(value: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer over uint64 arrays (wrapping arithmetic): a counter in, 64 random-looking bits out."""
    shape = np.shape(value)
    z = np.array(value, dtype=np.uint64, ndmin=1) + _GOLDEN  # arrays wrap silently; NumPy scalars would warn
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return (z ^ (z >> np.uint64(31))).reshape(shape)


_MASK = (1 << 64) - 1


def _mix_int(value: int) -> int:
    """_mix on one Python integer (no NumPy call: the scalar parts of a key cost nothing)."""
    z = (value + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _key(seed: int, runs: np.ndarray, counter: int, stream: int) -> np.ndarray:
    """One 64-bit key per run for (seed, counter, stream): mix(S + run·φ) with S = mix(mix(seed) ^ (2·counter +
    stream)); φ is odd, so distinct runs give distinct keys (mix is a bijection)."""
    base = _mix_int(_mix_int(seed) ^ (2 * counter + stream))
    return _mix(np.uint64(base) + np.asarray(runs).astype(np.uint64) * _GOLDEN)


@dataclass(frozen=True, eq=False)
class DataProblem:
    """The data behind a data surface, its model and how a step samples it.

    x, y: the raw points (n,); u: the model's input, (x − shift) / scale; batch: the mini-batch size of a step (n for
    the whole data set); replace: sampling with replacement; batch_seed: the sampling stream; l2: for logreg, the
    penalty λ/2·(w² + b²) that is part of the loss."""

    kind: str
    x: np.ndarray
    y: np.ndarray
    shift: float
    scale: float
    batch: int
    replace: bool
    batch_seed: int
    l2: float = 0.0
    u: np.ndarray = field(init=False, repr=False)
    _slots: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "u", (self.x - self.shift) / self.scale)
        object.__setattr__(self, "_slots", np.arange(len(self.x), dtype=np.uint64))

    @property
    def n(self) -> int:
        """The number of points."""
        return self._slots.size

    @property
    def full_batch(self) -> bool:
        """Whether every step sees the whole data set (batch gradient descent)."""
        return self.batch >= self.n

    @property
    def steps_per_epoch(self) -> float:
        """Steps per pass over n examples: ceil(n / batch) without replacement, n / batch with."""
        return self.n / self.batch if self.replace else float(math.ceil(self.n / self.batch))

    def batch_size_at(self, step) -> np.ndarray:
        """The size of step t's batch (the last batch of an epoch without replacement may be smaller)."""
        if isinstance(step, int) and not self.replace and not self.full_batch:
            within = step % math.ceil(self.n / self.batch)
            return min(self.batch, self.n - within * self.batch)
        step = np.asarray(step, dtype=np.int64)
        if self.replace or self.full_batch:
            return np.full(step.shape, self.batch, dtype=np.int64)
        per_epoch = math.ceil(self.n / self.batch)
        within = step % per_epoch
        return np.minimum(self.batch, self.n - within * self.batch)

    def examples_seen(self, steps) -> np.ndarray:
        """How many examples the first t steps processed, for each t in `steps`."""
        steps = np.asarray(steps, dtype=np.int64)
        if self.replace or self.full_batch:
            return steps * self.batch
        per_epoch = math.ceil(self.n / self.batch)
        epochs, within = np.divmod(steps, per_epoch)
        return epochs * self.n + np.minimum(within * self.batch, self.n)

    def epochs(self, steps) -> np.ndarray:
        """Passes over the data after each of `steps`: examples seen / n."""
        return self.examples_seen(steps) / self.n

    def epoch_order(self, epoch: int, runs=0) -> np.ndarray:
        """Without replacement: the order in which each run visits the n points in epoch e, (*runs.shape, n): the
        points ranked by a random key each, a uniformly random permutation. A pure function of (batch_seed, run, e)."""
        ranks = _mix(_key(self.batch_seed, np.asarray(runs, dtype=np.int64), int(epoch), 1)[..., None]
                     + self._slots * _GOLDEN)
        return np.argsort(ranks, axis=-1)

    def batch_indices(self, step: int, runs=0, order: np.ndarray | None = None) -> np.ndarray:
        """The indices of the points in step t's batch for each run, shape (*runs.shape, batch size at t).

        Full batch: every point in order. A pure function of (batch_seed, run, step); `order` may hand in
        epoch_order(the step's epoch, runs), already computed."""
        runs = np.asarray(runs, dtype=np.int64)
        step = int(step)
        size = int(self.batch_size_at(step))
        if self.full_batch:
            return np.broadcast_to(np.arange(self.n), (*runs.shape, self.n))
        slots = self._slots[:size]
        if self.replace:
            bits = _mix(_key(self.batch_seed, runs, step, 0)[..., None] + slots * _GOLDEN)
            return ((bits >> np.uint64(11)).astype(np.float64) * 2.0**-53 * self.n).astype(np.int64)
        epoch, within = divmod(step, math.ceil(self.n / self.batch))
        if order is None:
            order = self.epoch_order(epoch, runs)
        return order[..., within * self.batch: within * self.batch + size]

    def predict(self, w, b, xs) -> np.ndarray:
        """The model at raw inputs xs for parameters (w, b) (arrays broadcast against xs): a line, or a probability."""
        z = np.asarray(w)[..., None] * ((np.asarray(xs) - self.shift) / self.scale) + np.asarray(b)[..., None]
        return z if self.kind == LINREG else _sigmoid(z)

    def loss_on(self, params: np.ndarray, indices: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Loss and gradient on the points `indices` (shape (*B, m); None: all of them) at params (2, *B).

        linreg: mean (w·u + b − y)²; logreg: mean(log(1 + e^z) − y·z) + λ/2·(w² + b²), z = w·u + b."""
        w, b = np.asarray(params[0]), np.asarray(params[1])
        u, y = self.u, self.y
        if indices is not None:
            u, y = u[indices], y[indices]
        z = w[..., None] * u + b[..., None]
        if self.kind == LINREG:
            residual = z - y
            value = np.mean(residual * residual, axis=-1)
            slope = 2 * residual
        else:
            value = np.mean(np.logaddexp(0.0, z) - y * z, axis=-1) + 0.5 * self.l2 * (w * w + b * b)
            slope = _sigmoid(z) - y
        grad = np.empty((2, *np.shape(value)))
        grad[0] = np.mean(slope * u, axis=-1)
        grad[1] = np.mean(slope, axis=-1)
        if self.kind == LOGREG and self.l2:
            grad[0] += self.l2 * w
            grad[1] += self.l2 * b
        return value, grad

    def hessian(self, point) -> np.ndarray:
        """The full-data loss's Hessian at (w, b), 2 × 2 (constant for linreg)."""
        u = self.u
        if self.kind == LINREG:
            weights = np.full(self.n, 2.0)
        else:
            p = _sigmoid(point[0] * u + point[1])
            weights = p * (1 - p)
        design = np.stack([u, np.ones_like(u)])
        return (design * weights) @ design.T / self.n + (self.l2 * np.eye(2) if self.kind == LOGREG else 0.0)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for any z, no overflow warnings


class DataObjective:
    """The engine protocol for a data surface: value_and_grad(p, step=None, runs=None) → (full-data loss, gradient).

    Without a step (contours, minima, any plain caller) the gradient is the full-data gradient; with one, on a
    mini-batch surface, it is the gradient of that step's batch for each run. The loss is always the full-data loss,
    so that curves, f − f*, tolerances and divergence mean the same at every batch size."""

    def __init__(self, problem: DataProblem, optimum: tuple[float, float] | None, f_star: float | None):
        self.problem = problem
        self.stochastic = not problem.full_batch
        self._optimum = optimum
        self._f_star = f_star
        # The last epoch's order, (epoch, runs, order): without it every step would shuffle all n points again to
        # read its batch (n/batch times per epoch). A memo of a pure function, one entry, replaced in one assignment:
        # whoever reads it finds either no match or exactly what epoch_order would return, whatever thread wrote it.
        self._last_order: tuple | None = None
        if problem.kind == LINREG:
            u = problem.u
            self._moments = np.array([[np.mean(u * u), np.mean(u)], [np.mean(u), 1.0]])

    def __call__(self, p: np.ndarray, step: int | None = None, runs=None) -> tuple[np.ndarray, np.ndarray]:
        problem = self.problem
        if problem.kind == LINREG:
            # L(θ) = f* + (θ − θ*)ᵀ M (θ − θ*) with M = XᵀX / n: the same numbers as mean (w·u + b − y)², without
            # the cancellation near the minimum that would floor f − f* at ~10⁻¹⁵ · |y|².
            dw, db = p[0] - self._optimum[0], p[1] - self._optimum[1]
            (m00, m01), (_, m11) = self._moments
            mw = m00 * dw + m01 * db
            mb = m01 * dw + m11 * db
            value = self._f_star + (dw * mw + db * mb)
            if step is None or not self.stochastic:
                grad = np.empty_like(p)
                grad[0] = 2 * mw
                grad[1] = 2 * mb
                return value, grad
            return value, self._batch_gradient(p, step, runs)
        value, grad = problem.loss_on(p)
        if step is not None and self.stochastic:
            grad = self._batch_gradient(p, step, runs)
        return value, grad

    def _batch_gradient(self, p: np.ndarray, step: int, runs) -> np.ndarray:
        """Each run's gradient on its batch: (1/m)·Σ ℓ'(z_i)·(u_i, 1) over the batch, z_i = w·u_i + b."""
        problem = self.problem
        runs = np.zeros(p.shape[1:], dtype=np.int64) if runs is None else np.asarray(runs)
        order = None
        if not problem.replace:
            epoch = step // math.ceil(problem.n / problem.batch)
            last = self._last_order
            if last is not None and last[0] == epoch and last[1].shape == runs.shape and np.array_equal(last[1], runs):
                order = last[2]
            else:
                order = problem.epoch_order(epoch, runs)
                self._last_order = (epoch, runs.copy(), order)
        indices = problem.batch_indices(step, runs, order)
        u, y = problem.u[indices], problem.y[indices]
        w, b = p[0], p[1]
        z = u * np.asarray(w)[..., None]
        z += np.asarray(b)[..., None]
        if problem.kind == LINREG:
            z -= y
            z *= 2.0
        else:
            z = _sigmoid(z)
            z -= y
        grad = np.empty_like(p)
        share = 1.0 / z.shape[-1]
        grad[1] = z.sum(axis=-1) * share
        z *= u
        grad[0] = z.sum(axis=-1) * share
        if problem.l2:
            grad[0] += problem.l2 * w
            grad[1] += problem.l2 * b
        return grad


# ---------------------------------------------------------------- the data


def linreg_data(n: int, slope: float, intercept: float, noise: float, outliers: float, x_mean: float, x_std: float,
                seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points x ~ N(x_mean, x_std²), y = slope·x + intercept + N(0, noise²); a share `outliers` of them (chosen at
    random) lifted by 6 to 10 above their line, as gross errors that pull a least-squares fit."""
    rng = np.random.default_rng(seed)
    x = rng.normal(x_mean, x_std, n)
    y = slope * x + intercept + noise * rng.normal(size=n)
    count = round(outliers * n)
    if count:
        chosen = rng.choice(n, size=count, replace=False)
        y[chosen] += rng.uniform(6.0, 10.0, size=count)
    return x, y


def logreg_data(n: int, separation: float, spread: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points on a line, half of class 0 around −separation/2 and half of class 1 around +separation/2, each class
    N(centre, spread²); labels 0 and 1."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    x = (labels - 0.5) * separation + spread * rng.normal(size=n)
    return x, labels.astype(np.float64)


def _separable(u: np.ndarray, y: np.ndarray) -> bool:
    negative, positive = u[y == 0], u[y == 1]
    return bool(negative.max() < positive.min() or positive.max() < negative.min())


def _newton(problem: DataProblem) -> np.ndarray | None:
    """The minimum of the full-data logistic loss by damped Newton steps from (0, 0); None when it does not exist."""
    theta = np.zeros(2)
    value, grad = problem.loss_on(theta)
    for _ in range(100):
        direction = np.linalg.solve(problem.hessian(theta), grad)
        size = 1.0
        while size > 1e-10:  # backtracking: Newton's full step can overshoot far from the minimum
            trial = theta - size * direction
            trial_value, trial_grad = problem.loss_on(trial)
            if trial_value <= value - 1e-4 * size * float(grad @ direction):
                break
            size /= 2
        theta, value, grad = trial, trial_value, trial_grad
        if np.linalg.norm(grad) < 1e-13:
            break
    return theta if np.all(np.isfinite(theta)) and np.linalg.norm(grad) < 1e-9 else None


def _sampling(problem_kind, x, y, shift, scale, batch, replace, batch_seed, l2=0.0) -> DataProblem:
    n = len(x)
    effective = n if batch == 0 or batch >= n else int(batch)
    return DataProblem(problem_kind, x, y, float(shift), float(scale), effective, bool(replace), int(batch_seed),
                       float(l2))


def _round_view(centre: tuple[float, float], half: float) -> tuple[tuple[float, float, float, float], tuple]:
    cx, cy = round(centre[0]), round(centre[1])
    view = (cx - half, cx + half, cy - half, cy + half)
    starts = ((cx - 0.75 * half, cy + 0.75 * half), (cx + 0.75 * half, cy - 0.75 * half))
    return view, starts


def _batch_text(problem: DataProblem, lang: str) -> str:
    if problem.full_batch:
        return {"en": "every step uses all n points (batch gradient descent)",
                "zh": "每一步使用全部 n 个点（批量梯度下降）"}[lang]
    sampling = {"en": "drawn with replacement" if problem.replace else "reshuffled every epoch",
                "zh": "有放回抽样" if problem.replace else "每轮重新打乱"}[lang]
    if problem.batch == 1:
        return {"en": f"every step uses one random point, {sampling} (stochastic gradient descent)",
                "zh": f"每一步使用一个随机点，{sampling}（随机梯度下降）"}[lang]
    return {"en": f"every step uses a mini-batch of {problem.batch} points, {sampling} (mini-batch gradient descent)",
            "zh": f"每一步使用 {problem.batch} 个点的小批量，{sampling}（小批量梯度下降）"}[lang]


def _linreg(n, slope, intercept, noise, outliers, x_mean, x_std, standardize, seed, batch, replace,
            batch_seed) -> Surface:
    x, y = linreg_data(n, slope, intercept, noise, outliers, x_mean, x_std, seed)
    shift, scale = (float(np.mean(x)), float(np.std(x))) if standardize and np.std(x) > 0 else (0.0, 1.0)
    problem = _sampling(LINREG, x, y, shift, scale, batch, replace, batch_seed)
    design = np.stack([problem.u, np.ones(n)], axis=1)
    optimum, *_ = np.linalg.lstsq(design, y, rcond=None)
    f_star = float(np.mean((design @ optimum - y) ** 2))
    eigenvalues = tuple(float(value) for value in np.linalg.eigvalsh(problem.hessian(optimum)))
    objective = DataObjective(problem, (float(optimum[0]), float(optimum[1])), f_star)
    view, starts = _round_view(optimum, 4.0)
    input_name = r"\tilde x" if scale != 1.0 or shift != 0.0 else "x"
    scaled = {"en": " Here x is standardized (mean 0, standard deviation 1): the bowl is round.",
              "zh": " 这里 x 已标准化（均值 0、标准差 1）：碗是圆的。"} if standardize else {"en": "", "zh": ""}
    line = f"{slope:g}·x " + (f"− {-intercept:g}" if intercept < 0 else f"+ {intercept:g}")
    lesson = {
        "en": f"Linear regression as a loss surface: {n} points y = {line} + noise, the model "
              f"y = w·x + b, and the mean squared error over (w, b), a bowl with its minimum at the least-squares fit "
              f"(w, b) = ({optimum[0]:.3g}, {optimum[1]:.3g}). The horizontal axis is w, the vertical b. Its Hessian's "
              f"eigenvalues are {eigenvalues[0]:.3g} and {eigenvalues[1]:.3g}: the larger x's mean is against its "
              f"spread, the narrower and more tilted the bowl.{scaled['en']} Full-batch gradient descent is stable for "
              f"η < 2/λ_max = {2 / eigenvalues[1]:.3g}. Here {_batch_text(problem, 'en')}; the "
              f"contour and the loss curves are the loss over all the data.",
        "zh": f"把线性回归看作损失曲面：{n} 个点 y = {line} + 噪声，模型 y = w·x + b，"
              f"(w, b) 上的均方误差是一个碗，最小值就是最小二乘解 (w, b) = ({optimum[0]:.3g}, {optimum[1]:.3g})。"
              f"横轴是 w，纵轴是 b。Hessian 的特征值为 {eigenvalues[0]:.3g} 和 {eigenvalues[1]:.3g}："
              f"x 的均值相对于其离散程度越大，碗就越狭长、越倾斜。{scaled['zh']}全批量梯度下降在 "
              f"η < 2/λ_max = {2 / eigenvalues[1]:.3g} 时稳定。这里{_batch_text(problem, 'zh')}；"
              f"等高线和损失曲线都是全部数据上的损失。",
    }
    latex = (rf"f(w, b) = \frac{{1}}{{{n}}}\sum_{{i=1}}^{{{n}}} \left(w\,{input_name}_i + b - y_i\right)^2")
    return Surface(
        LINREG, "Linear regression (data)", "线性回归（数据）", latex, objective, view, starts,
        ((float(optimum[0]), float(optimum[1])),), f_star, lesson["en"], lesson["zh"],
        {"n": n, "slope": slope, "intercept": intercept, "noise": noise, "outliers": outliers, "x_mean": x_mean,
         "x_std": x_std, "standardize": standardize, "seed": seed, "batch": batch, "replace": replace,
         "batch_seed": batch_seed},
        eigenvalues if problem.full_batch else None, data=problem, axis_names=("w", "b"),
    )


def _logreg(n, separation, spread, l2, seed, batch, replace, batch_seed) -> Surface:
    x, y = logreg_data(n, separation, spread, seed)
    problem = _sampling(LOGREG, x, y, 0.0, 1.0, batch, replace, batch_seed, l2)
    separable = _separable(problem.u, y) and l2 == 0
    optimum = None if separable else _newton(problem)
    if optimum is None:
        minima, f_star = (), None
        view, starts = (-2.0, 10.0, -6.0, 6.0), ((-1.0, 4.0), (0.0, -4.0))
    else:
        minima, f_star = ((float(optimum[0]), float(optimum[1])),), float(problem.loss_on(optimum)[0])
        view, starts = _round_view(optimum, 5.0)
    where = {"en": f"its minimum is at (w, b) = ({optimum[0]:.3g}, {optimum[1]:.3g})",
             "zh": f"最小值在 (w, b) = ({optimum[0]:.3g}, {optimum[1]:.3g})"} if optimum is not None else {
        "en": "the classes are separable, so the loss has no minimum: it keeps falling as w grows, and gradient "
              "descent runs away along w for ever. A little L2 (l2 > 0) gives it a minimum",
        "zh": "两类线性可分，损失没有最小值：w 越大损失越小，梯度下降会沿 w 方向一直跑下去。加一点 L2（l2 > 0）"
              "就有了最小值"}
    lesson = {
        "en": f"Logistic regression as a loss surface: {n} points of two classes on a line "
              f"(centres ±{separation / 2:g}, spread {spread:g}), the model P(y = 1) = σ(w·x + b) and the cross "
              f"entropy CE(y, p) = −y·log p − (1 − y)·log(1 − p) averaged over the points; {where['en']}. "
              f"The horizontal axis is w, the vertical b. Here {_batch_text(problem, 'en')}; the contour and the loss "
              f"curves are the loss over all the data.",
        "zh": f"把逻辑回归看作损失曲面：直线上两类共 {n} 个点（中心 ±{separation / 2:g}，离散程度 {spread:g}），"
              f"模型 P(y = 1) = σ(w·x + b)，损失是各点交叉熵 "
              f"CE(y, p) = −y·log p − (1 − y)·log(1 − p) 的平均；{where['zh']}。横轴是 w，纵轴是 b。"
              f"这里{_batch_text(problem, 'zh')}；等高线和损失曲线都是全部数据上的损失。",
    }
    # CE(y, p) = −y log p − (1 − y) log(1 − p), the cross entropy: short enough for the playground's formula slot
    penalty = rf" + \tfrac{{{l2:g}}}{{2}}(w^2 + b^2)" if l2 else ""
    latex = rf"f(w, b) = \frac{{1}}{{{n}}}\sum_{{i=1}}^{{{n}}} \mathrm{{CE}}\big(y_i, \sigma(w x_i + b)\big){penalty}"
    return Surface(
        LOGREG, "Logistic regression (data)", "逻辑回归（数据）", latex, DataObjective(problem, None, None), view,
        starts, minima, f_star, lesson["en"], lesson["zh"],
        {"n": n, "separation": separation, "spread": spread, "l2": l2, "seed": seed, "batch": batch,
         "replace": replace, "batch_seed": batch_seed},
        data=problem, axis_names=("w", "b"),
    )


# ---------------------------------------------------------------- settings


def _number(name, en, zh, symbol, default, low, high, ui_low, ui_high, help_en, help_zh, **options) -> Spec:
    return Spec(name, en, zh, symbol, default, low=low, high=high, ui_low=ui_low, ui_high=ui_high, help_en=help_en,
                help_zh=help_zh, **options)


def _integer(name, en, zh, symbol, default, low, high, ui_high, help_en, help_zh) -> Spec:
    return Spec(name, en, zh, symbol, default, kind=INT, low=low, high=high, ui_low=low, ui_high=ui_high,
                help_en=help_en, help_zh=help_zh)


def _switch(name, en, zh, help_en, help_zh) -> Spec:
    """A yes/no setting written as 0 or 1 (surface names carry numbers only)."""
    return _integer(name, en, zh, name, 0, 0, 1, 1, help_en, help_zh)


SAMPLING_SPECS = {
    "batch": _integer("batch", "batch size (0: all)", "批量大小（0：全部）", "B", 0, 0, MAX_POINTS, 200,
                      "Points per step: 0 or n and more is the whole data set (batch gradient descent), 1 is "
                      "stochastic gradient descent, anything between is mini-batch gradient descent.",
                      "每一步使用的点数：0 或不小于 n 表示全部数据（批量梯度下降），1 为随机梯度下降，"
                      "介于两者之间为小批量梯度下降。"),
    "replace": _switch("replace", "with replacement", "有放回抽样",
                       "0: every epoch is a fresh shuffle of the data, cut into batches (each point once per epoch); "
                       "1: every batch is drawn at random with replacement.",
                       "0：每轮把数据重新打乱再切成小批量（每个点每轮恰好出现一次）；1：每个小批量都有放回地随机抽取。"),
    "batch_seed": _integer("batch_seed", "batch seed", "抽样随机种子", "s_B", 0, 0, 2**32 - 1, 9999,
                           "The same seed draws the same batches: a run can be repeated exactly.",
                           "相同的种子抽到相同的小批量，运行可以精确重复。"),
}

LINREG_SPECS = {
    "n": _integer("n", "points n", "数据点数 n", "n", 100, 2, MAX_POINTS, 500, "How many points (x, y).",
                  "数据点 (x, y) 的个数。"),
    "slope": _number("slope", "true slope", "真实斜率", "w_0", 2.0, -100.0, 100.0, -5.0, 5.0,
                     "The slope of the line the data come from.", "生成数据的直线的斜率。"),
    "intercept": _number("intercept", "true intercept", "真实截距", "b_0", -1.0, -100.0, 100.0, -5.0, 5.0,
                         "The intercept of the line the data come from.", "生成数据的直线的截距。"),
    "noise": _number("noise", "noise σ", "噪声 σ", r"\sigma", 0.5, 0.0, 100.0, 0.0, 3.0,
                     "Standard deviation of the Gaussian noise on y.", "y 上高斯噪声的标准差。"),
    "outliers": _number("outliers", "outlier share", "离群点比例", "o", 0.0, 0.0, 0.5, 0.0, 0.5,
                        "A share of the points lifted far above their line: squared error lets them pull the fit.",
                        "把一部分点抬到远高于直线的位置：平方误差会让它们把拟合线拉偏。"),
    "x_mean": _number("x_mean", "mean of x", "x 的均值", r"\mu_x", 1.0, -100.0, 100.0, -5.0, 5.0,
                      "Where the inputs x are centred: far from 0, w and b trade off and the bowl becomes a narrow, "
                      "tilted valley.", "输入 x 的中心：离 0 越远，w 与 b 越相互牵制，碗就变成狭长倾斜的山谷。"),
    "x_std": _number("x_std", "spread of x", "x 的标准差", r"\sigma_x", 1.0, 0.0, 100.0, 0.1, 5.0,
                     "The standard deviation of the inputs x.", "输入 x 的标准差。", low_inclusive=False),
    "standardize": _switch("standardize", "standardize x", "标准化 x",
                           "1: the model sees (x − mean) / std, feature scaling: the bowl becomes round.",
                           "1：模型使用 (x − 均值) / 标准差，即特征缩放：碗变圆。"),
    "seed": _integer("seed", "data seed", "数据随机种子", "s", 0, 0, 2**32 - 1, 9999,
                     "The same seed gives the same data.", "相同的种子生成相同的数据。"),
    **SAMPLING_SPECS,
}

LOGREG_SPECS = {
    "n": LINREG_SPECS["n"],
    "separation": _number("separation", "distance between the classes", "两类中心距离", "d", 2.0, 0.0, 100.0, 0.0,
                          10.0, "How far apart the two classes' centres are.", "两类数据中心之间的距离。"),
    "spread": _number("spread", "spread of each class", "每类的标准差", r"\sigma", 1.0, 0.0, 100.0, 0.05, 5.0,
                      "The standard deviation of each class: small spreads make the classes separable.",
                      "每一类的标准差：标准差小时两类线性可分。", low_inclusive=False),
    "l2": _number("l2", "L2 penalty λ", "L2 惩罚 λ", r"\lambda", 0.0, 0.0, 100.0, 0.0, 1.0,
                  "Adds λ/2·(w² + b²) to the loss: it gives separable classes a minimum.",
                  "在损失上加 λ/2·(w² + b²)：让线性可分的数据也有最小值。"),
    "seed": LINREG_SPECS["seed"],
    **SAMPLING_SPECS,
}

DATA_FAMILIES: dict[str, Family] = {
    LINREG: Family(LINREG, LINREG_SPECS, _linreg),
    LOGREG: Family(LOGREG, LOGREG_SPECS, _logreg),
}
