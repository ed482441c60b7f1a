"""Chapter 5's multi-channel functions agree with JAX's convolution and Flax;
its exercise checks explain wrong answers."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from conftest import exercise_check_tests, load_chapter


@pytest.fixture(scope="module")
def chapter():
    return load_chapter("05_channels")


def lax_reference(image, kernel):
    """Reference: JAX's convolution primitive on a (C_in, H, W) image and a (C_out, C_in, kh, kw) kernel."""
    return np.asarray(
        jax.lax.conv_general_dilated(image[None], kernel, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"))[
            0
        ]
    )


def random_cases(count, seed=0, kernel_size=None):
    """(C_in, H, W) images and (C_out, C_in, kh, kw) kernels of random, compatible shapes."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        c_in, c_out = (int(n) for n in rng.integers(1, 4, size=2))
        kh, kw = kernel_size or (int(n) for n in rng.integers(1, 4, size=2))
        h, w = kh + int(rng.integers(0, 4)), kw + int(rng.integers(0, 4))
        yield (
            rng.normal(size=(c_in, h, w)).astype(np.float32),
            rng.normal(size=(c_out, c_in, kh, kw)).astype(np.float32),
        )


def test_corr2d_channels_matches_lax_on_random_shapes(chapter):
    for image, kernel in random_cases(8):
        np.testing.assert_allclose(
            chapter.corr2d_channels(image, kernel),
            lax_reference(image, kernel),
            atol=1e-4,
            err_msg=f"image {image.shape}, kernel {kernel.shape}",
        )


def test_corr2d_sum_channels_is_one_output_channel(chapter):
    for image, kernel in random_cases(5, seed=1):
        np.testing.assert_allclose(
            chapter.corr2d_sum_channels(image, kernel[0]),
            lax_reference(image, kernel[:1])[0],
            atol=1e-4,
            err_msg=f"image {image.shape}, kernel {kernel[0].shape}",
        )


def test_1x1_matrix_product_matches_lax(chapter):
    for image, kernel in random_cases(5, seed=2, kernel_size=(1, 1)):
        np.testing.assert_allclose(
            chapter.conv1x1_as_matmul(image, kernel),
            lax_reference(image, kernel),
            atol=1e-5,
            err_msg=f"image {image.shape}, kernel {kernel.shape}",
        )


def test_the_curriculum_results(chapter):
    np.testing.assert_array_equal(chapter.Y, [[56, 72], [104, 120]])
    assert chapter.K3.shape == (3, 2, 2, 2) and chapter.Y3.shape == (3, 2, 2)
    np.testing.assert_array_equal(
        chapter.Y3, [[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]]
    )
    assert chapter.X_rgb.shape == (3, 3, 3) and chapter.K_1x1.shape == (2, 3, 1, 1)
    assert chapter.Y_matmul.shape == (2, 3, 3)
    np.testing.assert_allclose(chapter.Y_matmul, chapter.Y_general, atol=1e-6)
    np.testing.assert_allclose(chapter.Y_matmul, chapter.Y_einsum, atol=1e-6)


def test_layout_conversions_make_nnx_conv_agree(chapter):
    for image, kernel in random_cases(4, seed=3):
        c_out, c_in, kh, kw = kernel.shape
        conv = nnx.Conv(
            c_in,
            c_out,
            kernel_size=(kh, kw),
            padding="VALID",
            use_bias=False,
            kernel_init=nnx.initializers.zeros_init(),
            rngs=nnx.Rngs(0),
        )
        conv.kernel[...] = chapter.to_flax_kernel(kernel)
        batch = chapter.to_channels_last(image)
        assert batch.shape == (1, image.shape[1], image.shape[2], c_in), "to_channels_last gives the wrong shape"
        np.testing.assert_allclose(
            chapter.from_channels_last(conv(batch)),
            chapter.corr2d_channels(image, kernel),
            atol=1e-4,
            err_msg=f"image {image.shape}, kernel {kernel.shape}",
        )


@pytest.mark.parametrize("c_in, c_out, kh, kw", [(64, 128, 3, 3), (3, 16, 5, 5), (256, 64, 1, 1), (7, 2, 1, 3)])
def test_conv_cost_counts_what_nnx_conv_holds(chapter, c_in, c_out, kh, kw):
    weights, biases, madds = chapter.conv_cost(c_in, c_out, kh, kw, 10, 12)
    layer = nnx.eval_shape(lambda: nnx.Conv(c_in, c_out, kernel_size=(kh, kw), rngs=nnx.Rngs(0)))
    assert weights + biases == chapter.count_parameters(layer), "weights + biases differ from nnx.Conv's parameters"
    assert madds == 10 * 12 * c_out * c_in * kh * kw, "multiply-adds should be out pixels x c_out x c_in x kh x kw"


def test_the_realistic_layer_costs(chapter):
    assert chapter.conv_cost(64, 128, 3, 3, 56, 56) == (73_728, 128, 231_211_008)


def test_bad_shapes_are_explained(chapter):
    with pytest.raises(ValueError, match="2 channels but the kernel has 3"):
        chapter.corr2d_sum_channels(np.ones((2, 4, 4)), np.ones((3, 2, 2)))
    with pytest.raises(ValueError, match=r"\(C, H, W\) input"):
        chapter.corr2d_sum_channels(np.ones((4, 4)), np.ones((1, 2, 2)))
    with pytest.raises(ValueError, match=r"\(C_out, C_in, kh, kw\) kernel"):
        chapter.corr2d_channels(np.ones((2, 4, 4)), np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match=r"\(C_out, 3, 1, 1\) kernel"):
        chapter.conv1x1_as_matmul(np.ones((3, 4, 4)), np.ones((2, 3, 2, 2)))


def test_two_1x1_layers_without_relu_are_one(chapter):
    np.testing.assert_allclose(chapter.two_layers, chapter.one_layer, atol=1e-5)
    assert not np.allclose(chapter.with_relu, chapter.one_layer, atol=1e-5), "the ReLU should break the equality"


def test_solutions_match_references(chapter):
    for image, kernel in random_cases(6, seed=4):
        np.testing.assert_allclose(
            chapter.corr2d_channels_einsum(image, kernel),
            lax_reference(image, kernel),
            atol=1e-4,
            err_msg=f"einsum solution, image {image.shape}, kernel {kernel.shape}",
        )
        c_out, c_in = kernel.shape[:2]
        dense_kernel, bias = kernel[:, :, 0, 0].T, kernel[:, 0, 0, 0]
        per_pixel = np.einsum("chw,co->ohw", image, dense_kernel) + bias[:, None, None]
        np.testing.assert_allclose(
            chapter.linear_as_conv1x1(image, dense_kernel, bias),
            per_pixel,
            atol=1e-4,
            err_msg=f"dense-per-pixel solution, {c_in} -> {c_out} channels",
        )


def test_einsum_check_accepts_the_solution_and_explains_wrong_answers(chapter):
    solution = chapter.corr2d_channels_einsum
    chapter.check_corr2d_channels_einsum(solution)
    wrong_answers = {
        "expected shape": lambda X, K: jnp.swapaxes(solution(X, K), 1, 2),  # rows and columns swapped
        "values are wrong": lambda X, K: solution(X, jnp.flip(K, (2, 3))),  # a true convolution
        "expected shape \\(4, 4, 5\\), got \\(4, 3, 4, 5\\)":  # forgot to sum over the input channels
        lambda X, K: jax.vmap(jax.vmap(chapter.corr2d), in_axes=(None, 0))(X, K),
    }
    for message, wrong in wrong_answers.items():
        with pytest.raises(chapter.ExerciseCheckFailed, match=message):
            chapter.check_corr2d_channels_einsum(wrong)

    def stub(X, K):
        raise NotImplementedError()

    with pytest.raises(chapter.ExerciseCheckFailed, match="still raises NotImplementedError"):
        chapter.check_corr2d_channels_einsum(stub)


def test_dense_check_accepts_the_solution_and_explains_wrong_answers(chapter):
    solution = chapter.linear_as_conv1x1
    chapter.check_linear_as_conv1x1(solution)
    wrong_answers = {
        "values are wrong": lambda X, kernel, bias: chapter.corr2d_channels(X, kernel.T[:, :, None, None]),  # no bias
        "values are wrong, e.g.": lambda X, kernel, bias: (  # kernel reshaped instead of transposed
            chapter.corr2d_channels(X, kernel.reshape(kernel.shape[1], kernel.shape[0], 1, 1)) + bias[:, None, None]
        ),
        "expected shape \\(2, 4, 5\\), got \\(4, 5, 2\\)":  # channels-last output
        lambda X, kernel, bias: jnp.transpose(solution(X, kernel, bias), (1, 2, 0)),
    }
    for message, wrong in wrong_answers.items():
        with pytest.raises(chapter.ExerciseCheckFailed, match=message):
            chapter.check_linear_as_conv1x1(wrong)


WRONG_ANSWERS = {
    "bottleneck_weights": {
        "one 1 x 1 layer": (lambda c: lambda ch, b, k: ch * b + b * b * k * k, "count both"),
        "k x k layer with one channel": (lambda c: lambda ch, b, k: 2 * ch * b + b * k * k, "b \\* b \\* k \\* k"),
        "added, not multiplied": (lambda c: lambda ch, b, k: 2 * (ch + b) + b * b * k * k, "one per pair"),
        "the direct layer": (lambda c: lambda ch, b, k: ch * ch * k * k, "values are wrong"),
    },
}
test_checks_accept_the_solutions, test_checks_explain_wrong_answers = exercise_check_tests(WRONG_ANSWERS)
