"""The lessons of Distill's "Why Momentum Really Works" (Goh 2017), computed: each run by the optimizer engine, each
curve beside the closed form that predicts it.

On a quadratic f(w) = ½ wᵀAw − bᵀw the error w − w* splits along the eigenvectors of A, and every eigen-component
with eigenvalue λ evolves on its own:

- gradient descent multiplies it by (1 − αλ) per step: xₖ = (1 − αλ)ᵏ x₀;
- heavy-ball momentum (the engine's PyTorch form b ← βb + g, w ← w − αb, with b₀ = 0) follows the two-term
  recurrence xₖ₊₁ = (1 + β − αλ)xₖ − βxₖ₋₁, solved by xₖ = c₁σ₁ᵏ + c₂σ₂ᵏ where σ₁, σ₂ are the roots of
  z² − (1 + β − αλ)z + β = 0 (and xₖ = (c₁ + c₂k)σᵏ at the double root, critical damping β = (1 − √(αλ))²).

Every function returns plain data (NumPy arrays in dicts) and takes plain, picklable arguments, so that a page can
cache it or send it to a worker process. Nothing here imports torch, plotly or streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from optviz.engine import build

MAX_STEPS = 100_000
GRAPHS = ("path", "grid", "expander")
SCHEDULE_KINDS = ("constant", "decaying")


def _positive(values: Sequence[float], name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size == 0 or array.size > 8 or not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name} must be 1 to 8 positive numbers, got {list(np.ravel(values))[:8]}")
    return array


def _check(lr: float, momentum: float, steps: int) -> None:
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr = {lr} is out of range: allowed (0, inf)")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum = {momentum} is out of range: allowed [0, 1)")
    if isinstance(steps, bool) or not 1 <= int(steps) <= MAX_STEPS:
        raise ValueError(f"steps = {steps} is out of range: allowed [1, {MAX_STEPS}]")


def _pipeline(lr: float, momentum: float, schedule=None):
    """The engine's SGD (PyTorch convention), with heavy-ball momentum when momentum > 0."""
    return build("sgd", {"lr": lr, "momentum": momentum}, schedule=schedule)


def run_quadratic(hessian: np.ndarray, target: np.ndarray, start: np.ndarray, lr: float, momentum: float,
                  steps: int, record: Sequence[int] | None = None) -> np.ndarray:
    """The engine minimizing ½ wᵀHw − targetᵀw from `start`: w after every step (steps + 1 rows, the start first),
    or only after the steps in `record` when it is given."""
    _check(lr, momentum, steps)
    pipeline = _pipeline(lr, momentum)
    params = np.array(start, dtype=np.float64)
    state = pipeline.init(params)
    wanted = None if record is None else set(int(step) for step in record)
    kept = [params.copy()] if wanted is None or 0 in wanted else []
    grads = np.empty_like(params)
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            np.matmul(hessian, params, out=grads)
            grads -= target
            pipeline.step(params, grads, state)
            if wanted is None or step in wanted:
                kept.append(params.copy())
    return np.array(kept)


# --------------------------------------------------------------------------------------- closed forms, one λ at a time


def momentum_roots(lr, momentum, eigenvalue) -> tuple[np.ndarray, np.ndarray]:
    """σ₁, σ₂: the roots of z² − (1 + β − αλ)z + β = 0 (complex), |σ₁| ≥ |σ₂|; broadcasts over α, β, λ."""
    centre = (1 + np.asarray(momentum, dtype=np.float64) - np.asarray(lr, dtype=np.float64) * eigenvalue) / 2
    root = np.sqrt(np.asarray(centre * centre - momentum, dtype=np.complex128))
    first, second = centre + root, centre - root
    swap = np.abs(second) > np.abs(first)
    return np.where(swap, second, first), np.where(swap, first, second)


def convergence_rate(lr, momentum, eigenvalue=1.0) -> np.ndarray:
    """max(|σ₁|, |σ₂|): the factor by which momentum shrinks the error along λ per step (< 1: converges)."""
    return np.abs(momentum_roots(lr, momentum, eigenvalue)[0])


