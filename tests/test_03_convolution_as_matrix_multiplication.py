"""Chapter 3's matrix W reproduces JAX's cross-correlation, and its transpose is the gradient."""

import jax
import numpy as np
import pytest
import scipy.signal

from conftest import exercise_check_tests, lax_corr2d, load_chapter, random_pairs

CURRICULUM_W = [
    [1, 2, 0, 3, 4, 0, 0, 0, 0],
    [0, 1, 2, 0, 3, 4, 0, 0, 0],
    [0, 0, 0, 1, 2, 0, 3, 4, 0],
    [0, 0, 0, 0, 1, 2, 0, 3, 4],
]


@pytest.fixture(scope="module")
def chapter():
    return load_chapter("03_convolution_as_matrix_multiplication")


def test_the_worked_example(chapter):
    W = chapter.conv_matrix(np.array([[1, 2], [3, 4]]), (3, 3))
    np.testing.assert_array_equal(W, CURRICULUM_W, err_msg="W for K = [[1, 2], [3, 4]] on a 3 x 3 input")
    np.testing.assert_array_equal((W @ np.arange(9)).reshape(2, 2), [[27, 37], [57, 67]])


def test_conv_matrix_times_image_matches_lax_on_random_shapes(chapter):
    for image, kernel in random_pairs(20):
        W = chapter.conv_matrix(kernel, image.shape)
        expected = lax_corr2d(image, kernel)
        assert W.shape == (expected.size, image.size), f"image {image.shape}, kernel {kernel.shape}: W is {W.shape}"
        np.testing.assert_allclose(
            W @ image.ravel(), expected.ravel(), atol=1e-4, err_msg=f"image {image.shape}, kernel {kernel.shape}"
        )


def test_each_row_holds_each_kernel_weight_once(chapter):
    for image, kernel in random_pairs(10, seed=1):
        for number, row in enumerate(np.asarray(chapter.conv_matrix(kernel, image.shape))):
            np.testing.assert_array_equal(
                np.sort(row[row != 0]),
                np.sort(kernel.ravel()),
                err_msg=f"row {number} of W for image {image.shape}, kernel {kernel.shape}",
            )


def test_transpose_is_the_input_gradient_and_a_full_convolution(chapter):
    rng = np.random.default_rng(2)
    for image, kernel in random_pairs(10, seed=2):
        g = rng.normal(size=lax_corr2d(image, kernel).shape).astype(np.float32)
        back = (chapter.conv_matrix(kernel, image.shape).T @ g.ravel()).reshape(image.shape)
        gradient = jax.grad(lambda x: (g * lax_corr2d(x, kernel)).sum())(image)
        shapes = f"image {image.shape}, kernel {kernel.shape}"
        np.testing.assert_allclose(back, gradient, atol=1e-4, err_msg=f"W.T @ g is not the gradient: {shapes}")
        np.testing.assert_allclose(
            back,
            scipy.signal.convolve2d(g, kernel, mode="full"),
            atol=1e-4,
            err_msg=f"W.T @ g is not the full convolution: {shapes}",
        )


def test_patch_matrix_times_kernel_is_the_correlation(chapter):
    for image, kernel in random_pairs(10, seed=5):
        P = chapter.patch_matrix(image, kernel.shape)
        expected = lax_corr2d(image, kernel)
        assert P.shape == (expected.size, kernel.size), f"image {image.shape}, kernel {kernel.shape}: P is {P.shape}"
        np.testing.assert_allclose(P @ kernel.ravel(), expected.ravel(), atol=1e-4)
        W = chapter.conv_matrix(kernel, image.shape)
        assert P.size == np.count_nonzero(W), "P holds as many numbers as W has non-zeros (kernels without zeros)"
    with pytest.raises(ValueError, match="at least as large as the kernel"):
        chapter.patch_matrix(np.ones((2, 2)), (3, 1))


def test_the_round_trip_keeps_the_rank(chapter):
    assert chapter.rank_round_trip == chapter.rank_W == 4


def test_conv_matrix_explains_bad_shapes(chapter):
    with pytest.raises(ValueError, match="larger than the input"):
        chapter.conv_matrix(np.ones((3, 1)), (2, 2))
    with pytest.raises(ValueError, match="2-D kernel"):
        chapter.conv_matrix(np.ones((1, 2, 2)), (4, 4))


def test_solutions_match_lax_on_random_shapes(chapter):
    for number, (image, kernel) in enumerate(random_pairs(10, seed=3)):
        np.testing.assert_allclose(
            chapter.conv_matrix_by_columns(kernel, image.shape), chapter.conv_matrix(kernel, image.shape), atol=1e-6
        )
        stride = 1 + number % 3
        np.testing.assert_allclose(
            chapter.strided_conv_matrix(kernel, image.shape, stride) @ image.ravel(),
            lax_corr2d(image, kernel, stride).ravel(),
            atol=1e-4,
            err_msg=f"stride {stride}, image {image.shape}, kernel {kernel.shape}",
        )
        dilated = np.zeros((2 * kernel.shape[0] - 1, 2 * kernel.shape[1] - 1), np.float32)
        dilated[::2, ::2] = kernel
        if all(n >= k for n, k in zip(image.shape, dilated.shape)):
            np.testing.assert_allclose(
                chapter.dilated_conv_matrix(kernel, image.shape, 2) @ image.ravel(),
                lax_corr2d(image, dilated).ravel(),
                atol=1e-4,
            )
        assert chapter.conv_matrix_nonzeros(image.shape, kernel.shape) == np.count_nonzero(
            chapter.conv_matrix(np.ones_like(kernel), image.shape)
        )
        g_shape = lax_corr2d(image, kernel).shape
        assert chapter.transposed_shape(g_shape, kernel.shape) == image.shape


