"""Chapter 7's implementations all compute the same convolution; its timing helper and checks behave."""

import json

import jax
import numpy as np
import pytest

from conftest import exercise_check_tests, lax_corr2d, load_chapter, random_pairs

SINGLE_CHANNEL = ["corr2d_loop", "corr2d_shifted", "corr2d_im2col", "corr2d_library", "corr2d_fft"]
LAYERS = ["conv_layer_library", "conv_layer_im2col", "conv_layer_im2col_per_image", "conv_layer_shifted_matmuls"]


@pytest.fixture(scope="module")
def chapter():
    return load_chapter("07_how_fast_is_a_convolution")


@pytest.mark.parametrize("name", SINGLE_CHANNEL)
def test_every_single_channel_version_matches_lax(chapter, name):
    for image, kernel in random_pairs(8 if name == "corr2d_loop" else 25, seed=7):
        np.testing.assert_allclose(
            getattr(chapter, name)(image, kernel),
            lax_corr2d(image, kernel),
            atol=1e-4,
            err_msg=f"{name}: image {image.shape}, kernel {kernel.shape}",
        )


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_version_is_a_same_padded_channels_last_convolution(chapter, name):
    """Reference: Flax's own layer, nnx.Conv, with the same kernel and no bias."""
    from flax import nnx

    rng = np.random.default_rng(3)
    for batch, height, width, c_in, c_out, k in [(2, 7, 9, 3, 4, 3), (1, 6, 5, 2, 3, 5), (3, 4, 4, 1, 2, 1)]:
        images = rng.normal(size=(batch, height, width, c_in)).astype(np.float32)
        layer = nnx.Conv(c_in, c_out, kernel_size=(k, k), padding="SAME", use_bias=False, rngs=nnx.Rngs(0))
        result = getattr(chapter, name)(images, layer.kernel[...])
        np.testing.assert_allclose(
            result, layer(images), atol=1e-4, err_msg=f"{name}: {images.shape}, {k} x {k} kernel"
        )


def test_median_seconds_warms_up_once_then_times_each_repeat(chapter):
    calls = []
    seconds = chapter.median_seconds(lambda x: calls.append(x) or jax.numpy.ones(3), 1.0, repeats=4)
    assert len(calls) == 5, "one warm-up call, then one call per repeat"
    assert 0 < seconds < 1


def test_the_chapter_measured_every_version_at_every_size(chapter):
    """The stored timing outputs are not compared by nbval, so check here that they were all made."""
    assert set(chapter.seconds) == set(chapter.implementations)
    assert all(len(times) == len(chapter.sizes) and all(t > 0 for t in times) for times in chapter.seconds.values())
    assert set(chapter.layer_rates) == {"library", "im2col", "im2col per image", "shifted matmuls"}
    assert chapter.matmul_rate > 1e9, "a matrix product slower than 1 GFLOP/s means the measurement is wrong"


def separable_reference(c):
    return lambda X, column, row: c.corr2d(X, c.jnp.outer(column, row))