def critical_momentum(scaled_lr) -> np.ndarray:
    """β = (1 − √(αλ))²: the momentum at which the two roots meet (critical damping)."""
    return (1 - np.sqrt(np.asarray(scaled_lr, dtype=np.float64))) ** 2


def rate_regions(scaled_lr, momentum) -> np.ndarray:
    """0 where the roots are complex (the error oscillates, rate √β), 1 where they are real, 2 where the rate is
    1 or more (divergent)."""
    scaled_lr, momentum = np.broadcast_arrays(np.asarray(scaled_lr, dtype=np.float64),
                                              np.asarray(momentum, dtype=np.float64))
    centre = (1 + momentum - scaled_lr) / 2
    region = np.where(centre * centre - momentum < 0, 0, 1)
    return np.where(convergence_rate(scaled_lr, momentum) >= 1, 2, region)


def gd_closed_form(lr: float, eigenvalues, steps: int, start=1.0) -> np.ndarray:
    """(steps + 1, n): xₖ = (1 − αλ)ᵏ x₀ for each eigenvalue λ."""
    powers = np.arange(steps + 1)[:, None]
    return np.asarray(start, dtype=np.float64) * (1 - lr * np.asarray(eigenvalues, dtype=np.float64)) ** powers


def momentum_closed_form(lr: float, momentum: float, eigenvalues, steps: int, start=1.0) -> np.ndarray:
    """(steps + 1, n): the heavy-ball error per eigen-component from its two roots.

    x₀ = start, x₁ = (1 − αλ)x₀ (the first step has an empty buffer); xₖ = c₁σ₁ᵏ + c₂σ₂ᵏ with
    c₁ = (x₁ − σ₂x₀)/(σ₁ − σ₂), c₂ = (σ₁x₀ − x₁)/(σ₁ − σ₂); at a double root σ, xₖ = (x₀ + k(x₁/σ − x₀))σᵏ."""
    eigenvalues = np.asarray(eigenvalues, dtype=np.float64)
    if momentum == 0:
        return gd_closed_form(lr, eigenvalues, steps, start)
    x0 = np.broadcast_to(np.asarray(start, dtype=np.float64), eigenvalues.shape).astype(np.complex128)
    x1 = (1 - lr * eigenvalues) * x0
    first, second = momentum_roots(lr, momentum, eigenvalues)
    k = np.arange(steps + 1)[:, None]
    gap = first - second
    double = np.abs(gap) <= 1e-7 * np.maximum(1.0, np.abs(first))
    safe_gap = np.where(double, 1.0, gap)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        distinct = ((x1 - second * x0) / safe_gap) * first ** k + ((first * x0 - x1) / safe_gap) * second ** k
        centre = (first + second) / 2  # the double root (their mean absorbs rounding)
        repeated = (x0 + k * (x1 / np.where(centre == 0, 1, centre) - x0)) * centre ** k
    return np.real(np.where(double, repeated, distinct))


# ------------------------------------------------------------------------------------------------------ milestones


def milestones(eigenvalues: Sequence[float], lr: float, momentum: float, steps: int) -> dict:
    """The engine on f(w) = ½ Σ λᵢ wᵢ² from wᵢ = 1: each eigen-component's error per step (measured), its closed form
    (GD's (1 − αλ)ᵏ, or momentum's two roots), each component's share ½λᵢwᵢ² of the loss, and each rate."""
    values = _positive(eigenvalues, "eigenvalues")
    _check(lr, momentum, steps)
    measured = run_quadratic(np.diag(values), np.zeros_like(values), np.ones_like(values), lr, momentum, steps)
    closed = momentum_closed_form(lr, momentum, values, steps)
    first, second = momentum_roots(lr, momentum, values)
    with np.errstate(over="ignore", invalid="ignore"):
        loss_parts = 0.5 * values * measured**2
    return {"eigenvalues": values, "lr": lr, "momentum": momentum, "measured": measured, "closed": closed,
            "loss_parts": loss_parts, "loss": loss_parts.sum(axis=1), "roots": np.stack([first, second], axis=1),
            "rate": np.abs(first)}


# ------------------------------------------------------------------------------------------------- the rate map


