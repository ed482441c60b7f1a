"""Chapter 4 learns the edge kernel; its training loops agree with each other and with the maths."""

import jax
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from conftest import exercise_check_tests, load_chapter


@pytest.fixture(scope="module")
def chapter():
    return load_chapter("04_learning_a_kernel")


def numpy_loss_gradient(image, target, kernel):
    """Reference: the gradient of sum((corr2d(X, K) - Y) ** 2) from its definition, with NumPy windows."""
    windows = sliding_window_view(np.asarray(image, np.float64), kernel.shape)
    residual = np.einsum("ijab,ab->ij", windows, np.asarray(kernel, np.float64)) - np.asarray(target, np.float64)
    return 2 * np.einsum("ijab,ij->ab", windows, residual)


def test_the_training_data(chapter):
    stripe = np.ones((6, 8))
    stripe[:, 2:6] = 0
    np.testing.assert_array_equal(chapter.stripe_image, stripe)
    np.testing.assert_array_equal(chapter.vertical_edge_kernel, [[1, -1]])
    np.testing.assert_array_equal(chapter.edge_map, np.tile([0, 1, 0, 0, 0, -1, 0], (6, 1)))
    assert (
        chapter.X is chapter.stripe_image
        and chapter.K is chapter.vertical_edge_kernel
        and chapter.Y is chapter.edge_map
    ), "X, K and Y are the short names of chapter 2's arrays"
    assert chapter.images.shape == (1, 6, 8, 1) and chapter.targets.shape == (1, 6, 7, 1), "data must be NHWC"


