"""Chapter 1's functions agree with JAX's own convolution on random shapes."""

import jax
import numpy as np
import pytest

from conftest import exercise_check_tests, lax_corr2d, load_chapter, random_pairs


@pytest.fixture(scope="module")
def chapter():
    return load_chapter("01_cross_correlation")


def test_loop_version_matches_lax_on_random_shapes(chapter):
    for image, kernel in random_pairs(10, seed=1):
        np.testing.assert_allclose(chapter.corr2d_loops(image, kernel), lax_corr2d(image, kernel), atol=1e-4)


def test_layer_has_kernel_and_bias_only(chapter):
    layer = chapter.Conv2D((3, 2), rngs=chapter.nnx.Rngs(7))
    sizes = [p.size for p in jax.tree.leaves(chapter.nnx.state(layer, chapter.nnx.Param))]
    assert sorted(sizes) == [1, 6]
    image = np.random.default_rng(2).normal(size=(5, 6)).astype(np.float32)
    np.testing.assert_allclose(
        layer(image), lax_corr2d(image, np.asarray(layer.kernel[...])) + layer.bias[...], atol=1e-5
    )


def test_solution_loops_in_jax_have_the_gradient_of_lax(chapter):
    for image, kernel in random_pairs(6, seed=3):
        np.testing.assert_allclose(chapter.corr2d_loops_jax(image, kernel), lax_corr2d(image, kernel), atol=1e-4)
        by_loops = jax.grad(lambda k: chapter.corr2d_loops_jax(image, k).sum())(kernel)
        by_lax = jax.grad(lambda k: lax_corr2d(image, k).sum())(kernel)
        np.testing.assert_allclose(by_loops, by_lax, atol=1e-4)


@pytest.mark.parametrize("layers, size", [(1, 2), (2, 3), (3, 4)])
def test_receptive_field_of_stacked_2x2_layers(chapter, layers, size):
    kernels = jax.random.normal(jax.random.key(0), (layers, 2, 2))

    def network(x):
        for kernel in kernels:
            x = chapter.corr2d(x, kernel)
        return x

    field = chapter.receptive_field(network, jax.random.normal(jax.random.key(1), (8, 8)), 2, 2)
    rows, cols = np.nonzero(field)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (2, 2 + size - 1, 2, 2 + size - 1)


def loops_on_numpy_image(X, K):
    """The loops in JAX, but X still goes through np.asarray: fine for jax.grad in K, not in X."""
    X = np.asarray(X)
    kh, kw = K.shape
    Y = jax.numpy.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y = Y.at[i, j].set(jax.numpy.sum(X[i : i + kh, j : j + kw] * K))
    return Y


def loops_with_float(X, K):
    """The loops in JAX, each output turned into a Python number."""
    kh, kw = K.shape
    Y = jax.numpy.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y = Y.at[i, j].set(float(jax.numpy.sum(X[i : i + kh, j : j + kw] * K)))
    return Y


def lax_correlation(X, K):
    return jax.lax.conv_general_dilated(X[None, None], K[None, None], (1, 1), "VALID")[0, 0]


WRONG_ANSWERS = {
    "corr2d_padded": {
        "padding forgotten": (lambda c: lambda X, K, pad: c.corr2d(X, K), "X is not padded"),
        "transposed result": (
            lambda c: lambda X, K, pad: c.corr2d(c.jnp.pad(X, pad), K).T,
            "transpose of the right answer",
        ),
        "flipped kernel": (lambda c: lambda X, K, pad: c.corr2d(c.jnp.pad(X, pad), c.jnp.flip(K)), "kernel is flipped"),
        "padded on one side": (
            lambda c: lambda X, K, pad: c.corr2d(c.jnp.pad(X, ((pad, 0), (pad, 0))), K),
            "one side of each axis only",
        ),
        "padded twice": (lambda c: lambda X, K, pad: c.corr2d(c.jnp.pad(X, 2 * pad), K), "expected shape"),
        "NaN": (lambda c: lambda X, K, pad: c.corr2d(c.jnp.pad(X, pad), K) * float("nan"), "contains NaN"),
    },
    "conv_counts": {
        "forgot the + 1": (
            lambda c: lambda i, k: (i[0] - k[0], i[1] - k[1], (i[0] - k[0]) * (i[1] - k[1]) * k[0] * k[1]),
            r"n - k \+ 1 positions",
        ),
        "one product per output": (
            lambda c: lambda i, k: (i[0] - k[0] + 1, i[1] - k[1] + 1, (i[0] - k[0] + 1) * (i[1] - k[1] + 1)),
            r"kh \* kw multiplications",
        ),
        "every input pixel": (
            lambda c: lambda i, k: (i[0] - k[0] + 1, i[1] - k[1] + 1, i[0] * i[1] * k[0] * k[1]),
            "whole kernel fits",
        ),
        "height and width swapped": (
            lambda c: (
                lambda i, k: (i[1] - k[1] + 1, i[0] - k[0] + 1, (i[0] - k[0] + 1) * (i[1] - k[1] + 1) * k[0] * k[1])
            ),
            "values are wrong",
        ),
    },
    "receptive_field_size": {
        "k per layer": (lambda c: lambda layers, k: layers * k, "k - 1 pixels, not k"),
        "multiplied": (lambda c: lambda layers, k: k**layers, "by addition, not multiplication"),
        "one short": (lambda c: lambda layers, k: layers * (k - 1), "one pixel short"),
        "one pixel more per layer": (lambda c: lambda layers, k: k + layers - 1, "values are wrong"),
    },
    "corr2d_loops_jax": {
        "the NumPy loops": (lambda c: c.corr2d_loops, "jax.grad cannot trace corr2d_loops_jax"),
        "np.asarray(X) kept": (lambda c: loops_on_numpy_image, "jax.grad cannot trace corr2d_loops_jax"),
        "float() of each output": (lambda c: loops_with_float, "jax.grad cannot trace corr2d_loops_jax"),
        "no loops: corr2d itself": (lambda c: c.corr2d, "no loop over the output positions.*multiplies only 4 times"),
        "no loops: lax's convolution": (lambda c: lax_correlation, "calls lax.conv_general_dilated"),
        "kernel flipped": (lambda c: lambda X, K: c.corr2d(X, c.jnp.flip(K)), "values are wrong"),
        "last row missing": (lambda c: lambda X, K: c.corr2d(X, K)[:-1], "expected shape"),
    },
}
test_checks_accept_the_solutions, test_checks_explain_wrong_answers = exercise_check_tests(WRONG_ANSWERS)
