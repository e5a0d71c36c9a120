"""Distill's "Why Momentum Really Works" (Goh 2017), as computed by optviz.distill: every curve the engine draws held
to the closed form that predicts it."""

import math

import numpy as np
import pytest

from optviz import distill, theory

EIGENVALUES = (0.01, 0.1, 1.0)


@pytest.mark.parametrize("lr", [0.5, 1.0, 1.9, 2.1])
def test_gradient_descent_shrinks_each_eigen_component_by_one_minus_alpha_lambda(lr):
    result = distill.milestones(EIGENVALUES, lr, 0.0, 120)
    powers = np.arange(121)[:, None]
    expected = (1 - lr * np.array(EIGENVALUES)) ** powers
    np.testing.assert_allclose(result["measured"], expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(result["closed"], expected, rtol=1e-12)
    np.testing.assert_allclose(result["loss"], 0.5 * (np.array(EIGENVALUES) * expected**2).sum(axis=1), rtol=1e-12)
    assert (result["rate"][-1] > 1) == (lr > 2)  # αλ > 2 on λ = 1 diverges


def recurrence(lr, momentum, eigenvalue, steps):
    """x₀ = 1, x₁ = 1 − αλ, xₖ₊₁ = (1 + β − αλ)xₖ − βxₖ₋₁: heavy ball, written out."""
    path = [1.0, 1.0 - lr * eigenvalue]
    while len(path) <= steps:
        path.append((1 + momentum - lr * eigenvalue) * path[-1] - momentum * path[-2])
    return np.array(path[: steps + 1])


@pytest.mark.parametrize(("lr", "momentum"), [(1.0, 0.9), (1.5, 0.5), (0.2, 0.3), (3.0, 0.99), (1.0, 0.81)],
                         ids=["complex", "complex-b", "real", "complex-fast", "critical-on-0.01"])
def test_momentum_follows_its_two_root_recurrence(lr, momentum):
    result = distill.milestones(EIGENVALUES, lr, momentum, 150)
    scale = np.abs(result["measured"]).max(axis=0)
    for index, eigenvalue in enumerate(EIGENVALUES):
        written_out = recurrence(lr, momentum, eigenvalue, 150)
        np.testing.assert_allclose(result["measured"][:, index], written_out, rtol=0, atol=1e-11 * scale[index])
        np.testing.assert_allclose(result["closed"][:, index], written_out, rtol=0, atol=1e-9 * scale[index])
        first, second = result["roots"][index]
        assert abs(first**2 - (1 + momentum - lr * eigenvalue) * first + momentum) < 1e-12
        assert abs(first * second - momentum) < 1e-12  # Vieta: σ₁σ₂ = β
        assert result["rate"][index] == pytest.approx(max(abs(first), abs(second)))


def test_critical_damping_gives_a_double_root_and_the_fastest_rate():
    for scaled_lr in (0.01, 0.1, 0.25, 0.5, 0.9):
        critical = float(distill.critical_momentum(scaled_lr))
        assert critical == pytest.approx((1 - math.sqrt(scaled_lr)) ** 2)
        first, second = distill.momentum_roots(scaled_lr, critical, 1.0)
        assert abs(first - second) < 1e-6 and abs(first - (1 - math.sqrt(scaled_lr))) < 1e-7
        momenta = np.linspace(0, 0.999, 20001)
        rates = distill.convergence_rate(scaled_lr, momenta)
        assert momenta[rates.argmin()] == pytest.approx(critical, abs=1e-3)
        assert rates.min() == pytest.approx(1 - math.sqrt(scaled_lr), abs=1e-3)  # a cusp: √ of the grid step
        assert float(distill.convergence_rate(scaled_lr, critical)) == pytest.approx(1 - math.sqrt(scaled_lr), abs=1e-7)
        assert distill.best_momentum(scaled_lr) == pytest.approx((critical, 1 - math.sqrt(scaled_lr)))
        # the engine's path at the double root: xₖ = (1 + k(x₁/σ − 1))σᵏ
        path = distill.phase(scaled_lr, critical, 80)
        np.testing.assert_allclose(path["x"], recurrence(scaled_lr, critical, 1.0, 80), rtol=0, atol=1e-12)
        np.testing.assert_allclose(path["closed"], path["x"], rtol=0, atol=1e-6)


def test_the_rate_map_is_the_larger_root_and_names_its_regions():
    scaled = np.linspace(0.0, 4.0, 81)
    momenta = np.linspace(0.0, 0.99, 34)
    result = distill.rate_map(scaled, momenta)
    grid_lr, grid_momentum = np.meshgrid(scaled, momenta)
    # the same numbers as optviz.theory's real-arithmetic form (λ = 1)
    np.testing.assert_allclose(result["rate"], theory.momentum_rate(grid_lr, grid_momentum, [1.0]), rtol=1e-12)
    discriminant = (1 + grid_momentum - grid_lr) ** 2 - 4 * grid_momentum
    divergent = (grid_lr <= 0) | (grid_lr >= 2 + 2 * grid_momentum)
    clear = (grid_lr > 1e-9) & (np.abs(grid_lr - 2 - 2 * grid_momentum) > 1e-9)  # off the borders, where rate = 1
    assert np.array_equal((result["region"] == 2)[clear], divergent[clear])
    assert np.all(result["region"][:, 0] == 2) or np.all(result["rate"][:, 0] > 1 - 1e-12)  # αλ = 0: no progress
    inside = ~divergent
    assert np.array_equal((result["region"] == 0)[inside], (discriminant < 0)[inside])
    complex_cells = result["region"] == 0
    np.testing.assert_allclose(result["rate"][complex_cells], np.sqrt(grid_momentum[complex_cells]), rtol=1e-12)
    # critical damping is the border between real and complex roots, and lies in [0, 1) for αλ in (0, 4)
    critical = result["critical"]
    assert np.all(np.isfinite(critical[(scaled > 0) & (scaled < 4)]))
    np.testing.assert_allclose(critical[1:-1], (1 - np.sqrt(scaled[1:-1])) ** 2)


def test_the_phase_diagram_is_the_engines_one_dimensional_run():
    result = distill.phase(1.2, 0.6, 50)
    np.testing.assert_allclose(result["x"], recurrence(1.2, 0.6, 1.0, 50), rtol=0, atol=1e-13)
    assert result["region"] == 0 and result["rate"] == pytest.approx(math.sqrt(0.6))
    assert distill.phase(3.5, 0.5, 10)["region"] == 2


def test_polynomial_regression_fits_its_eigenfeatures_largest_first():
    result = distill.polynomial_regression(10, 9, 0.15, 0, checkpoints=(1, 10, 100, 1000, 10_000))
    eigenvalues, vectors, lr = result["eigenvalues"], result["vectors"], result["lr"]
    assert np.all(np.diff(eigenvalues) < 0) and lr == pytest.approx(1 / eigenvalues[0])
    design = distill.features(result["inputs"], 9)
    # the eigenfeatures on the data points are orthogonal, each with squared norm λ
    gram = (design @ vectors).T @ (design @ vectors)
    np.testing.assert_allclose(gram, np.diag(eigenvalues), atol=1e-9 * eigenvalues[0])
    # the engine's weights after k steps are Σ (1 − (1 − αλᵢ)ᵏ)(qᵢᵀZᵀd/λᵢ)qᵢ
    np.testing.assert_allclose(result["weights"], result["closed_weights"], rtol=0,
                               atol=1e-9 * np.abs(result["closed_weights"]).max())
    coefficients = result["weights"] @ vectors  # each eigenfeature's coefficient
    target = result["projection"] / eigenvalues
    fraction = coefficients / target
    filters = distill.early_stopping_filter(lr, eigenvalues, result["checkpoints"])
    np.testing.assert_allclose(fraction, filters, atol=1e-8)
    assert fraction[0, 0] == pytest.approx(1.0) and fraction[-1, -1] < 0.01  # the largest first, the smallest last
    assert np.all(np.diff(result["train_error"]) < 0)


def test_early_stopping_and_tikhonov_keep_the_same_eigenfeatures():
    result = distill.polynomial_regression(10, 9, 0.15, 0, checkpoints=(100,))
    penalty = distill.matched_penalty(result["lr"], 100)
    early = distill.early_stopping_filter(result["lr"], result["eigenvalues"], 100)
    tikhonov = distill.tikhonov_filter(penalty, result["eigenvalues"])
    # with x = αkλ the filters are 1 − (1 − x/k)ᵏ ≈ 1 − e⁻ˣ and x/(1 + x): never more than 0.21 apart
    assert np.abs(early - tikhonov).max() < 0.21
    weights, fit = distill.tikhonov_fit(result, penalty)
    design = distill.features(result["inputs"], 9)
    # Tikhonov's weights solve (ZᵀZ + ηI)w = Zᵀd
    np.testing.assert_allclose((design.T @ design + penalty * np.eye(10)) @ weights, design.T @ result["targets"],
                               atol=1e-9)
    assert fit.shape == result["grid"].shape
    with pytest.raises(ValueError, match="penalty"):
        distill.tikhonov_fit(result, 0.0)


def test_laplacian_eigenvalues_and_condition_numbers():
    nodes = 36
    # path pinned at its end: tridiag(−1, 2, −1) with a last diagonal of 1, eigenvalues 2 − 2cos((2k − 1)π/(2n + 1))
    path = distill.colorization("path", 5, nodes=nodes)
    expected = 2 - 2 * np.cos((2 * np.arange(1, nodes + 1) - 1) * np.pi / (2 * nodes + 1))
    np.testing.assert_allclose(path["eigenvalues"], np.sort(expected), atol=1e-12)
    assert path["kappa"] == pytest.approx(expected.max() / expected.min())
    # a 6 × 6 grid's Laplacian: (2 − 2cos(πi/6)) + (2 − 2cos(πj/6))
    edges, _ = distill.graph("grid", nodes)
    side = np.arange(6)
    one = 2 - 2 * np.cos(np.pi * side / 6)
    np.testing.assert_allclose(np.linalg.eigvalsh(distill.laplacian(nodes, edges)),
                               np.sort((one[:, None] + one[None, :]).ravel()), atol=1e-12)
    # the expander: every node has three neighbours, the graph is connected (one zero eigenvalue)
    edges, _ = distill.graph("expander", nodes)
    laplacian = distill.laplacian(nodes, edges)
    assert np.all(np.diag(laplacian) == 3)
    assert np.sum(np.linalg.eigvalsh(laplacian) < 1e-9) == 1
    kappas = {name: distill.colorization(name, 5, nodes=nodes)["kappa"] for name in distill.GRAPHS}
    assert kappas["path"] > 3 * kappas["grid"] and kappas["grid"] > kappas["expander"]


@pytest.mark.parametrize("name", distill.GRAPHS)
def test_colour_spreads_as_the_eigen_decomposition_predicts(name):
    result = distill.colorization(name, 200)
    nodes = len(result["positions"])
    hessian = distill.laplacian(nodes, result["edges"])
    hessian[0, 0] += 1
    eigenvalues, vectors = np.linalg.eigh(hessian)
    start_error = vectors.T @ (np.zeros(nodes) - 1)
    steps = np.arange(201)[:, None]
    predicted = 1 + ((1 - result["lr"] * eigenvalues) ** steps * start_error) @ vectors.T
    np.testing.assert_allclose(result["colours"], predicted, atol=1e-10)
    assert result["colours"][1, 0] > 0 and np.all(result["colours"][1, 1:] == 0)  # the colour starts at node 0
    # the slowest eigen-component, at rate (κ − 1)/(κ + 1), is what is left at the end
    assert result["rate"] == pytest.approx((result["kappa"] - 1) / (result["kappa"] + 1))
    assert result["error"][-1] <= result["error"][0] * result["rate"] ** 200 * 1.01 + 1e-12


def test_optimal_momentum_colours_faster_at_rate_root_kappa():
    gd = distill.colorization("path", 300)
    heavy = distill.colorization("path", 300, method="momentum")
    root = math.sqrt(heavy["kappa"])
    assert heavy["rate"] == pytest.approx((root - 1) / (root + 1))
    assert heavy["error"][-1] < 1e-2 * gd["error"][-1]
    with pytest.raises(ValueError, match="method"):
        distill.colorization("path", 10, method="adam")
    with pytest.raises(ValueError, match="graph"):
        distill.graph("tree")


def test_stochastic_error_splits_into_its_deterministic_and_noise_parts():
    result = distill.stochastic((0.1, 1.0), lr=0.5, momentum=0.0, noise=0.2, decay=0.05, steps=150, runs=20_000)
    values = np.array([0.1, 1.0])
    for kind in distill.SCHEDULE_KINDS:
        part = result[kind]
        rates = part["lr"]
        # the deterministic part is gradient descent's, step by step: Π(1 − αⱼλ)
        products = np.vstack([np.ones(2), np.cumprod(1 - rates[:, None] * values, axis=0)])
        np.testing.assert_allclose(part["deterministic"], 0.5 * (values * products**2).sum(axis=1), rtol=1e-12)
        # the noise part: Var wₖ = noise² Σⱼ αⱼ² Π_{i>j}(1 − αᵢλ)²
        variance = np.zeros((151, 2))
        for step in range(1, 151):
            variance[step] = (1 - rates[step - 1] * values) ** 2 * variance[step - 1] + (0.2 * rates[step - 1]) ** 2
        np.testing.assert_allclose(part["noise"], 0.5 * (values * variance).sum(axis=1), rtol=1e-12)
        np.testing.assert_allclose(part["expected"], part["deterministic"] + part["noise"], rtol=1e-12)
        # 20 000 engine runs agree with the expectation to a few percent
        np.testing.assert_allclose(part["measured"][1:], part["expected"][1:], rtol=0.05)
    constant, decaying = result["constant"], result["decaying"]
    floor = distill.noise_floor(0.5, 0.1, 0.2) + distill.noise_floor(0.5, 1.0, 0.2)
    assert constant["noise"][-1] == pytest.approx(floor, rel=0.02)  # settled at the noise floor
    assert decaying["noise"][-1] < 0.5 * constant["noise"][-1]  # a decaying rate goes below it
    assert decaying["deterministic"][-1] > constant["deterministic"][-1]  # and pays with a slower mean
    np.testing.assert_allclose(decaying["lr"], 0.5 / (1 + 0.05 * np.arange(150)), rtol=1e-12)


def test_stochastic_momentum_matches_its_monte_carlo_runs():
    result = distill.stochastic((0.1, 1.0), lr=0.2, momentum=0.8, noise=0.1, decay=0.02, steps=120, runs=20_000)
    for kind in distill.SCHEDULE_KINDS:
        np.testing.assert_allclose(result[kind]["measured"][1:], result[kind]["expected"][1:], rtol=0.06)
    silent = distill.stochastic((0.1, 1.0), lr=0.2, momentum=0.8, noise=0.0, steps=60, runs=3)
    expected = distill.milestones((0.1, 1.0), 0.2, 0.8, 60)["loss"]
    np.testing.assert_allclose(silent["constant"]["measured"], expected, rtol=1e-12)
    np.testing.assert_allclose(silent["constant"]["expected"], expected, rtol=1e-10)


def test_bad_settings_are_named():
    for call, match in ((lambda: distill.milestones([], 0.1, 0.0, 10), "eigenvalues"),
                        (lambda: distill.milestones([-1.0], 0.1, 0.0, 10), "eigenvalues"),
                        (lambda: distill.milestones([1.0], 0.0, 0.0, 10), "lr"),
                        (lambda: distill.milestones([1.0], 0.1, 1.0, 10), "momentum"),
                        (lambda: distill.milestones([1.0], 0.1, 0.5, 0), "steps"),
                        (lambda: distill.polynomial_regression(5, 7), "degree"),
                        (lambda: distill.stochastic(noise=-1.0), "noise"),
                        (lambda: distill.graph("grid", 10), "square")):
        with pytest.raises(ValueError, match=match):
            call()
