"""Chapter 5's multi-channel, grouped and composed convolutions agree with JAX's convolution and Flax; its
cost counts match what JAX traces; its exercise checks explain wrong answers, the einsum one also its method."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from conftest import CHAPTERS, exercise_check_tests, load_chapter
from test_glue import hand_typed_numbers


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


def test_grouped_convolution_matches_lax(chapter):
    rng = np.random.default_rng(5)
    for c_in, c_out, groups, kh, kw in [(4, 6, 2, 3, 3), (6, 6, 6, 2, 3), (3, 6, 3, 1, 1), (4, 8, 1, 2, 2)]:
        image = rng.normal(size=(c_in, 7, 6)).astype(np.float32)
        kernel = rng.normal(size=(c_out, c_in // groups, kh, kw)).astype(np.float32)
        library = jax.lax.conv_general_dilated(
            image[None], kernel, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"), feature_group_count=groups
        )[0]
        np.testing.assert_allclose(
            chapter.corr2d_grouped(image, kernel, groups),
            library,
            atol=1e-4,
            err_msg=f"{groups} groups, {kernel.shape}",
        )
    with pytest.raises(ValueError, match="3 groups need C_in and C_out divisible by 3"):
        chapter.corr2d_grouped(np.ones((4, 5, 5)), np.ones((6, 2, 3, 3)), 3)


def test_grouped_costs_are_what_nnx_holds(chapter):
    for name, (weights, biases, _) in chapter.variant_costs.items():
        convs = chapter.variants[name][1]
        assert weights + biases == chapter.flax_parameters(*convs), name
    assert chapter.variant_costs["grouped, 4 groups"][0] * 4 == chapter.weights_3x3


def test_two_layers_compose_into_one_kernel_of_size_k1_plus_k2_minus_1(chapter):
    rng = np.random.default_rng(6)
    for middle, (kh1, kw1), (kh2, kw2) in [(2, (2, 2), (3, 3)), (3, (1, 4), (2, 1)), (1, (3, 2), (3, 3))]:
        image = rng.normal(size=(2, 9, 8)).astype(np.float32)
        first = rng.normal(size=(middle, 2, kh1, kw1)).astype(np.float32)
        second = rng.normal(size=(3, middle, kh2, kw2)).astype(np.float32)
        composed = chapter.compose_kernels(first, second)
        assert composed.shape == (3, 2, kh1 + kh2 - 1, kw1 + kw2 - 1)
        np.testing.assert_allclose(
            lax_reference(image, composed),
            lax_reference(lax_reference(image, first), second),
            atol=1e-4,
            err_msg=f"K1 {first.shape}, K2 {second.shape}",
        )


def test_backward_pass_counts_two_convolutions_of_forward_size(chapter):
    images, kernel = jnp.zeros((2, 10, 12, 3)), jnp.zeros((3, 3, 3, 5))
    forward = chapter.convolutions_in(chapter.layer_3x3_forward, images, kernel)
    assert forward == [((2, 10, 12, 5), 2 * 10 * 12 * 5 * 3 * 3 * 3)]
    backward = chapter.convolutions_in(jax.grad(chapter.layer_3x3_loss, argnums=(0, 1)), images, kernel)
    shapes = sorted(str(output) for output, _ in backward)
    assert shapes == sorted(str(s) for s in [images.shape, kernel.shape, (2, 10, 12, 5)])
    assert {madds for _, madds in backward} == {forward[0][1]}, "each gradient costs what the forward pass costs"
    assert chapter.backward_madds == 2 * chapter.forward_madds


def test_chapter_prose_quotes_no_hand_typed_number():
    # an HTML attribute (the figure's width="100%") is not prose
    found = [f for f in hand_typed_numbers(CHAPTERS / "05_channels.ipynb") if 'width="' not in f]
    assert not found, "glue these from the code:\n" + "\n".join(found)


def lax_correlation(X, K):
    return jax.lax.conv_general_dilated(X[None], K, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"))[0]


def scipy_correlation(X, K):
    """A library function built on lax's convolution, once per pair of channels."""
    return jnp.stack(
        [
            sum(jax.scipy.signal.correlate2d(X[c], K[o, c], mode="valid") for c in range(X.shape[0]))
            for o in range(K.shape[0])
        ]
    )


def loop_over_output_channels(X, K):
    """Right values, one einsum per output channel and kernel position."""
    c_out, _, kh, kw = K.shape
    h, w = X.shape[1] - kh + 1, X.shape[2] - kw + 1
    maps = []
    for o in range(c_out):
        Y = jnp.zeros((h, w))
        for a in range(kh):
            for b in range(kw):
                Y = Y + jnp.einsum("c,chw->hw", K[o, :, a, b], X[:, a : a + h, b : b + w])
        maps.append(Y)
    return jnp.stack(maps)