def rate_map(scaled_lrs: np.ndarray, momenta: np.ndarray) -> dict:
    """max(|σ₁|, |σ₂|) over a grid of αλ (columns) and β (rows), the regions (complex, real, divergent), and the
    critical-damping curve β = (1 − √(αλ))² (where it lies in [0, 1))."""
    scaled_lrs = np.asarray(scaled_lrs, dtype=np.float64)
    momenta = np.asarray(momenta, dtype=np.float64)
    grid_lr, grid_momentum = np.meshgrid(scaled_lrs, momenta)
    critical = critical_momentum(scaled_lrs)
    return {"scaled_lr": scaled_lrs, "momentum": momenta, "rate": convergence_rate(grid_lr, grid_momentum),
            "region": rate_regions(grid_lr, grid_momentum),
            "critical": np.where(critical < 1, critical, np.nan)}


def phase(scaled_lr: float, momentum: float, steps: int = 60) -> dict:
    """The 1-D recurrence at (αλ, β) with λ = 1, run by the engine from x₀ = 1: the points (xₖ, xₖ₊₁), its roots,
    rate and region."""
    _check(scaled_lr, momentum, steps)
    path = run_quadratic(np.eye(1), np.zeros(1), np.ones(1), scaled_lr, momentum, steps)[:, 0]
    first, second = momentum_roots(scaled_lr, momentum, 1.0)
    return {"x": path, "closed": momentum_closed_form(scaled_lr, momentum, [1.0], steps)[:, 0],
            "roots": (complex(first), complex(second)), "rate": float(abs(first)),
            "region": int(rate_regions(scaled_lr, momentum))}


def best_momentum(scaled_lr: float) -> tuple[float, float]:
    """For one eigenvalue at step αλ ≤ 1: the β with the smallest rate and that rate, (1 − √(αλ))² and 1 − √(αλ)."""
    critical = float(critical_momentum(scaled_lr))
    return critical, math.sqrt(critical)


# -------------------------------------------------------------------------- polynomial regression, eigenfeatures


