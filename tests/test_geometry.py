"""The network loss landscape: filter normalization, batched loss evaluation, PCA plane, Hessian sharpness."""

import numpy as np
import pytest
import torch

from optviz.nets import geometry
from optviz.nets.data import digits_split, split
from optviz.nets.models import CNNSpec, MLPSpec, build
from optviz.nets.train import TrainConfig, loss_function
from optviz.runs import lane_from_settings


@pytest.fixture(scope="module")
def circle():
    return split("circle", 200, 0.1, 0, 0.2, 0.2)


def cross_entropy_on(model, data, dtype=torch.float32):
    return geometry.LossFunction(model, data.x_train, data.y_train, loss_function("cross_entropy", data.task),
                                 True, dtype)


def direct_loss(model, vector, data, train_mode_norm=False):
    """The loss of `model` with its parameters set to `vector`, by an ordinary forward pass."""
    model = build_copy(model)
    torch.nn.utils.vector_to_parameters(torch.as_tensor(vector, dtype=torch.float32), model.parameters())
    model.eval()
    if train_mode_norm:  # BatchNorm with the statistics of the batch at hand
        for module in model.modules():
            if isinstance(module, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                module.train()
    with torch.no_grad():
        outputs = model(torch.as_tensor(data.x_train, dtype=torch.float32))
        return float(torch.nn.functional.cross_entropy(outputs, torch.as_tensor(data.y_train)))


def build_copy(model):
    import copy

    return copy.deepcopy(model)


@pytest.mark.parametrize("spec", [MLPSpec(2, 2, (8, 8), "tanh", "xavier", "batch"), CNNSpec(10, 4, residual=True)])
def test_filter_normalized_direction_has_the_weights_filter_norms(spec):
    model = build(spec, 3)
    direction = geometry.filter_normalized_direction(model, torch.Generator().manual_seed(0))
    weights = geometry.parameter_vector(model)
    assert direction.shape == weights.shape
    checked = 0
    for parameter, direction_norms, weight_norms in zip(model.parameters(), geometry.filter_norms(model, direction),
                                                        geometry.filter_norms(model, weights), strict=True):
        if parameter.dim() <= 1:  # biases and normalization parameters are left out
            assert np.all(direction_norms == 0)
        else:
            assert len(direction_norms) == parameter.shape[0]
            np.testing.assert_allclose(direction_norms, weight_norms, rtol=1e-12)
            checked += 1
    assert checked >= 3
    again = geometry.filter_normalized_direction(model, torch.Generator().manual_seed(0))
    other = geometry.filter_normalized_direction(model, torch.Generator().manual_seed(1))
    assert np.array_equal(direction, again) and not np.array_equal(direction, other)


@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
def test_batched_losses_equal_ordinary_forward_passes(circle, norm):
    model = build(MLPSpec(2, 2, (8, 8), "relu", "he", norm, dropout=0.3), 1)
    loss = cross_entropy_on(model, circle)
    assert loss.vectorize and loss.size == len(geometry.parameter_vector(model))
    rng = np.random.default_rng(0)
    vectors = geometry.parameter_vector(model)[None] + 0.3 * rng.standard_normal((7, loss.size))
    batched = loss(vectors)
    expected = [direct_loss(model, vector, circle, train_mode_norm=norm == "batch") for vector in vectors]
    np.testing.assert_allclose(batched, expected, rtol=2e-5)
    assert loss.chunk >= 1


def test_convolutions_are_evaluated_one_vector_at_a_time_with_the_same_result():
    digits = digits_split(0, 0.2, 0.2, 200)
    model = build(CNNSpec(10, 4, norm="group"), 0)
    loss = cross_entropy_on(model, digits)
    assert not loss.vectorize
    vectors = geometry.parameter_vector(model)[None] + 0.05 * np.random.default_rng(1).standard_normal((3, loss.size))
    np.testing.assert_allclose(loss(vectors), [direct_loss(model, vector, digits) for vector in vectors], rtol=2e-5)


def test_a_vector_of_the_wrong_size_is_refused(circle):
    loss = cross_entropy_on(build(MLPSpec(2, 2, (4,)), 0), circle)
    with pytest.raises(ValueError, match="parameter vector has"):
        loss(np.zeros((2, loss.size + 1)))


def test_a_diverged_point_gives_nan_not_an_error(circle):
    model = build(MLPSpec(2, 2, (4,)), 0)
    loss = cross_entropy_on(model, circle)
    vector = geometry.parameter_vector(model)
    values = loss(np.stack([vector, np.full_like(vector, np.inf)]))
    assert np.isfinite(values[0]) and np.isnan(values[1])


def test_line_and_plane_pass_through_their_points(circle):
    model = build(MLPSpec(2, 2, (8,)), 0)
    loss = cross_entropy_on(model, circle, torch.float64)
    start = geometry.parameter_vector(model)
    end = start + np.random.default_rng(2).standard_normal(loss.size)
    line = geometry.interpolation(loss, start, end, np.array([0.0, 0.5, 1.0]))
    np.testing.assert_allclose(line[[0, 2]], loss(np.stack([start, end])), rtol=1e-12)
    np.testing.assert_allclose(line[1], loss((start + end) / 2), rtol=1e-12)
    first, second = np.eye(loss.size)[:2]
    a, b = np.linspace(-1, 1, 5), np.linspace(-2, 2, 3)
    grid = geometry.plane_losses(loss, end, first, second, a, b)
    assert grid.shape == (3, 5)
    assert grid[1, 2] == pytest.approx(loss(end)[0], rel=1e-12)
    assert grid[2, 4] == pytest.approx(loss(end + a[4] * first + b[2] * second)[0], rel=1e-12)


def test_pca_plane_reproduces_points_that_lie_in_a_plane():
    rng = np.random.default_rng(0)
    anchor = rng.standard_normal(50)
    basis, _ = np.linalg.qr(rng.standard_normal((50, 2)))
    coefficients = rng.standard_normal((30, 2)) * [3.0, 1.0]
    points = anchor + coefficients @ basis.T
    plane = geometry.pca_plane(points, anchor)
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)
    reconstructed = plane.anchor + plane.coordinates @ plane.directions
    np.testing.assert_allclose(reconstructed, points, atol=1e-10)
    assert plane.explained.sum() == pytest.approx(1.0, abs=1e-12) and plane.explained[0] > plane.explained[1]
    np.testing.assert_allclose(plane.point(*plane.coordinates[4]), points[4], atol=1e-10)