def loop_over_both_channels(X, K):
    """Right values, one product per pair of channels and kernel position."""
    return jnp.stack([sum(corr2d_of(X[c], K[o, c]) for c in range(X.shape[0])) for o in range(K.shape[0])])


def corr2d_of(image, kernel):
    kh, kw = kernel.shape
    h, w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    return sum(kernel[a, b] * image[a : a + h, b : b + w] for a in range(kh) for b in range(kw))


def broadcast_and_sum(X, K):
    """No einsum, no loop over channels: a broadcast product summed over c, per kernel position."""
    c_out, _, kh, kw = K.shape
    h, w = X.shape[1] - kh + 1, X.shape[2] - kw + 1
    return sum(
        (K[:, :, a, b, None, None] * X[None, :, a : a + h, b : b + w]).sum(1) for a in range(kh) for b in range(kw)
    )


def test_einsum_check_passes_what_the_exercise_says_it_passes(chapter, capsys):
    chapter.check_corr2d_channels_einsum(broadcast_and_sum)
    assert "✓" in capsys.readouterr().out


WRONG_ANSWERS = {
    "corr2d_channels_einsum": {
        "kernel flipped": (lambda c: lambda X, K: c.corr2d_channels_einsum(X, jnp.flip(K, (2, 3))), "true convolution"),
        "channels-last output": (
            lambda c: lambda X, K: jnp.transpose(c.corr2d_channels_einsum(X, K), (1, 2, 0)),
            "channels-last",
        ),
        "input channels not summed": (
            lambda c: lambda X, K: jax.vmap(jax.vmap(c.corr2d), in_axes=(None, 0))(X, K),
            "one map per input channel",
        ),
        "rows and columns swapped": (
            lambda c: lambda X, K: jnp.swapaxes(c.corr2d_channels_einsum(X, K), 1, 2),
            "rows and columns are swapped",
        ),
        "lax's convolution": (lambda c: lax_correlation, "calls lax.conv_general_dilated"),
        "jax.scipy.signal.correlate2d": (lambda c: scipy_correlation, "calls lax.conv_general_dilated"),
        "the chapter's loop over input channels": (
            lambda c: c.corr2d_channels,
            "multiplies 18 times.*loop over the input channels",
        ),
        "a loop over output channels": (
            lambda c: loop_over_output_channels,
            "multiplies 24 times.*loop over the output channels",
        ),
        "loops over both channel axes": (
            lambda c: loop_over_both_channels,
            "multiplies 72 times: loop over the kernel positions",
        ),
    },
    "linear_as_conv1x1": {
        "no bias": (
            lambda c: lambda X, kernel, bias: c.corr2d_channels(X, kernel.T[:, :, None, None]),
            "bias is missing",
        ),
        "kernel reshaped, not transposed": (
            lambda c: (
                lambda X, kernel, bias: (
                    c.corr2d_channels(X, kernel.reshape(kernel.shape[1], kernel.shape[0], 1, 1)) + bias[:, None, None]
                )
            ),
            "reshaped to \\(C_out, C_in\\), not transposed",
        ),
        "channels-last output": (
            lambda c: lambda X, kernel, bias: jnp.transpose(c.linear_as_conv1x1(X, kernel, bias), (1, 2, 0)),
            "channels-last",
        ),
        "kernel not transposed": (
            lambda c: lambda X, kernel, bias: c.corr2d_channels(X, kernel[:, :, None, None]) + bias[:, None, None],
            "the input has 3 channels but the kernel has 2",
        ),
    },
    "bottleneck_weights": {
        "one 1 x 1 layer": (lambda c: lambda ch, b, k: ch * b + b * b * k * k, "count both"),
        "k x k layer with one channel": (lambda c: lambda ch, b, k: 2 * ch * b + b * k * k, "b \\* b \\* k \\* k"),
        "added, not multiplied": (lambda c: lambda ch, b, k: 2 * (ch + b) + b * b * k * k, "one per pair"),
        "biases counted": (lambda c: lambda ch, b, k: 2 * ch * b + b * b * k * k + 2 * b + ch, "biases too"),
        "the basic block": (lambda c: lambda ch, b, k: 2 * ch * ch * k * k, "two-layer basic block"),
        "the direct layer": (lambda c: lambda ch, b, k: ch * ch * k * k, "one c -> c layer"),
    },
}
test_checks_accept_the_solutions, test_checks_explain_wrong_answers = exercise_check_tests(WRONG_ANSWERS)