WRONG_BY_COLUMNS = {
    "transposed matrix": (lambda c: lambda k, s: c.conv_matrix(k, s).T, "transpose of the right answer"),
    "flipped kernel": (lambda c: lambda k, s: c.conv_matrix(c.jnp.flip(k), s), "kernel flipped"),
    "one-pixel images numbered column by column": (
        lambda c: (
            lambda k, s: c.jnp.stack(
                [c.corr2d(e.reshape(s[1], s[0]).T, k).ravel() for e in c.jnp.eye(s[0] * s[1])], axis=1
            )
        ),
        "column-major order",
    ),
    "input one row too tall": (lambda c: lambda k, s: c.conv_matrix(k, (s[0] + 1, s[1])), "expected shape"),
    "the row-by-row conv_matrix": (lambda c: c.conv_matrix, "does not build W from corr2d"),
    "columns from scipy, not corr2d": (lambda c: columns_from_scipy, "does not build W from corr2d"),
    "the Jacobian of lax's convolution": (lambda c: c.lax_matrix, "does not build W from corr2d"),
    "responses stacked as rows": (
        lambda c: lambda k, s: c.jnp.stack([c.corr2d(e.reshape(s), k).ravel() for e in c.jnp.eye(s[0] * s[1])]),
        "transpose of the right answer",
    ),
}


def columns_from_scipy(kernel, input_shape):
    """Column by column from one-pixel images, but correlated by scipy instead of the chapter's corr2d."""
    images = np.eye(input_shape[0] * input_shape[1]).reshape(-1, *input_shape)
    return np.stack([scipy.signal.correlate2d(image, kernel, "valid").ravel() for image in images], axis=1)


def grid_of_rows(c, k, s):
    """The rows of the stride-1 matrix arranged as the (out_h, out_w) grid of output positions."""
    return c.conv_matrix(k, s).reshape(s[0] - k.shape[0] + 1, s[1] - k.shape[1] + 1, -1)


WRONG_STRIDED = {
    "stride ignored": (lambda c: lambda k, s, st: c.conv_matrix(k, s), "stride-1 matrix"),
    "stride in rows only": (
        lambda c: lambda k, s, st: grid_of_rows(c, k, s)[::st].reshape(-1, s[0] * s[1]),
        "column too",
    ),
    "every s-th row of the flat matrix": (lambda c: lambda k, s, st: c.conv_matrix(k, s)[::st], "grid of outputs"),
    "one output too few": (
        lambda c: lambda k, s, st: grid_of_rows(c, k, s)[::st, ::st][:-1].reshape(-1, s[0] * s[1]),
        "last row of outputs is missing",
    ),
    "flipped kernel": (lambda c: lambda k, s, st: c.strided_conv_matrix(c.jnp.flip(k), s, st), "kernel flipped"),
}


def spread(c, k, d):
    """k with d - 1 zeros between neighbouring weights."""
    return c.jnp.zeros((d * (k.shape[0] - 1) + 1, d * (k.shape[1] - 1) + 1)).at[::d, ::d].set(k)


WRONG_DILATED = {
    "dilation ignored": (lambda c: lambda k, s, d: c.conv_matrix(k, s), "undilated kernel"),
    "kernel stretched, not spread": (
        lambda c: (
            lambda k, s, d: c.conv_matrix(
                c.jnp.repeat(c.jnp.repeat(k, d, 0), d, 1)[: d * (k.shape[0] - 1) + 1, : d * (k.shape[1] - 1) + 1], s
            )
        ),
        "repeated, not spread",
    ),
    "window d * k wide": (
        lambda c: lambda k, s, d: c.conv_matrix(c.jnp.zeros((d * k.shape[0], d * k.shape[1])).at[::d, ::d].set(k), s),
        r"not d k",
    ),
    "flipped kernel": (lambda c: lambda k, s, d: c.conv_matrix(spread(c, c.jnp.flip(k), d), s), "kernel flipped"),
}
WRONG_NONZEROS = {
    "a row per input pixel": (lambda c: lambda n, k: n[0] * n[1] * k[0] * k[1], "not one per input pixel"),
    "forgot the + 1": (lambda c: lambda n, k: (n[0] - k[0]) * (n[1] - k[1]) * k[0] * k[1], r"n - k \+ 1 positions"),
    "all entries": (lambda c: lambda n, k: (n[0] - k[0] + 1) * (n[1] - k[1] + 1) * n[0] * n[1], "zeros included"),
    "the fraction instead": (lambda c: lambda n, k: k[0] * k[1] / (n[0] * n[1]), "fraction of the entries"),
}
WRONG_TRANSPOSED_SHAPE = {
    "the forward formula": (lambda c: lambda m, k: (m[0] - k[0] + 1, m[1] - k[1] + 1), "forward correlation's shape"),
    "one too many": (lambda c: lambda m, k: (m[0] + k[0], m[1] + k[1]), "one too many per axis"),
    "axes swapped": (lambda c: lambda m, k: (m[1] + k[1] - 1, m[0] + k[0] - 1), "height and width are swapped"),
}


WRONG_ANSWERS = {
    "conv_matrix_by_columns": WRONG_BY_COLUMNS,
    "strided_conv_matrix": WRONG_STRIDED,
    "conv_matrix_nonzeros": WRONG_NONZEROS,
    "transposed_shape": WRONG_TRANSPOSED_SHAPE,
    "dilated_conv_matrix": WRONG_DILATED,
}
test_checks_accept_the_solutions, test_checks_explain_wrong_answers = exercise_check_tests(WRONG_ANSWERS)
