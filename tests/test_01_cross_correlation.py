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
    np.testing.assert_allclose(layer(image), lax_corr2d(image, np.asarray(layer.kernel[...])) + layer.bias[...],
                               atol=1e-5)


def test_solution_conv2d_is_a_true_convolution(chapter):
    for image, kernel in random_pairs(10, seed=3):
        np.testing.assert_allclose(chapter.conv2d(image, kernel),
                                   jax.scipy.signal.convolve2d(image, kernel, mode="valid"), atol=1e-4)


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


WRONG_ANSWERS = {
    "corr2d_padded": {
        "padding forgotten": (lambda c: lambda X, K, pad: c.corr2d(X, K), "expected shape"),
        "transposed result": (lambda c: lambda X, K, pad: c.corr2d(c.jnp.pad(X, pad), K).T,
                              "transpose of the right answer"),
        "flipped kernel": (lambda c: lambda X, K, pad: c.corr2d(c.jnp.pad(X, pad), c.jnp.flip(K)), "values are wrong"),
        "padded twice": (lambda c: lambda X, K, pad: c.corr2d(c.jnp.pad(X, 2 * pad), K), "expected shape"),
        "NaN": (lambda c: lambda X, K, pad: c.corr2d(c.jnp.pad(X, pad), K) * float("nan"), "contains NaN"),
    },
    "conv2d": {
        "kernel not flipped": (lambda c: c.corr2d, "values are wrong"),
        "kernel flipped in one axis": (lambda c: lambda X, K: c.corr2d(X, K[::-1]), "values are wrong"),
        "full instead of valid": (lambda c: lambda X, K: c.convolve2d(X, K, mode="full"), "expected shape"),
    },
}
test_checks_accept_the_solutions, test_checks_explain_wrong_answers = exercise_check_tests(WRONG_ANSWERS)