WRONG_ANSWERS = {
    "corr2d_separable": {
        "column and row swapped": (
            lambda c: lambda X, column, row: c.corr2d(c.corr2d(X, row[:, None]), column[None, :]),
            "the column and the row are swapped",
        ),
        "row pass forgotten": (
            lambda c: lambda X, column, row: c.corr2d(X, column[:, None]),
            "the row pass is missing",
        ),
        "column pass forgotten": (
            lambda c: lambda X, column, row: c.corr2d_shifted(X, row[None, :]),
            "the column pass is missing",
        ),
        "convolution instead": (
            lambda c: lambda X, column, row: separable_reference(c)(X, column[::-1], row[::-1]),
            "that is a convolution",
        ),
        "one 2-D pass with the outer product": (
            lambda c: lambda X, column, row: c.corr2d_shifted(X, c.jnp.outer(column, row)),
            "makes one 2-D pass",
        ),
        "one 2-D pass with the library": (
            lambda c: lambda X, column, row: c.corr2d_library(X, c.jnp.outer(column, row)),
            "makes one 2-D pass",
        ),
        "NumPy, which the check cannot trace": (
            lambda c: (
                lambda X, column, row: c.np.asarray(
                    c.corr2d_shifted(c.corr2d_shifted(X, column[:, None]), row[None, :])
                )
            ),
            "cannot read how it computes",
        ),
    },
    "corr2d_batch": {
        "first image only": (lambda c: lambda images, K: c.corr2d(images[0], K), "the first image only"),
        "kernel flipped": (
            lambda c: lambda images, K: c.jax.vmap(c.corr2d, in_axes=(0, None))(images, K[::-1, ::-1]),
            "the kernel is flipped",
        ),
        "batch summed": (
            lambda c: lambda images, K: sum(c.corr2d(image, K) for image in images),
            "the images are summed",
        ),
        "kernel transposed": (
            lambda c: lambda images, K: c.jax.vmap(c.corr2d, in_axes=(0, None))(images, K.T),
            "the kernel is transposed",
        ),
        "a Python loop over the images, stacked": (
            lambda c: lambda images, K: c.jnp.stack([c.corr2d_shifted(image, K) for image in images]),
            "a Python loop over the images",
        ),
        "a Python loop over the images, as a list": (
            lambda c: lambda images, K: [c.corr2d_shifted(image, K) for image in images],
            "a Python loop over the images",
        ),
    },
    "conv_cost": {  # a learner's formulas, each with one slip
        "stride ignored": (lambda c: lambda n, ci, co, k, s, p: c.conv_cost(n, ci, co, k, 1, p), "ignores the stride"),
        "padding ignored": (
            lambda c: lambda n, ci, co, k, s, p: c.conv_cost(n, ci, co, k, s, 0),
            "ignores the padding",
        ),
        "multiply-adds counted once": (
            lambda c: lambda *sizes: (c.conv_cost(*sizes)[0] // 2, c.conv_cost(*sizes)[1]),
            "counts each multiply-add once",
        ),
        "input channels forgotten": (
            lambda c: lambda n, ci, co, k, s, p: c.conv_cost(n, 1, co, k, s, p),
            "every input channel",
        ),
        "numbers, not bytes": (
            lambda c: lambda *sizes: (c.conv_cost(*sizes)[0], c.conv_cost(*sizes)[1] // 4),
            "a float32 takes 4 bytes",
        ),
        "a patch matrix per output channel": (
            lambda c: (
                lambda n, ci, co, k, s, p: (c.conv_cost(n, ci, co, k, s, p)[0], co * c.conv_cost(n, ci, co, k, s, p)[1])
            ),
            "does not depend on c_out",
        ),
        "k * k times the input": (
            lambda c: lambda n, ci, co, k, s, p: (c.conv_cost(n, ci, co, k, s, p)[0], 4 * n * n * ci * k * k),
            "only at stride 1",
        ),
        "the pair swapped": (lambda c: lambda *sizes: c.conv_cost(*sizes)[::-1], "values are wrong"),
        "FLOP only": (lambda c: lambda *sizes: c.conv_cost(*sizes)[0], "expected shape"),
    },
}

test_checks_accept_the_solutions, test_checks_explain_wrong_answers = exercise_check_tests(WRONG_ANSWERS)


@pytest.mark.parametrize(
    "name, answer",
    [
        (
            "separable, the row pass first",
            lambda c: lambda X, column, row: c.corr2d(c.corr2d(X, row[None, :]), column[:, None]),
        ),
        (
            "separable, with lax",
            lambda c: lambda X, column, row: c.corr2d_library(c.corr2d_library(X, column[:, None]), row[None, :]),
        ),
        ("batch, jax.lax.map", lambda c: lambda images, K: c.jax.lax.map(lambda x: c.corr2d_shifted(x, K), images)),
        (
            "batch, one library call",
            lambda c: (
                lambda images, K: c.jax.lax.conv_general_dilated(images[:, None], K[None, None], (1, 1), "VALID")[:, 0]
            ),
        ),
    ],
)
def test_the_method_checks_accept_other_right_methods(chapter, capsys, name, answer):
    """Two 1-D passes in either order, or by another function; a batch without a Python loop: each is right."""
    check = chapter.check_corr2d_separable if name.startswith("separable") else chapter.check_corr2d_batch
    check(answer(chapter))
    assert "✓" in capsys.readouterr().out


def test_make_bench_writes_one_record_per_implementation_and_case(chapter, tmp_path, capsys):
    import bench  # tools/bench.py, on the path through conftest

    results = bench.run(chapter, quick=True, output=tmp_path / "results.json")
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved == json.loads(json.dumps(results))
    fields = {"implementation", "case", "median_seconds", "gflops_per_second", "gbytes_per_second"}
    assert all(fields <= set(r) and r["median_seconds"] > 0 for r in saved["records"])
    pairs = [(r["implementation"], r["case"]) for r in saved["records"]]
    assert len(pairs) == len(set(pairs)), "one record per implementation and case"
    assert {r["implementation"] for r in saved["records"]} >= {"loop (definition)", "FFT", "shifted matmuls"}
    assert saved["machine"]["matmul_gflops_per_second"] > 1 and len(saved["machine"]["copy_gbytes_per_second"]) == 2
    report = capsys.readouterr().out
    assert "of the matrix-product rate" in report and "in-cache bandwidth" in report
