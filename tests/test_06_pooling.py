"""Chapter 6's pooling agrees with Flax's pooling functions; its exercise checks explain wrong answers."""

import numpy as np
import pytest
from flax import nnx

from conftest import exercise_check_tests, load_chapter


@pytest.fixture(scope="module")
def chapter():
    return load_chapter("06_pooling")


def flax_reference(mode, image, window):
    """Reference: nnx.max_pool / nnx.avg_pool, stride 1, on a (C, H, W) array moved to (1, H, W, C) and back."""
    pool = nnx.max_pool if mode == "max" else nnx.avg_pool
    pooled = pool(np.moveaxis(image, 0, -1)[None], window, strides=(1, 1))
    return np.moveaxis(np.asarray(pooled[0]), -1, 0)


def random_cases(count, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        window = tuple(int(k) for k in rng.integers(1, 4, size=2))
        shape = (int(rng.integers(1, 4)), window[0] + int(rng.integers(0, 5)), window[1] + int(rng.integers(0, 5)))
        yield rng.normal(size=shape).astype(np.float32), window, str(rng.choice(["max", "avg"]))


def test_pool2d_matches_flax_on_random_shapes_and_channels(chapter):
    for image, window, mode in random_cases(12):
        np.testing.assert_allclose(
            chapter.pool2d(image, window, mode),
            flax_reference(mode, image, window),
            atol=1e-5,
            err_msg=f"{mode} pooling of {image.shape} with window {window}",
        )


def test_pool2d_on_one_image_matches_flax(chapter):
    image = np.random.default_rng(1).normal(size=(5, 6)).astype(np.float32)
    for mode in ["max", "avg"]:
        np.testing.assert_allclose(
            chapter.pool2d(image, (2, 3), mode),
            flax_reference(mode, image[None], (2, 3))[0],
            atol=1e-5,
            err_msg=f"{mode} pooling of a single (H, W) image",
        )


def test_the_curriculum_results(chapter):
    X = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(chapter.pool2d(X, (3, 3)), [[10, 11], [14, 15]])
    np.testing.assert_array_equal(chapter.pool2d(X, (2, 2)), [[5, 6, 7], [9, 10, 11], [13, 14, 15]])
    np.testing.assert_allclose(chapter.pool2d(X, (2, 2), "avg"), [[2.5, 3.5, 4.5], [6.5, 7.5, 8.5], [10.5, 11.5, 12.5]])
    np.testing.assert_array_equal(np.asarray(chapter.flax_max)[0, :, :, 0], [[10, 11], [14, 15]])
    np.testing.assert_array_equal(np.asarray(chapter.strided)[0, :, :, 0], [[5, 7], [13, 15]])


def test_pool2d_explains_bad_arguments(chapter):
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg'"):
        chapter.pool2d(np.ones((4, 4)), (2, 2), mode="mean")
    with pytest.raises(ValueError, match="larger than the image"):
        chapter.pool2d(np.ones((4, 4)), (5, 2))
    with pytest.raises(ValueError, match="at least 2 axes"):
        chapter.pool2d(np.ones(4), (2, 2))


def test_pooled_size_formula_matches_flax_shapes(chapter):
    rng = np.random.default_rng(2)
    for _ in range(12):
        window, stride = (int(v) for v in rng.integers(1, 4, size=2))
        pad = int(rng.integers(0, window))
        n = window + int(rng.integers(0, 6))
        shape = nnx.max_pool(
            np.zeros((1, n, n, 1)), (window, window), strides=(stride, stride), padding=((pad, pad), (pad, pad))
        ).shape
        assert chapter.pooled_size(n, window, pad, stride) == shape[1], f"n={n} k={window} p={pad} s={stride}"


def test_channels_are_pooled_separately(chapter):
    X = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(chapter.two_channels, [X, 15 - X])
    np.testing.assert_array_equal(
        chapter.pooled_channels, [[[5, 6, 7], [9, 10, 11], [13, 14, 15]], [[15, 14, 13], [11, 10, 9], [7, 6, 5]]]
    )
    assert chapter.flax_channels.shape == (1, 3, 3, 2)


def test_a_one_pixel_shift_changes_less_after_max_pooling(chapter):
    stripe_image = np.ones((6, 8), np.float32)
    stripe_image[:, 2:6] = 0
    np.testing.assert_array_equal(chapter.stripe_image, stripe_image)
    np.testing.assert_array_equal(chapter.vertical_edge_kernel, [[1, -1]])
    shifted = np.roll(stripe_image, 1, axis=1)
    kernel = np.array([[1.0, -1.0]], np.float32)
    before, after = chapter.corr2d(stripe_image, kernel), chapter.corr2d(shifted, kernel)
    assert int((before != after).sum()) == 24, "the raw edge maps should differ in 24 of 42 positions"
    differing = [int((chapter.pool2d(before, (k, k)) != chapter.pool2d(after, (k, k))).sum()) for k in (2, 3)]
    assert differing == [10, 4], f"2x2 and 3x3 max pooled maps should differ in 10 and 4 positions, got {differing}"


def test_solutions_match_flax_on_random_images(chapter):
    rng = np.random.default_rng(3)
    for _ in range(4):
        image = rng.normal(size=(int(rng.integers(4, 8)), int(rng.integers(4, 8)))).astype(np.float32)
        np.testing.assert_allclose(
            chapter.max_pool2d(image, (3, 2), 2, 1),
            nnx.max_pool(image[None, :, :, None], (3, 2), strides=(2, 2), padding=((1, 1), (1, 1)))[0, :, :, 0],
            atol=1e-6,
        )
        np.testing.assert_allclose(
            chapter.avg_pool_as_conv(image, (2, 3)), flax_reference("avg", image[None], (2, 3))[0], atol=1e-5
        )
        np.testing.assert_allclose(
            chapter.max_pool_2x2_relu(image), flax_reference("max", image[None], (2, 2))[0], atol=1e-6
        )


def by_flax(c, X, size, stride, pad):
    """nnx.max_pool on a (H, W) image: a library call, the thing max_pool2d must not be."""
    return c.flax_pool(c.nnx.max_pool, X, size, stride, pad)


def strided_with_reduce_window(c):
    """The right values straight from lax.reduce_window, padding with -inf as Flax does."""

    def answer(X, size, stride, pad):
        return c.jax.lax.reduce_window(
            X, -np.inf, c.jax.lax.max, tuple(size), (stride, stride), ((pad, pad), (pad, pad))
        )

    return answer


def numpy_max_pool2d(c):
    """A right answer written with NumPy: JAX cannot trace it, so the check can read only its values."""

    def answer(X, size, stride, pad):
        padded = np.pad(np.asarray(X), pad, constant_values=-np.inf)
        return c.pool2d(padded, size)[::stride, ::stride]

    return answer


def relu_max(c, a, b):
    return a + c.jax.nn.relu(b - a)


def max_from_abs(c):
    """max(a, b) = (a + b + |a - b|) / 2: right values, without a ReLU."""

    def pair(a, b):
        return (a + b + c.jnp.abs(a - b)) / 2

    return lambda X: pair(pair(X[:, :-1], X[:, 1:])[:-1], pair(X[:, :-1], X[:, 1:])[1:])


def max_from_where(c):
    def pair(a, b):
        return c.jnp.where(a > b, a, b)

    return lambda X: pair(pair(X[:, :-1], X[:, 1:])[:-1], pair(X[:, :-1], X[:, 1:])[1:])


WRONG_ANSWERS = {
    "same_padding": {
        "k - 1": (lambda c: lambda k: k - 1, "not k - 1"),
        "one too many": (lambda c: lambda k: (k + 1) // 2, "one too many"),
        "the window itself": (lambda c: lambda k: k, "adds 2k pixels"),
        "twice the window": (lambda c: lambda k: 2 * k, "values are wrong"),
    },
    "max_pool_comparisons": {
        "k * k comparisons": (lambda c: lambda ch, h, w, k: ch * (h - k + 1) * (w - k + 1) * k * k, "k \\* k - 1"),
        "every pixel a window": (lambda c: lambda ch, h, w, k: ch * h * w * (k * k - 1), "window positions"),
        "one channel": (lambda c: lambda ch, h, w, k: (h - k + 1) * (w - k + 1) * (k * k - 1), "number of channels"),
    },
    "max_pool2d": {
        "zero padding": (
            lambda c: lambda X, size, stride, pad: c.pool2d(c.jnp.pad(X, pad), size)[::stride, ::stride],
            "pad with -inf, not 0",
        ),
        "stride ignored": (
            lambda c: lambda X, size, stride, pad: c.pool2d(c.jnp.pad(X, pad, constant_values=-np.inf), size),
            "the stride is missing",
        ),
        "padding ignored": (
            lambda c: lambda X, size, stride, pad: c.pool2d(X, size)[::stride, ::stride],
            "the padding is missing",
        ),
        "stride 1, then the wrong phase": (
            lambda c: (
                lambda X, size, stride, pad: c.pool2d(c.jnp.pad(X, pad, constant_values=-np.inf), size)[
                    1::stride, 1::stride
                ]
            ),
            r"from 0 \(\[::s\]\), not from 1",
        ),
        "stride along the rows only": (
            lambda c: lambda X, size, stride, pad: c.pool2d(c.jnp.pad(X, pad, constant_values=-np.inf), size)[::stride],
            "slice the columns as well",
        ),
        "a library pool call: nnx.max_pool": (
            lambda c: lambda X, size, stride, pad: by_flax(c, X, size, stride, pad),
            "calls a library pooling function.*reduce_window_max",
        ),
        "a library pool call: lax.reduce_window": (strided_with_reduce_window, "calls a library pooling function"),
        "average instead of max": (
            lambda c: lambda X, size, stride, pad: c.flax_pool(c.nnx.avg_pool, X, size, stride, pad),
            "values are wrong",
        ),
    },
    "avg_pool_as_conv": {
        "sum instead of mean": (lambda c: lambda X, size: c.corr2d(X, c.jnp.ones(size)), "each window's sum"),
        "divided by ph + pw": (
            lambda c: lambda X, size: c.corr2d(X, c.jnp.full(size, 1 / (size[0] + size[1]))),
            "not by ph \\+ pw",
        ),
        "divided by the height only": (
            lambda c: lambda X, size: c.corr2d(X, c.jnp.full(size, 1 / size[0])),
            "not by its height alone",
        ),
        "divided by the width only": (
            lambda c: lambda X, size: c.corr2d(X, c.jnp.full(size, 1 / size[1])),
            "not by its width alone",
        ),
        "window transposed": (
            lambda c: lambda X, size: c.corr2d(X, c.jnp.full(size[::-1], 1 / (size[0] * size[1]))),
            "rows first",
        ),
        "a library pool call: nnx.avg_pool": (
            lambda c: lambda X, size: c.flax_pool(c.nnx.avg_pool, X, size),
            "calls a library pooling function.*reduce_window_sum",
        ),
        "a mean, not a convolution: pool2d's avg mode": (
            lambda c: lambda X, size: c.pool2d(X, size, "avg"),
            "not a weighted sum.*multiplies 0 times.*multiplies 6 times",
        ),
        "max instead of mean": (lambda c: lambda X, size: c.pool2d(X, size), "values are wrong"),
    },
    "max_pool_2x2_relu": {
        "minimum instead": (lambda c: lambda X: c.pool2d(-X, (2, 2)) * -1, "each window's minimum"),
        "wrong sign in the relu": (
            lambda c: (
                lambda X: (lambda p: p[:-1] + c.jax.nn.relu(p[:-1] - p[1:]))(
                    X[:, :-1] + c.jax.nn.relu(X[:, :-1] - X[:, 1:])
                )
            ),
            "the ReLU takes b - a",
        ),
        "only horizontal pairs": (
            lambda c: lambda X: relu_max(c, X[:, :-1], X[:, 1:]),
            "only the horizontal pairs",
        ),
        "only vertical pairs": (lambda c: lambda X: relu_max(c, X[:-1], X[1:]), "only the vertical pairs"),
        "diagonal pairs": (
            lambda c: lambda X: relu_max(c, X[:-1, :-1], X[1:, 1:]),
            "values are wrong",
        ),
        "pool2d itself": (lambda c: lambda X: c.pool2d(X, (2, 2)), "uses reduce_max"),
        "a library pool call: nnx.max_pool": (
            lambda c: lambda X: c.flax_pool(c.nnx.max_pool, X, (2, 2)),
            "calls a library pooling function",
        ),
        "jnp.maximum of the slices": (
            lambda c: (
                lambda X: c.jnp.maximum(c.jnp.maximum(X[:-1, :-1], X[:-1, 1:]), c.jnp.maximum(X[1:, :-1], X[1:, 1:]))
            ),
            "uses max:",
        ),
        "jnp.where on a comparison": (max_from_where, "uses select_n, gt"),
        "the absolute value": (max_from_abs, "uses abs"),
    },
}


test_checks_accept_the_solutions, test_checks_explain_wrong_answers = exercise_check_tests(WRONG_ANSWERS)


def test_a_right_answer_jax_cannot_trace_passes_and_says_its_method_went_unread(chapter, capsys):
    chapter.check_max_pool2d(numpy_max_pool2d(chapter))
    out = capsys.readouterr().out
    assert "✓ max_pool2d is right" in out and "could not read which functions it calls" in out, out


def test_the_solutions_pass_without_the_untraced_note(chapter, capsys):
    for name in WRONG_ANSWERS:
        getattr(chapter, f"check_{name}")(getattr(chapter, name))
    assert "JAX cannot trace" not in capsys.readouterr().out
