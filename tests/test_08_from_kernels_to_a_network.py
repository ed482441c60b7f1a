"""Chapter 8 trains a small CNN on the digits; its layers, data and comparison are what the text says."""

import jax
import numpy as np
import pytest

from conftest import exercise_check_tests, load_chapter


@pytest.fixture(scope="module")
def chapter():
    return load_chapter("08_from_kernels_to_a_network")


def numpy_cnn(model, images):
    """Reference forward pass of DigitCNN from its parameters: lax convolution, NumPy ReLU, pooling and matmul."""
    maps = jax.lax.conv_general_dilated(
        images, np.asarray(model.conv.kernel[...]), (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    maps = np.maximum(np.asarray(maps) + np.asarray(model.conv.bias[...]), 0)
    n, h, w, c = maps.shape
    pooled = maps.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))
    return pooled.reshape(n, -1) @ np.asarray(model.dense.kernel[...]) + np.asarray(model.dense.bias[...])


def numpy_mlp(model, images):
    """Reference forward pass of DigitMLP from its parameters."""
    hidden = np.maximum(
        images.reshape(len(images), -1) @ np.asarray(model.hidden.kernel[...]) + np.asarray(model.hidden.bias[...]), 0
    )
    return hidden @ np.asarray(model.output.kernel[...]) + np.asarray(model.output.bias[...])


