"""Chapter 2's edge maps are the agreed results, and agree with jax.scipy and scikit-image."""

import jax.numpy as jnp
import numpy as np
import pytest
import skimage
from jax.scipy.signal import correlate2d

from conftest import exercise_check_tests, load_chapter


@pytest.fixture(scope="module")
def chapter():
    return load_chapter("02_edge_detection")


def not_implemented(image):
    """The student stub: the exercise not done yet."""
    raise NotImplementedError


def random_images(count, seed=0, smallest=2):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield rng.normal(size=tuple(rng.integers(smallest, 12, size=2))).astype(np.float32)


def test_stripe_image_is_ones_with_a_dark_band_in_columns_2_to_5(chapter):
    expected = np.ones((6, 8))
    expected[:, 2:6] = 0
    np.testing.assert_array_equal(chapter.stripe_image, expected)


def test_edge_map_marks_both_vertical_edges(chapter):
    np.testing.assert_array_equal(chapter.vertical_edge_kernel, [[1, -1]])
    assert chapter.edge_map.shape == (6, 7)
    np.testing.assert_array_equal(chapter.edge_map, np.tile([0, 1, 0, 0, 0, -1, 0], (6, 1)))


def test_transposed_image_has_no_vertical_edges(chapter):
    assert chapter.transposed_edge_map.shape == (8, 5)
    assert not np.asarray(chapter.transposed_edge_map).any(), "[1, -1] should see nothing on the transposed image"


def test_transposed_kernel_finds_horizontal_edges(chapter):
    expected = np.zeros((7, 6))
    expected[1], expected[5] = 1, -1
    np.testing.assert_array_equal(chapter.horizontal_edge_kernel, [[1], [-1]])
    np.testing.assert_array_equal(chapter.horizontal_edge_map, expected)


def test_photo_is_the_camera_image_averaged_in_2x2_blocks(chapter):
    camera = skimage.data.camera().astype(np.float64)
    expected = (camera[0::2, 0::2] + camera[0::2, 1::2] + camera[1::2, 0::2] + camera[1::2, 1::2]) / 4
    np.testing.assert_array_equal(chapter.photo, expected)


def test_sobel_kernels_are_the_standard_ones(chapter):
    np.testing.assert_array_equal(chapter.sobel_vertical_kernel, [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    np.testing.assert_array_equal(chapter.sobel_horizontal_kernel, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]])


@pytest.mark.parametrize(
    "name, kernel",
    [
        ("difference_vertical", "vertical_edge_kernel"),
        ("difference_horizontal", "horizontal_edge_kernel"),
        ("sobel_vertical", "sobel_vertical_kernel"),
        ("sobel_horizontal", "sobel_horizontal_kernel"),
    ],
)
def test_photo_edge_maps_match_jax_scipy_correlate2d(chapter, name, kernel):
    expected = correlate2d(chapter.photo, getattr(chapter, kernel), mode="valid")
    np.testing.assert_allclose(getattr(chapter, name), expected, atol=1e-2, err_msg=name)


def test_gradient_magnitude_matches_scikit_image_away_from_the_border(chapter):
    # scikit-image divides each kernel by 4 and the magnitude by sqrt(2), and pads the border.
    interior = skimage.filters.sobel(np.asarray(chapter.photo, dtype=np.float64))[1:-1, 1:-1] * 4 * np.sqrt(2)
    np.testing.assert_allclose(chapter.gradient_magnitude, interior, rtol=1e-5, atol=1e-2)


def test_solution_diagonal_edges(chapter):
    for image in random_images(10, seed=3):
        np.testing.assert_allclose(chapter.diagonal_edges(image), image[:-1, 1:] - image[1:, :-1], atol=1e-5)


def test_solution_sobel_magnitude_matches_scikit_image(chapter):
    for image in random_images(10, seed=4):
        np.testing.assert_allclose(
            chapter.sobel_magnitude(image),
            skimage.filters.sobel(image.astype(np.float64)),
            atol=1e-4,
            err_msg=f"image {image.shape}",
        )


def test_check_diagonal_edges_accepts_the_solution(chapter):
    chapter.check_diagonal_edges(chapter.diagonal_edges)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda image: jnp.asarray(image)[:-1, :-1] - jnp.asarray(image)[1:, 1:], "top-left and bottom-right"),
        (lambda image: jnp.asarray(image)[1:, :-1] - jnp.asarray(image)[:-1, 1:], "sign is reversed"),
        (lambda image: (jnp.asarray(image)[:-1, 1:] - jnp.asarray(image)[1:, :-1]).T, "transpose of the right answer"),
        (lambda image: jnp.asarray(image)[:, :-1] - jnp.asarray(image)[:, 1:], "expected shape"),  # the [1, -1] kernel
        (not_implemented, "NotImplementedError"),
    ],
    ids=["other-diagonal", "sign-flipped", "transposed", "row-difference", "not-implemented"],
)
def test_check_diagonal_edges_explains_wrong_answers(chapter, wrong, message):
    with pytest.raises(chapter.ExerciseCheckFailed, match=message):
        chapter.check_diagonal_edges(wrong)