def test_pca_plane_matches_an_svd_of_the_displacements():
    rng = np.random.default_rng(1)
    anchor = rng.standard_normal(40)
    points = anchor + rng.standard_normal((12, 40)) * np.linspace(3, 0.1, 40)
    plane = geometry.pca_plane(points, anchor)
    _, singular, right = np.linalg.svd(points - anchor, full_matrices=False)
    np.testing.assert_allclose(np.abs(plane.directions @ right[:2].T), np.eye(2), atol=1e-10)
    np.testing.assert_allclose(plane.explained, singular[:2] ** 2 / np.sum(singular ** 2), rtol=1e-10)
    np.testing.assert_allclose(plane.coordinates, (points - anchor) @ plane.directions.T, atol=1e-12)


def test_pca_plane_of_a_straight_path_is_still_a_plane():
    anchor = np.zeros(10)
    points = np.outer(np.linspace(0, 1, 5), np.arange(10.0))
    plane = geometry.pca_plane(points, anchor)
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)
    assert plane.explained[0] == pytest.approx(1.0) and plane.explained[1] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_top_hessian_eigenvalue_matches_a_dense_hessian(circle, activation):
    model = build(MLPSpec(2, 2, (3,), activation, "normal"), 4)
    loss = cross_entropy_on(model, circle, torch.float64)
    point = geometry.parameter_vector(model)
    dense = torch.autograd.functional.hessian(lambda flat: loss._one(flat), torch.as_tensor(point)).numpy()
    eigenvalues = np.linalg.eigvalsh(dense)
    largest = eigenvalues[np.argmax(np.abs(eigenvalues))]
    found = geometry.top_hessian_eigenvalue(loss, point, iterations=2000, tolerance=1e-12)
    assert found.converged
    assert found.value == pytest.approx(largest, rel=1e-6)
    product = geometry.hessian_vector_product(loss, point)
    vector = torch.as_tensor(np.random.default_rng(0).standard_normal(loss.size))
    np.testing.assert_allclose(product(vector).numpy(), dense @ vector.numpy(), rtol=1e-9, atol=1e-12)


def test_trace_keeps_the_path_from_the_shared_start(circle):
    spec = MLPSpec(2, 2, (8,), "tanh")
    initial = build(spec, 0)
    path = geometry.trace(circle, spec, lane_from_settings("adam", {"lr": "0.01"}), TrainConfig(30, 16, seed=0),
                          initial, points=7)
    assert path.epochs[0] == 0 and path.epochs[-1] == 30 and len(path.points) == len(path.epochs) == 7
    np.testing.assert_allclose(path.points[0], geometry.parameter_vector(initial), rtol=1e-6)
    np.testing.assert_allclose(path.points[-1], path.final, rtol=1e-6)
    assert path.diverged_at is None and len(path.train_loss) == 31 and 0 <= path.test_acc <= 1
    assert not np.allclose(path.points[1], path.points[0])


def test_the_stability_limit_applies_to_full_batch_sgd_and_heavy_ball_only():
    from optviz.nets.landscape import pca_extent, stability_limit
    from optviz.runs import lane_from_settings

    assert stability_limit(lane_from_settings("momentum", {"lr": "0.1", "momentum": "0.9"}), True) == \
        pytest.approx(38.0)
    assert stability_limit(lane_from_settings("sgd", {"lr": "0.5"}), True) == pytest.approx(4.0)
    assert stability_limit(lane_from_settings("sgd", {"lr": "0.5"}), False) is None
    assert stability_limit(lane_from_settings("adam", {"lr": "0.01"}), True) is None
    a, b = pca_extent(np.array([[0.0, 0.0], [2.0, 1.0]]), 5, 0.5)
    assert a[0] == -1 and a[-1] == 3 and b[0] == -0.5 and b[-1] == 1.5