def test_model_is_a_bias_free_conv_with_a_1x2_kernel(chapter):
    model = chapter.make_model()
    shapes = [p.shape for p in jax.tree.leaves(chapter.nnx.state(model, chapter.nnx.Param))]
    assert shapes == [(1, 2, 1, 1)], f"expected one (kh, kw, C_in, C_out) = (1, 2, 1, 1) kernel, got {shapes}"
    assert np.abs(np.asarray(model.kernel[...])).max() < 0.05, "the initial kernel should be small"
    np.testing.assert_array_equal(
        model.kernel[...],
        chapter.make_model().kernel[...],
        err_msg="make_model must draw the same kernel every time (fixed key)",
    )
    image = np.random.default_rng(1).normal(size=(2, 5, 7, 1)).astype(np.float32)
    expected = jax.lax.conv_general_dilated(
        image, np.asarray(model.kernel[...]), (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    np.testing.assert_allclose(model(image), expected, atol=1e-6)


def test_squared_error_is_the_sum_of_squares(chapter):
    model = chapter.make_model()
    rng = np.random.default_rng(2)
    image, target = rng.normal(size=(1, 4, 5, 1)).astype(np.float32), rng.normal(size=(1, 4, 4, 1)).astype(np.float32)
    expected = ((np.asarray(model(image)) - target) ** 2).sum()
    assert np.isclose(float(chapter.squared_error(model, image, target)), expected, rtol=1e-5)


def test_one_gradient_descent_step_moves_against_the_gradient(chapter):
    model = chapter.make_model()
    before = np.asarray(model.kernel[...]).reshape(1, 2)
    loss = chapter.gradient_descent_step(model, chapter.images, chapter.targets, 0.01)
    assert np.isclose(
        float(loss), ((np.asarray(chapter.corr2d(chapter.X, before)) - chapter.Y) ** 2).sum(), rtol=1e-5
    ), "the step must return the loss before its update"
    expected = before - 0.01 * numpy_loss_gradient(chapter.X, chapter.Y, before)
    np.testing.assert_allclose(np.asarray(model.kernel[...]).reshape(1, 2), expected, atol=1e-5)


def test_the_curriculum_results(chapter):
    assert chapter.learning_rate == 3e-2 and len(chapter.hand_losses) == 10
    printed = chapter.hand_losses[1::2]
    assert all(b < a for a, b in zip(printed, printed[1:])), f"the printed losses must fall: {printed}"
    kernel = np.asarray(chapter.hand_kernel).reshape(1, 2)
    assert np.abs(kernel - [[1, -1]]).max() < 0.1, f"learned kernel {kernel} is not within 0.1 of [[1, -1]]"


def test_learning_rate_comparison(chapter):
    losses = chapter.rate_losses
    assert sorted(losses) == [1e-2, 3e-2, 4e-2] and all(len(run) == 20 for run in losses.values())
    np.testing.assert_allclose(losses[3e-2][:10], chapter.hand_losses, rtol=1e-6)
    slow, good, fast = losses[1e-2], losses[3e-2], losses[4e-2]
    assert all(b < a for a, b in zip(slow, slow[1:])) and all(b < a for a, b in zip(good, good[1:])), (
        "below the limit 2/60 the loss must fall at every step"
    )
    assert slow[19] > good[9], "0.01 after 20 steps should still be behind 0.03 after 10"
    lowest = int(np.argmin(fast))
    assert 0 < lowest < 19 and fast[19] > 1, f"at 0.04 the loss should fall, then grow past 1; lowest at {lowest}"


def test_optax_and_jitted_loops_give_the_hand_written_kernel(chapter):
    np.testing.assert_allclose(chapter.optax_kernel, chapter.hand_kernel, atol=1e-6)
    np.testing.assert_allclose(chapter.jit_kernel, chapter.hand_kernel, atol=1e-5)
    np.testing.assert_allclose(chapter.jit_losses, chapter.hand_losses, rtol=1e-4)


def test_solutions_of_the_derivation_and_experiments(chapter):
    np.testing.assert_allclose(chapter.curvatures, [12, 60], atol=1e-4)  # the lesson's own, from jax.hessian
    assert np.isclose(chapter.best_learning_rate(chapter.curvature_matrix), 2 / 72)
    assert chapter.horizontal_kernel.shape == (2, 1)
    assert np.abs(np.asarray(chapter.horizontal_kernel) - [[1], [-1]]).max() < 0.1


def test_loss_gradient_solution_matches_numpy_on_random_shapes(chapter):
    rng = np.random.default_rng(4)
    for _ in range(5):
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        image = rng.normal(size=(kh + int(rng.integers(0, 5)), kw + int(rng.integers(0, 5)))).astype(np.float32)
        kernel = rng.normal(size=(kh, kw)).astype(np.float32)
        target = rng.normal(size=(image.shape[0] - kh + 1, image.shape[1] - kw + 1)).astype(np.float32)
        np.testing.assert_allclose(
            chapter.loss_gradient(image, target, kernel),
            numpy_loss_gradient(image, target, kernel),
            rtol=1e-4,
            atol=1e-3,
        )


def fit_kernel_variant(c, sign=-1, lost_steps=0, transpose=False, flat=False, mean=False):
    """A fit_kernel with one plausible mistake."""

    def fit_kernel(X, Y, kernel_shape, learning_rate, steps):
        reduce = c.jnp.mean if mean else c.jnp.sum
        gradient = c.jax.grad(lambda kernel: reduce((c.corr2d(X, kernel) - Y) ** 2))
        kernel = c.jnp.zeros(kernel_shape)
        for _ in range(steps - lost_steps):
            kernel = kernel + sign * learning_rate * gradient(kernel)
        return kernel.T if transpose else kernel.ravel() if flat else kernel

    return fit_kernel


def momentum_variant(c, plain=False, average=False, late=False, nesterov=False, sign=-1):
    """A momentum_fit with one plausible mistake, written as a learner would."""

    def momentum_fit(X, Y, start, learning_rate, momentum, steps):
        gradient = c.jax.grad(lambda kernel: ((c.corr2d(X, kernel) - Y) ** 2).sum())
        kernel, velocity = start, c.jnp.zeros_like(start)
        for _ in range(steps):
            g = gradient(kernel + sign * learning_rate * momentum * velocity) if nesterov else gradient(kernel)
            if plain:
                velocity = g
            elif late:
                kernel = kernel + sign * learning_rate * velocity
                velocity = momentum * velocity + g
                continue
            else:
                velocity = momentum * velocity + (1 - momentum if average else 1) * g
            kernel = kernel + sign * learning_rate * velocity
        return kernel

    return momentum_fit


def eigenvalues(H):
    return np.linalg.eigvalsh(np.asarray(H))


WRONG_ANSWERS = {
    "best_learning_rate": {
        "the threshold 2 / largest": (lambda c: lambda H: 2 / eigenvalues(H).max(), "the threshold"),
        "one over the largest": (lambda c: lambda H: 1 / eigenvalues(H).max(), "balance"),
        "one over the smallest": (lambda c: lambda H: 1 / eigenvalues(H).min(), "past the threshold"),
        "one over the mean eigenvalue": (lambda c: lambda H: len(H) / np.trace(H), "not their mean"),
        "the threshold of the smallest": (lambda c: lambda H: 2 / eigenvalues(H).min(), "values are wrong"),
    },
    "loss_gradient": {
        "factor 2 forgotten": (lambda c: lambda X, Y, K: c.corr2d(X, c.corr2d(X, K) - Y), "factor 2 is missing"),
        "residual with the wrong sign": (
            lambda c: lambda X, Y, K: 2 * c.corr2d(X, Y - c.corr2d(X, K)),
            "wrong sign",
        ),
        "mean instead of sum": (
            lambda c: lambda X, Y, K: 2 * c.corr2d(X, c.corr2d(X, K) - Y) / Y.size,
            "mean of the squared errors",
        ),
        "jax.grad, not the formula": (
            lambda c: lambda X, Y, K: c.jax.grad(lambda k: ((c.corr2d(X, k) - Y) ** 2).sum())(K),
            "automatic differentiation",
        ),
        "jax.value_and_grad, not the formula": (
            lambda c: lambda X, Y, K: c.jax.value_and_grad(lambda k: ((c.corr2d(X, k) - Y) ** 2).sum())(K)[1],
            "automatic differentiation",
        ),
        "transposed": (
            lambda c: lambda X, Y, K: 2 * c.corr2d(X, c.corr2d(X, K) - Y).T,
            "transpose of the right answer",
        ),
        "residual as the image": (lambda c: lambda X, Y, K: 2 * c.corr2d(c.corr2d(X, K) - Y, X), "raised ValueError"),
    },
    "fit_kernel": {
        "gradient ascent": (lambda c: fit_kernel_variant(c, sign=+1), "gradient ascent"),
        "one step too few": (lambda c: fit_kernel_variant(c, lost_steps=1), "one step too few"),
        "kernel transposed": (lambda c: fit_kernel_variant(c, transpose=True), "transpose of the right answer"),
        "kernel flattened": (lambda c: fit_kernel_variant(c, flat=True), "expected shape"),
        "mean instead of sum": (lambda c: fit_kernel_variant(c, mean=True), "mean of the squared errors"),
    },
    "momentum_fit": {
        "no momentum": (lambda c: momentum_variant(c, plain=True), "plain gradient descent"),
        "velocity as an average": (lambda c: momentum_variant(c, average=True), "not \\(1 - momentum\\)"),
        "kernel moved before the velocity": (lambda c: momentum_variant(c, late=True), "update the velocity first"),
        "Nesterov's look-ahead": (lambda c: momentum_variant(c, nesterov=True), "Nesterov"),
        "gradient ascent": (lambda c: momentum_variant(c, sign=+1), "values are wrong"),
    },
}


test_checks_accept_the_solutions, test_checks_explain_wrong_answers = exercise_check_tests(WRONG_ANSWERS)