def polynomial_data(points: int = 10, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`points` inputs evenly spread on [−1, 1] and noisy targets sin(πξ) + N(0, noise²)."""
    if not 3 <= points <= 30 or not 0 <= noise <= 2:
        raise ValueError("points must be in [3, 30] and noise in [0, 2]")
    inputs = np.linspace(-1, 1, points)
    targets = np.sin(np.pi * inputs) + noise * np.random.default_rng(seed).standard_normal(points)
    return inputs, targets


def features(inputs: np.ndarray, degree: int) -> np.ndarray:
    """The monomials 1, ξ, ξ², …, ξ^degree of each input (rows)."""
    return np.vander(np.asarray(inputs, dtype=np.float64), degree + 1, increasing=True)


def _filtered(filters: np.ndarray, eigenvalues: np.ndarray, vectors: np.ndarray, projection: np.ndarray) -> np.ndarray:
    """Σᵢ filterᵢ · (qᵢᵀZᵀd / λᵢ) qᵢ for filters of shape (..., n): the weights built from the eigenfeatures."""
    return (filters * projection / eigenvalues) @ vectors.T


def early_stopping_filter(lr: float, eigenvalues: np.ndarray, steps) -> np.ndarray:
    """1 − (1 − αλ)ᵏ: how much of eigenfeature λ gradient descent from w = 0 has fitted after k steps."""
    steps = np.asarray(steps, dtype=np.float64)[..., None]
    with np.errstate(divide="ignore"):
        return -np.expm1(steps * np.log1p(-lr * np.asarray(eigenvalues)))


def tikhonov_filter(penalty: float, eigenvalues: np.ndarray) -> np.ndarray:
    """λ/(λ + η): how much of eigenfeature λ the minimizer of ½‖Zw − d‖² + ½η‖w‖² keeps."""
    eigenvalues = np.asarray(eigenvalues)
    return eigenvalues / (eigenvalues + penalty)


def polynomial_regression(points: int = 10, degree: int = 9, noise: float = 0.15, seed: int = 0,
                          checkpoints: Sequence[int] = (1, 10, 100, 1000, 10_000, 100_000), grid: int = 161) -> dict:
    """Gradient descent (the engine, α = 1/λ_max, from w = 0) fitting a polynomial of `degree` to noisy points.

    Z is the monomial design matrix and ZᵀZ = QΛQᵀ; the eigenfeatures are the polynomials ξ ↦ p(ξ)ᵀqᵢ, largest λ
    first. After k steps w = Σᵢ (1 − (1 − αλᵢ)ᵏ)(qᵢᵀZᵀd/λᵢ) qᵢ: the large-λ features are fitted first. Returns the
    measured weights at each checkpoint and their closed form, the fits on `grid` inputs, the eigenfeatures, the
    least-squares fit, and the eigen-decomposition."""
    if not 1 <= degree <= min(points - 1, 15):
        raise ValueError(f"degree = {degree} is out of range: allowed [1, {min(points - 1, 15)}]")
    checkpoints = sorted(set(int(step) for step in checkpoints))
    if not checkpoints or checkpoints[0] < 1 or checkpoints[-1] > MAX_STEPS:
        raise ValueError(f"checkpoints must lie in [1, {MAX_STEPS}]")
    inputs, targets = polynomial_data(points, noise, seed)
    design = features(inputs, degree)
    hessian = design.T @ design
    eigenvalues, vectors = np.linalg.eigh(hessian)
    eigenvalues, vectors = eigenvalues[::-1], vectors[:, ::-1]
    vectors = vectors * np.where(vectors[np.abs(vectors).argmax(axis=0), np.arange(vectors.shape[1])] < 0, -1, 1)
    lr = 1 / eigenvalues[0]
    correlation = design.T @ targets
    projection = vectors.T @ correlation  # qᵢᵀZᵀd
    measured = run_quadratic(hessian, correlation, np.zeros(degree + 1), lr, 0.0, checkpoints[-1], checkpoints)
    closed = _filtered(early_stopping_filter(lr, eigenvalues, checkpoints), eigenvalues, vectors, projection)
    plot_inputs = np.linspace(-1, 1, grid)
    plot_features = features(plot_inputs, degree)
    least_squares = _filtered(np.ones_like(eigenvalues), eigenvalues, vectors, projection)
    return {"inputs": inputs, "targets": targets, "degree": degree, "lr": lr, "eigenvalues": eigenvalues,
            "vectors": vectors, "projection": projection, "checkpoints": np.array(checkpoints),
            "weights": measured, "closed_weights": closed, "grid": plot_inputs, "fits": measured @ plot_features.T,
            "least_squares": least_squares @ plot_features.T, "eigenfeatures": (plot_features @ vectors).T,
            "train_error": 0.5 * np.sum((measured @ design.T - targets) ** 2, axis=1)}


def tikhonov_fit(result: dict, penalty: float) -> tuple[np.ndarray, np.ndarray]:
    """The Tikhonov-regularized weights for `result` of polynomial_regression, and their fit on its grid."""
    if not (math.isfinite(penalty) and penalty > 0):
        raise ValueError(f"penalty = {penalty} is out of range: allowed (0, inf)")
    filters = tikhonov_filter(penalty, result["eigenvalues"])
    weights = _filtered(filters, result["eigenvalues"], result["vectors"], result["projection"])
    return weights, weights @ features(result["grid"], result["degree"]).T


def matched_penalty(lr: float, steps: int) -> float:
    """η = 1/(αk): the Tikhonov penalty whose filter λ/(λ + η) crosses ½ where k steps' filter 1 − (1 − αλ)ᵏ is
    about 1 − e⁻¹ (at λ = 1/(αk)); the two filters keep and drop the same eigenfeatures."""
    return 1.0 / (lr * steps)


# --------------------------------------------------------------------------------------------------- colorization


def graph(name: str, nodes: int = 36, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The edges (m, 2) and drawing positions (nodes, 2) of a path, a square grid, or an expander (a cycle plus a
    random perfect matching: every node has three neighbours, and the graph is well connected)."""
    if name not in GRAPHS:
        raise ValueError(f"graph = {name!r} is not known: allowed {', '.join(GRAPHS)}")
    if name == "path":
        edges = np.array([(index, index + 1) for index in range(nodes - 1)])
        # drawn as a snake over rows (left to right, then back), so it fills the same square as the grid
        side = math.ceil(math.sqrt(nodes))
        row, column = np.divmod(np.arange(nodes), side)
        column = np.where(row % 2 == 0, column, side - 1 - column)
        return edges, np.column_stack([column, -row]).astype(np.float64)
    if name == "grid":
        side = round(math.sqrt(nodes))
        if side * side != nodes:
            raise ValueError(f"a grid needs a square number of nodes, got {nodes}")
        index = np.arange(nodes).reshape(side, side)
        edges = np.concatenate([np.column_stack([index[:, :-1].ravel(), index[:, 1:].ravel()]),
                                np.column_stack([index[:-1, :].ravel(), index[1:, :].ravel()])])
        return edges, np.column_stack([index.ravel() % side, -(index.ravel() // side)]).astype(np.float64)
    if nodes % 2:
        raise ValueError(f"the expander needs an even number of nodes, got {nodes}")
    cycle = {(index, (index + 1) % nodes) for index in range(nodes)}
    rng = np.random.default_rng(seed)
    for _ in range(1000):  # a matching that repeats no cycle edge
        order = rng.permutation(nodes).reshape(-1, 2)
        matching = {tuple(sorted(pair)) for pair in order.tolist()}
        if not matching & {tuple(sorted(edge)) for edge in cycle}:
            break
    edges = np.array(sorted({tuple(sorted(edge)) for edge in cycle} | matching))
    angle = 2 * np.pi * np.arange(nodes) / nodes
    return edges, np.column_stack([np.cos(angle), np.sin(angle)])


def laplacian(nodes: int, edges: np.ndarray) -> np.ndarray:
    """L = D − A: ½ Σ_{(i,j)∈E} (wᵢ − wⱼ)² = ½ wᵀLw."""
    matrix = np.zeros((nodes, nodes))
    first, second = edges[:, 0], edges[:, 1]
    np.add.at(matrix, (first, second), -1.0)
    np.add.at(matrix, (second, first), -1.0)
    matrix[np.diag_indices(nodes)] = -matrix.sum(axis=1)
    return matrix


def colorization(name: str, steps: int = 300, method: str = "gd", nodes: int = 36, seed: int = 0) -> dict:
    """Gradient descent (or momentum) spreading a colour over a graph: minimize ½(w₀ − 1)² + ½ Σ_{(i,j)∈E}(wᵢ − wⱼ)²
    from w = 0. The Hessian is H = L + e₀e₀ᵀ, the minimum w = 1; with κ = λ_max/λ_min of H, GD at α = 2/(λ_min +
    λ_max) shrinks the error by (κ − 1)/(κ + 1) per step, momentum at its best (α, β) by (√κ − 1)/(√κ + 1)."""
    if method not in ("gd", "momentum"):
        raise ValueError(f"method = {method!r} is not known: allowed gd, momentum")
    edges, positions = graph(name, nodes, seed)
    hessian = laplacian(nodes, edges)
    hessian[0, 0] += 1.0
    eigenvalues = np.linalg.eigvalsh(hessian)
    low, high = float(eigenvalues[0]), float(eigenvalues[-1])
    kappa = high / low
    if method == "gd":
        lr, momentum, rate = 2 / (low + high), 0.0, (kappa - 1) / (kappa + 1)
    else:
        root_kappa = math.sqrt(kappa)
        lr = (2 / (math.sqrt(high) + math.sqrt(low))) ** 2
        momentum = ((root_kappa - 1) / (root_kappa + 1)) ** 2
        rate = math.sqrt(momentum)
    target = np.zeros(nodes)
    target[0] = 1.0
    colours = run_quadratic(hessian, target, np.zeros(nodes), lr, momentum, steps)
    return {"name": name, "edges": edges, "positions": positions, "colours": colours,
            "error": np.linalg.norm(colours - 1, axis=1), "eigenvalues": eigenvalues, "kappa": kappa, "lr": lr,
            "momentum": momentum, "rate": rate}


# ------------------------------------------------------------------------------------------- stochastic gradients


def stochastic(eigenvalues: Sequence[float] = (0.1, 1.0), lr: float = 0.5, momentum: float = 0.0,
               noise: float = 0.1, decay: float = 0.05, steps: int = 200, runs: int = 1000, seed: int = 0) -> dict:
    """SGD on f(w) = ½ Σ λᵢwᵢ² with gradients λᵢwᵢ + εᵢ, εᵢ ~ N(0, noise²), from wᵢ = 1, at a constant learning rate
    and a decaying one α/(1 + d(t − 1)) (the engine's inverse_time schedule).

    The expected loss E f(wₖ) = Σᵢ ½λᵢ(E[wᵢ]² + Var wᵢ) splits into a deterministic part (the mean's, as if there
    were no noise) and a noise part (the variance's). Both follow exactly from the state (w, b) of the PyTorch form:
    [w, b]ₖ₊₁ = Mₖ[w, b]ₖ + nₖε with Mₖ = [[1 − αₖλ, −αₖβ], [λ, β]], nₖ = [−αₖ, 1]: the mean by Mₖ, the covariance
    C ↦ MₖCMₖᵀ + noise²·nₖnₖᵀ. The measured curve is the mean loss of `runs` noisy engine runs (one batched call)."""
    values = _positive(eigenvalues, "eigenvalues")
    _check(lr, momentum, steps)
    if not (math.isfinite(noise) and noise >= 0) or not (math.isfinite(decay) and decay >= 0):
        raise ValueError("noise and decay must be finite and not negative")
    if not 1 <= runs <= 20_000:
        raise ValueError(f"runs = {runs} is out of range: allowed [1, 20000]")
    results = {}
    for kind in SCHEDULE_KINDS:
        schedule = None if kind == "constant" else ("inverse_time", {"decay_rate": decay, "power": 1.0})
        pipeline = _pipeline(lr, momentum, schedule)
        rates = np.array([float(pipeline.lr_at(step)) for step in range(1, steps + 1)])
        mean = np.zeros((steps + 1, values.size, 2))
        covariance = np.zeros((steps + 1, values.size, 2, 2))
        mean[0, :, 0] = 1.0
        for step, rate in enumerate(rates):
            transition = np.zeros((values.size, 2, 2))
            transition[:, 0, 0], transition[:, 0, 1] = 1 - rate * values, -rate * momentum
            transition[:, 1, 0], transition[:, 1, 1] = values, momentum
            kick = np.array([-rate, 1.0])
            mean[step + 1] = np.einsum("nij,nj->ni", transition, mean[step])
            covariance[step + 1] = (transition @ covariance[step] @ transition.transpose(0, 2, 1)
                                    + noise**2 * np.outer(kick, kick))
        deterministic = 0.5 * (values * mean[:, :, 0] ** 2).sum(axis=1)
        noise_part = 0.5 * (values * covariance[:, :, 0, 0]).sum(axis=1)
        # measured: `runs` noisy runs of the engine at once (params of shape (n, runs))
        rng = np.random.default_rng(seed)
        params = np.ones((values.size, runs))
        state = pipeline.init(params)
        measured = [float(np.mean(0.5 * (values[:, None] * params**2).sum(axis=0)))]
        grads = np.empty_like(params)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(steps):
                np.multiply(values[:, None], params, out=grads)
                grads += noise * rng.standard_normal(params.shape)
                pipeline.step(params, grads, state)
                measured.append(float(np.mean(0.5 * (values[:, None] * params**2).sum(axis=0))))
        results[kind] = {"lr": rates, "deterministic": deterministic, "noise": noise_part,
                         "expected": deterministic + noise_part, "measured": np.array(measured)}
    return {"eigenvalues": values, "momentum": momentum, "noise": noise, "decay": decay, "runs": runs,
            **results}


def noise_floor(lr: float, eigenvalue: float, noise: float) -> float:
    """SGD at a constant α: the variance of w settles at α·noise²/(λ(2 − αλ)), so its loss share at
    ½λ·Var = α·noise²/(2(2 − αλ)) (0 < αλ < 2)."""
    return lr * noise**2 / (2 * (2 - lr * eigenvalue))