def test_check_sobel_magnitude_accepts_the_solution(chapter):
    chapter.check_sobel_magnitude(chapter.sobel_magnitude)


def sobel_variant(chapter, pad_mode="symmetric", scale=4, combine=lambda v, h: jnp.sqrt((v**2 + h**2) / 2)):
    """A sobel_magnitude with one of its three details changed; pad_mode=None skips the padding."""

    def answer(image):
        padded = image if pad_mode is None else jnp.pad(image, 1, mode=pad_mode)
        return combine(
            chapter.corr2d(padded, chapter.sobel_vertical_kernel / scale),
            chapter.corr2d(padded, chapter.sobel_horizontal_kernel / scale),
        )

    return answer


@pytest.mark.parametrize(
    "variant, message",
    [
        (dict(pad_mode=None), "expected shape"),
        (dict(pad_mode="constant"), "padded with zeros"),
        (dict(pad_mode="reflect"), "leaves the border pixel out"),  # NumPy's reflect, not SciPy's
        (dict(scale=1), "divide each Sobel kernel by 4"),
        (dict(scale=2), "values are wrong"),  # divided by the two non-zero weights of a row
        (dict(combine=lambda v, h: jnp.sqrt(v + h)), "contains NaN"),  # forgot the squares
    ],
    ids=["no-padding", "zero-padding", "numpy-reflect", "no-division-by-4", "divided-by-2", "no-squares"],
)
def test_check_sobel_magnitude_explains_wrong_answers(chapter, variant, message):
    with pytest.raises(chapter.ExerciseCheckFailed, match=message):
        chapter.check_sobel_magnitude(sobel_variant(chapter, **variant))


def test_check_sobel_magnitude_explains_not_implemented(chapter):
    with pytest.raises(chapter.ExerciseCheckFailed, match="NotImplementedError"):
        chapter.check_sobel_magnitude(not_implemented)


def sobel_along(c, angle):
    return np.cos(angle) * c.sobel_vertical_kernel + np.sin(angle) * c.sobel_horizontal_kernel


def blur(size, sigma, offset):
    steps = np.arange(size) - offset
    return np.exp(-(steps[:, None] ** 2 + steps[None, :] ** 2) / (2 * sigma**2))


WRONG_ANSWERS = {
    "derivative_kernel": {
        "all weights of size 1": (lambda c: lambda d: np.array([[(-1.0) ** j for j in range(d + 1)]]), "binomial"),
        "one weight too many": (
            lambda c: lambda d: np.convolve(c.derivative_kernel(d)[0], [1.0, -1.0])[None, :],
            "expected shape",
        ),
        "signs reversed": (lambda c: lambda d: -c.derivative_kernel(d), "signs are reversed"),
        "d passes of [1, 1]": (lambda c: lambda d: np.abs(c.derivative_kernel(d)), "values are wrong"),
    },
    "directional_edge_kernel": {
        "cos and sin swapped": (lambda c: lambda a: sobel_along(c, np.pi / 2 - a), "cos and sin are swapped"),
        "degrees": (lambda c: lambda a: sobel_along(c, np.deg2rad(a)), "radians, not degrees"),
        "turned the other way": (lambda c: lambda a: sobel_along(c, -a), "turns the other way"),
        "the kernels' sum, not weighted": (
            lambda c: lambda a: c.sobel_vertical_kernel + c.sobel_horizontal_kernel,
            "values are wrong",
        ),
    },
    "gaussian_kernel": {
        "not normalised": (lambda c: lambda size, sigma: blur(size, sigma, (size - 1) / 2), "add up to 1"),
        "not centred": (
            lambda c: lambda size, sigma: blur(size, sigma, 0) / blur(size, sigma, 0).sum(),
            "centre the kernel",
        ),
        "sigma not squared": (
            lambda c: (
                lambda size, sigma: (
                    blur(size, np.sqrt(sigma), (size - 1) / 2) / blur(size, np.sqrt(sigma), (size - 1) / 2).sum()
                )
            ),
            r"2 sigma\*\*2, not 2 sigma",
        ),
    },
}
test_checks_accept_the_solutions, test_checks_explain_wrong_answers = exercise_check_tests(WRONG_ANSWERS)


def test_derivative_kernel_is_d_passes_of_the_difference(chapter):
    row = np.random.default_rng(4).normal(size=(1, 12)).astype(np.float32)
    for d in range(1, 5):
        passes = row
        for _ in range(d):
            passes = np.asarray(chapter.corr2d(passes, chapter.vertical_edge_kernel))
        np.testing.assert_allclose(chapter.corr2d(row, chapter.derivative_kernel(d)), passes, atol=1e-4)