def numpy_cross_entropy(logits, labels):
    """Reference: mean of -log softmax(logits)[label], in float64."""
    logits = np.asarray(logits, np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probabilities[np.arange(len(labels)), labels].mean()


def test_digits_are_scaled_nhwc_and_split_once(chapter):
    assert chapter.all_images.shape == (1797, 8, 8, 1), "the digits must be (N, H, W, C) with one channel"
    assert chapter.all_images.min() == 0 and chapter.all_images.max() == 1, "pixels must be scaled to [0, 1]"
    assert chapter.train_images.shape == (1024, 8, 8, 1) and chapter.test_images.shape == (453, 8, 8, 1)
    assert chapter.val_images.shape == (320, 8, 8, 1), "the validation set is 320 of the 1,344 non-test images"
    assert sorted(chapter.shuffled.tolist()) == list(range(1797)), "the split must use every image exactly once"
    expected = np.asarray(jax.random.permutation(jax.random.key(0), 1797))
    np.testing.assert_array_equal(chapter.shuffled, expected, err_msg="the split must come from the fixed key 0")
    np.testing.assert_array_equal(chapter.test_labels, chapter.digits.target[expected[:453]])
    np.testing.assert_array_equal(chapter.val_labels, chapter.digits.target[expected[453:773]])
    np.testing.assert_array_equal(chapter.train_images[:, :, :, 0], chapter.digits.images[expected[773:]] / 16)


def test_cnn_computes_conv_relu_pool_dense(chapter):
    model = chapter.DigitCNN(rngs=chapter.nnx.Rngs(3))
    shapes = sorted(p.shape for p in jax.tree.leaves(chapter.nnx.state(model, chapter.nnx.Param)))
    assert shapes == sorted([(3, 3, 1, 8), (8,), (128, 10), (10,)]), f"unexpected parameter shapes {shapes}"
    images = np.random.default_rng(0).random((5, 8, 8, 1)).astype(np.float32)
    np.testing.assert_allclose(model(images), numpy_cnn(model, images), atol=1e-5)
    assert chapter.count_parameters(model) == 1370


def test_mlp_is_two_dense_layers_of_about_the_same_size(chapter):
    model = chapter.DigitMLP(rngs=chapter.nnx.Rngs(3))
    images = np.random.default_rng(1).random((5, 8, 8, 1)).astype(np.float32)
    np.testing.assert_allclose(model(images), numpy_mlp(model, images), atol=1e-5)
    counts = chapter.count_parameters(model), chapter.count_parameters(chapter.cnn)
    assert counts == (1360, 1370), f"MLP and CNN should have 1360 and 1370 parameters, got {counts}"


def test_loss_and_accuracy_match_numpy(chapter):
    model = chapter.DigitCNN(rngs=chapter.nnx.Rngs(4))
    images, labels = chapter.test_images[:50], chapter.test_labels[:50]
    logits = numpy_cnn(model, images)
    assert np.isclose(
        float(chapter.cross_entropy_loss(model, images, labels)), numpy_cross_entropy(logits, labels), rtol=1e-5
    )
    assert chapter.accuracy(model, images, labels) == (logits.argmax(axis=1) == labels).mean()


def test_shift_images_moves_digits_and_fills_with_zeros(chapter):
    images = np.random.default_rng(2).random((3, 8, 8, 1)).astype(np.float32)
    for rows, cols in [(0, 1), (0, -1), (1, 0), (-1, 0), (2, -3)]:
        expected = np.zeros_like(images)
        for i in range(8):
            for j in range(8):
                if 0 <= i - rows < 8 and 0 <= j - cols < 8:
                    expected[:, i, j] = images[:, i - rows, j - cols]
        np.testing.assert_array_equal(
            chapter.shift_images(images, rows, cols), expected, err_msg=f"shift by {rows} rows, {cols} columns"
        )


def test_training_is_deterministic_and_reproduces_the_chapter(chapter, monkeypatch):
    monkeypatch.setattr(chapter, "epochs", 1)
    runs = []
    for _ in range(2):
        model = chapter.DigitCNN(rngs=chapter.nnx.Rngs(0))
        runs.append((chapter.train(model, jax.random.key(1))[0], np.asarray(model.conv.kernel[...])))
    assert runs[0][0] == runs[1][0] == chapter.cnn_losses[:1], "the same keys must give the same first epoch"
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_train_keeps_the_epoch_with_the_best_validation_accuracy(chapter, monkeypatch):
    monkeypatch.setattr(chapter, "epochs", 3)
    model = chapter.DigitMLP(rngs=chapter.nnx.Rngs(5))
    losses, val = chapter.train(model, jax.random.key(6))
    assert len(losses) == len(val) == 3
    assert chapter.accuracy(model, chapter.val_images, chapter.val_labels) == max(val), (
        "train must leave the model with the weights of its best validation epoch"
    )


def test_the_promised_results(chapter):
    assert chapter.cnn_test_accuracy >= 0.95, f"test accuracy {chapter.cnn_test_accuracy:.3f} is below 95%"
    assert chapter.cnn_losses[-1] < chapter.cnn_losses[0] / 10, "the training loss should fall by far"
    assert [len(r) for r in chapter.runs.values()] == [3, 3, 3], "three runs of each network"
    assert chapter.runs["CNN"][0] == chapter.test_once(chapter.cnn), "run 0 of the CNN is the network of the main text"
    np.testing.assert_allclose(
        chapter.by_hand, chapter.learned_maps, atol=1e-5, err_msg="the feature maps must be corr2d + bias + ReLU"
    )


def test_compare_names_how_the_runs_relate(chapter):
    assert chapter.compare([97.0, 98.0], [95.0, 96.9]) == "above"
    assert chapter.compare([90.0, 91.0], [91.5, 92.0]) == "below"
    assert chapter.compare([96.7, 97.1], [94.0, 96.9]) == "overlapping with", "a worst run below a best run overlaps"
    assert chapter.compare([96.0, 97.0], [97.0, 98.0]) == "overlapping with", "a tie is no lead"


def test_receptive_field_finds_the_pixels_a_unit_depends_on(chapter):
    images = np.random.default_rng(7).random((4, 8, 8, 1)).astype(np.float32)
    mask, extent = chapter.receptive_field(lambda image: image[2:5, 1:3, 0].sum(), images)
    assert extent == (3, 2) and mask.sum() == 6
    mask, extent = chapter.receptive_field(lambda image: image[0, 0, 0] * image[7, 7, 0], images)
    assert extent == (8, 8) and mask.sum() == 2, "the extent spans the pixels, the mask holds only those touched"
    assert chapter.fields["first layer, unit (4, 4)"][1] == (3, 3), "a first-layer unit sees its 3 x 3 kernel"


def test_two_layer_network_is_conv_pool_conv_pool_dense(chapter):
    model = chapter.TwoLayerCNN(rngs=chapter.nnx.Rngs(3))
    shapes = sorted(p.shape for p in jax.tree.leaves(chapter.nnx.state(model, chapter.nnx.Param)))
    assert shapes == sorted([(3, 3, 1, 8), (8,), (3, 3, 8, 12), (12,), (48, 10), (10,)]), shapes
    images = np.random.default_rng(8).random((3, 8, 8, 1)).astype(np.float32)
    assert model.second_maps(images).shape == (3, 4, 4, 12)
    assert model(images).shape == (3, 10)


def test_cosine_similarity_measures_the_angle(chapter):
    rng = np.random.default_rng(5)
    a = rng.normal(size=(3, 3))
    assert np.isclose(chapter.cosine_similarity(a, 3 * a), 1), "a multiple points the same way"
    assert np.isclose(chapter.cosine_similarity(a, -2 * a), -1), "a negative multiple points the opposite way"
    assert np.isclose(chapter.cosine_similarity([[1.0, 0.0]], [[0.0, 5.0]]), 0), "orthogonal kernels score 0"
    assert np.isclose(
        chapter.cosine_similarity(a, a.ravel()[::-1].reshape(3, 3)),
        chapter.cosine_similarity(a.ravel(), a.ravel()[::-1]),
    )


def test_checks_compile_answers_but_accept_uncompilable_ones(chapter, capsys):
    def numpy_answer(logits, labels):  # right, but np.asarray fails on the tracers of jax.jit
        return numpy_cross_entropy(np.asarray(logits), np.asarray(labels))

    chapter.check_cross_entropy(numpy_answer)
    assert "✓" in capsys.readouterr().out


def cross_entropy_variant(c, naive=False, total=False, sign=1, per_example=False, probability=False):
    """A cross_entropy with one plausible mistake."""
    jnp = c.jnp

    def cross_entropy(logits, labels):
        if naive:
            exp = jnp.exp(logits)
            probabilities = exp / exp.sum(axis=1, keepdims=True)
        else:
            probabilities = jnp.exp(logits - logits.max(axis=1, keepdims=True))
            probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
        right = jnp.take_along_axis(probabilities, labels[:, None], axis=1)[:, 0]
        losses = -right if probability else -sign * jnp.log(right)
        return losses if per_example else losses.sum() if total else losses.mean()

    return cross_entropy


def conv_relu_pool_variant(c, pad=1, channels_last=False, relu=True, pool="max", flip=False):
    """A conv_relu_pool with one plausible mistake."""
    jnp = c.jnp

    def conv_relu_pool(image, kernels, biases):
        padded = jnp.pad(image, pad)
        maps = [c.corr2d(padded, jnp.flip(k) if flip else k) + b for k, b in zip(kernels, biases)]
        maps = [jnp.maximum(m, 0) if relu else m for m in maps]
        h, w = maps[0].shape
        blocks = [m[: h // 2 * 2, : w // 2 * 2].reshape(h // 2, 2, w // 2, 2) for m in maps]
        out = jnp.stack([b.max(axis=(1, 3)) if pool == "max" else b.mean(axis=(1, 3)) for b in blocks])
        return jnp.transpose(out, (1, 2, 0)) if channels_last else out

    return conv_relu_pool


WRONG_ANSWERS = {
    "cross_entropy": {
        "softmax without subtracting the maximum": (lambda c: cross_entropy_variant(c, naive=True), "got inf"),
        "sum instead of mean": (lambda c: cross_entropy_variant(c, total=True), "values are wrong"),
        "log p instead of -log p": (lambda c: cross_entropy_variant(c, sign=-1), "values are wrong"),
        "probability instead of its log": (lambda c: cross_entropy_variant(c, probability=True), "values are wrong"),
        "no mean over the batch": (lambda c: cross_entropy_variant(c, per_example=True), "expected shape"),
    },
    "conv_relu_pool": {
        "no padding": (lambda c: conv_relu_pool_variant(c, pad=0), "expected shape"),
        "channels last": (lambda c: conv_relu_pool_variant(c, channels_last=True), "expected shape"),
        "ReLU forgotten": (lambda c: conv_relu_pool_variant(c, relu=False), "values are wrong"),
        "average pooling": (lambda c: conv_relu_pool_variant(c, pool="avg"), "values are wrong"),
        "flipped kernel (true convolution)": (lambda c: conv_relu_pool_variant(c, flip=True), "values are wrong"),
    },
    "cnn_counts": {  # a learner's counts, each with one slip
        "biases forgotten": (
            lambda c: (
                lambda n, m, k, classes: (
                    c.cnn_counts(n, m, k, classes)[0] - m - classes,
                    c.cnn_counts(n, m, k, classes)[1],
                )
            ),
            "biases are parameters too",
        ),
        "dense layer on the unpooled maps": (
            lambda c: (
                lambda n, m, k, classes: (
                    m * (k * k + 1) + n * n * m * classes + classes,
                    n * n * m * k * k + n * n * m * classes,
                )
            ),
            "sees the pooled maps",
        ),
        "each kernel applied once": (
            lambda c: (
                lambda n, m, k, classes: (c.cnn_counts(n, m, k, classes)[0], m * k * k + (n // 2) ** 2 * m * classes)
            ),
            "weight sharing saves",
        ),
        "VALID positions": (
            lambda c: (
                lambda n, m, k, classes: (
                    c.cnn_counts(n, m, k, classes)[0],
                    (n - k + 1) ** 2 * m * k * k + (n // 2) ** 2 * m * classes,
                )
            ),
            "VALID padding",
        ),
        "the pair swapped": (lambda c: lambda *sizes: c.cnn_counts(*sizes)[::-1], "values are wrong"),
        "parameters only": (lambda c: lambda *sizes: c.cnn_counts(*sizes)[0], "expected shape"),
    },
    "scramble": {
        "a permutation per image": (
            lambda c: (
                lambda images: np.stack(
                    [
                        np.asarray(image).reshape(64)[np.random.default_rng(n).permutation(64)]
                        for n, image in enumerate(images)
                    ]
                ).reshape(images.shape)
            ),
            "scrambled in different ways",
        ),
        "a permutation per call": (
            lambda c: (
                lambda images: (
                    np.asarray(images)
                    .reshape(len(images), 64)[:, np.random.default_rng().permutation(64)]
                    .reshape(images.shape)
                )
            ),
            "two calls scramble differently",
        ),
        "drawn with replacement": (
            lambda c: (
                lambda images: (
                    np.asarray(images)
                    .reshape(len(images), 64)[:, np.random.default_rng(0).integers(0, 64, 64)]
                    .reshape(images.shape)
                )
            ),
            "appear twice",
        ),
        "pixels mixed across images": (
            lambda c: (
                lambda images: (
                    np.asarray(images)
                    .reshape(-1)[np.random.default_rng(0).permutation(images.size)]
                    .reshape(images.shape)
                )
            ),
            "mixes images",
        ),
        "nothing moved": (lambda c: lambda images: images, "leaves every pixel"),
        # Fixed permutations that keep each pixel's neighbours next to it: the CNN would not suffer.
        "a flip": (lambda c: lambda images: c.jnp.flip(images, 2), "a flip, rotation or transpose"),
        "a transpose": (lambda c: lambda images: c.jnp.swapaxes(images, 1, 2), "a flip, rotation or transpose"),
        "a 2-D roll": (lambda c: lambda images: c.jnp.roll(images, (3, 5), (1, 2)), "a roll"),
        "a flat roll": (
            lambda c: lambda images: c.jnp.roll(images.reshape(len(images), 64), 1, 1).reshape(images.shape),
            "a roll",
        ),
        "two pixels swapped": (
            lambda c: lambda images: images.reshape(len(images), 64)[:, [1, 0, *range(2, 64)]].reshape(images.shape),
            "swap of a few pixels .it moves only 2 of the 64",
        ),
        "rows shuffled": (
            lambda c: lambda images: images[:, np.random.default_rng(0).permutation(8)],
            "keeps most neighbours together",
        ),
        "flattened": (lambda c: lambda images: c.scramble(images).reshape(len(images), 64), "expected shape"),
    },
}


test_checks_accept_the_solutions, test_checks_explain_wrong_answers = exercise_check_tests(WRONG_ANSWERS)
