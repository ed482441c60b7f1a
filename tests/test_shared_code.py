"""Code several chapters share has one source, chapters/_shared/NAME.py, tested here once.

`make refresh` writes each snippet into the chapter cells tagged `shared-NAME`; these tests fail
when a chapter's copy differs from its source, or when a chapter defines a shared name by hand.
None of them executes a chapter (they run in `make check`).
"""

import ast
import json

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import pytest

import shared_code
from conftest import CHAPTERS, lax_corr2d, random_pairs

pytestmark = pytest.mark.static  # executes no chapter: part of `make check`

SHARED = shared_code.SHARED
SNIPPETS = {path.stem: path.read_text().strip() for path in sorted(SHARED.glob("*.py"))}
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
TAG = shared_code.TAG


def code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def defined_names(source):
    """Top-level functions and classes a piece of code defines."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a cell with IPython syntax defines nothing shared
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


SHARED_NAMES = {name: snippet for snippet, source in SNIPPETS.items() for name in defined_names(source)}


EVERY_KIND = sorted(set(shared_code.explorable_kinds(SNIPPETS["explorable"]).values()))


def snippet_namespace(*names):
    """The snippets `names` executed as a chapter would, with the chapter's usual imports (the explorables
    with the JavaScript of every kind)."""
    namespace = {"jnp": jnp, "np": np, "plt": plt}
    for name in names:
        exec(shared_code.explorable_source(EVERY_KIND) if name == "explorable" else SNIPPETS[name], namespace)
    return namespace


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_shared_cells_are_their_source(path):
    for number, cell in enumerate(code_cells(path)):
        for name in shared_code.tags(cell):
            assert name in SNIPPETS, (
                f"{path.name} code cell {number} is tagged {TAG}{name}, but {SHARED.name}/{name}.py is missing"
            )
            notebook = json.loads(path.read_text())
            assert "".join(cell["source"]).strip() == shared_code.source(name, notebook), (
                f"{path.name} code cell {number} differs from chapters/_shared/{name}.py: run `make refresh`"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_hand_kept_copy_of_shared_code(path):
    for number, cell in enumerate(code_cells(path)):
        if shared_code.tags(cell):
            continue
        copies = defined_names("".join(cell["source"])) & set(SHARED_NAMES)
        assert not copies, (
            f"{path.name} code cell {number} defines {sorted(copies)} by hand: move the code into its "
            f"own cell tagged {TAG}{SHARED_NAMES[min(copies)]} and run `make refresh`"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_chapter_starts_with_the_folded_set_up_cell(path):
    """nbval compares figures exactly only with the SVG settings of setup.py; Colab installs through it."""
    first = code_cells(path)[0]
    assert shared_code.tags(first) == ["setup"], f"{path.name}: the first code cell must be tagged {TAG}setup"
    assert "hide-cell" in first["metadata"]["tags"], f"{path.name}: the set-up cell must be folded: run `make refresh`"
    assert first["metadata"]["mystnb"] == shared_code.SETUP_METADATA["mystnb"], f"{path.name}: run `make refresh`"


def test_set_up_asks_colab_for_what_the_chapter_imports():
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "source": "import optax\nfrom sklearn import svm\n"}]}
    colab = shared_code.colab_versions()
    expected = [f"optax>={colab['optax']}", f"scikit-learn>={colab['scikit-learn']}"]
    assert shared_code.colab_packages(notebook) == expected
    assert f"packages = {expected}".replace("'", '"') in shared_code.source("setup", notebook)
    with pytest.raises(shared_code.SharedCodeError, match="does not exist"):
        shared_code.source("no_such_snippet", notebook)


def test_every_snippet_is_used():
    used = {name for path in NOTEBOOKS for cell in code_cells(path) for name in shared_code.tags(cell)}
    assert used == set(SNIPPETS), f"snippets no chapter uses: {sorted(set(SNIPPETS) - used)}"


def test_corr2d_matches_lax_on_random_shapes():
    corr2d = snippet_namespace("corr2d")["corr2d"]
    for image, kernel in random_pairs(25):
        np.testing.assert_allclose(
            corr2d(image, kernel),
            lax_corr2d(image, kernel),
            atol=1e-4,
            err_msg=f"image {image.shape}, kernel {kernel.shape}",
        )
    np.testing.assert_array_equal(
        corr2d(np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2)), [[19, 25], [37, 43]]
    )


def test_corr2d_explains_bad_shapes():
    corr2d = snippet_namespace("corr2d")["corr2d"]
    with pytest.raises(ValueError, match="larger than the image"):
        corr2d(np.ones((2, 2)), np.ones((3, 1)))
    with pytest.raises(ValueError, match="2-D arrays"):
        corr2d(np.ones((1, 4, 4)), np.ones((2, 2)))


def reference(X):
    return np.asarray(X) * 2.0


def not_done(X):
    raise NotImplementedError


CASES = [(np.arange(6.0).reshape(2, 3),), (np.ones((3, 3)),)]
WRONG = {
    "still raises NotImplementedError": (not_done, "double still raises NotImplementedError: replace that line"),
    "raises another error": (lambda X: X.missing, r"double\(array of shape \(2, 3\)\) raised AttributeError"),
    "wrong shape": (lambda X: np.ones((3, 2, 1)), r"expected shape \(2, 3\), got \(3, 2, 1\)"),
    "transposed": (lambda X: (2.0 * np.asarray(X)).T, "this is the transpose of the right answer"),
    "NaN": (lambda X: np.full(np.shape(X), np.nan), r"the result contains NaN, e.g. at \[\(0, 0\)"),
    "wrong values": (
        lambda X: np.asarray(X) * 2.0 + (np.asarray(X) > 4),
        r"1 of 6 values are wrong, e.g. at \(1, 2\) expected 10, got 11",
    ),
}


@pytest.mark.parametrize("mistake", WRONG)
def test_check_function_explains_each_kind_of_mistake(mistake):
    checks = snippet_namespace("exercise_checks")
    answer, message = WRONG[mistake]
    with pytest.raises(checks["ExerciseCheckFailed"], match=message):
        checks["check_function"]("double", answer, reference, CASES)


def test_check_function_accepts_a_right_answer(capsys):
    snippet_namespace("exercise_checks")["check_function"]("double", lambda X: 2 * np.asarray(X), reference, CASES)
    assert capsys.readouterr().out == "✓ double is right on all 2 test inputs.\n"


def test_a_failed_check_shows_its_message_not_a_traceback():
    failure = snippet_namespace("exercise_checks")["ExerciseCheckFailed"]("expected shape (6, 7), got (7, 6)")
    assert failure._render_traceback_() == ["✗ expected shape (6, 7), got (7, 6)"]


def test_show_heatmaps_labels_small_arrays_only(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda: None)
    show_heatmaps = snippet_namespace("show_heatmaps")["show_heatmaps"]
    show_heatmaps([np.arange(4.0).reshape(2, 2), np.zeros((11, 11))], ["small", "large"])
    small, large = plt.gcf().axes
    assert [t.get_text() for t in small.texts] == ["0", "1", "2", "3"] and not large.texts
    assert [small.get_title(), large.get_title()] == ["small", "large"]
    plt.close("all")


def test_count_parameters_counts_kernel_and_bias():
    from flax import nnx

    namespace = {"jax": __import__("jax"), "nnx": nnx}
    exec(SNIPPETS["count_parameters"], namespace)
    layer = nnx.Conv(3, 4, kernel_size=(2, 2), rngs=nnx.Rngs(0))
    assert namespace["count_parameters"](layer) == 3 * 4 * 2 * 2 + 4


@pytest.mark.parametrize("display", [True, False])
def test_glue_without_myst_nb_records_what_myst_nb_records(display):
    """In Colab there is no myst-nb: the stand-in must write the same output, or nbval's Colab run differs."""
    from unittest import mock

    from IPython.core.interactiveshell import InteractiveShell

    library, stand_in = {}, {}
    exec(SNIPPETS["glue"], library)
    exec(SNIPPETS["glue"].replace("from myst_nb import glue", "raise ImportError"), stand_in)
    assert (
        library["glue"].__module__.startswith("myst_nb") and stand_in["glue"].__module__ != library["glue"].__module__
    )
    published = []
    shell = InteractiveShell.instance()
    with mock.patch.object(
        shell.display_pub, "publish", lambda data, metadata=None, **_: published.append((data, metadata))
    ):
        for namespace in (library, stand_in):
            namespace["glue"]("speed_up", 12.3456, display=display)
    assert published[0] == published[1]


def test_check_function_names_a_known_mistake():
    """A derivation's check takes the learner's formula and says which known mistake it makes."""
    checks = snippet_namespace("exercise_checks")
    right = lambda n, k: n - k + 1  # noqa: E731
    mistakes = {"the output has n - k + 1 positions: add the 1": lambda n, k: n - k}
    with pytest.raises(checks["ExerciseCheckFailed"], match=r"output_size\(5, 3\): the output has n - k \+ 1"):
        checks["check_function"]("output_size", lambda n, k: n - k, right, [(5, 3), (4, 2)], mistakes)
    with pytest.raises(
        checks["ExerciseCheckFailed"], match="values are wrong"
    ):  # an unknown mistake: the usual message
        checks["check_function"]("output_size", lambda n, k: n * k, right, [(5, 3)], mistakes)
    checks["check_function"]("output_size", right, right, [(5, 3)], mistakes)


def test_explorables_are_the_same_on_every_run_and_explain_bad_arguments():
    explorable = snippet_namespace("explorable")
    X, K = np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2)
    first, again = (
        explorable["sliding_window_explorable"](X, K, np.array([[19, 25], [37, 43]])).data for _ in range(2)
    )
    assert first == again and "Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19" in first
    with pytest.raises(ValueError, match=r"the formula gives sizes \[10, 8\], not \[10, 9\]"):
        explorable["receptive_field_explorable"](10, [("convolution", 3, 1, 0)], [10, 9])
    with pytest.raises(ValueError, match="integers 0 to 255"):
        explorable["kernel_playground"](np.full((4, 4), 300), {"box": np.ones((3, 3))}, "box", np.zeros((2, 2)))


def notebook_calling(*calls):
    cells = [{"cell_type": "code", "metadata": {"tags": ["shared-explorable"]}, "source": ""}]
    return {"cells": cells + [{"cell_type": "code", "metadata": {}, "source": f"{call}(X, K, Y)"} for call in calls]}


def test_a_chapter_carries_only_the_explorables_it_calls():
    notebook = notebook_calling("sliding_window_explorable", "kernel_playground")
    assert shared_code.kinds_called(notebook, SNIPPETS["explorable"]) == ["playground", "sliding"]
    namespace = {"np": np}
    exec(shared_code.source("explorable", notebook), namespace)
    assert sorted(namespace["EXPLORABLE_SCRIPTS"]) == ["playground", "sliding"]
    assert {"sliding_window_explorable", "kernel_playground", "_png"} <= set(namespace)
    assert not {"descent_explorable", "receptive_field_explorable", "_field_1d"} & set(namespace)
    for kind in ("playground", "sliding"):
        script = (shared_code.SCRIPTS / f"{kind}.js").read_text()
        assert script.startswith("import ") and "\nimport " not in namespace["EXPLORABLE_SCRIPTS"][kind]
    assert "export " not in namespace["EXPLORABLE_COMMON"] and "function field(" in namespace["EXPLORABLE_COMMON"]


def test_every_script_file_is_a_kind_of_explorable():
    files = {path.stem for path in shared_code.SCRIPTS.glob("*.js")}
    assert files == {"common", *EVERY_KIND}, f"scripts without a helper, or helpers without a script: {files}"


def test_an_explorable_without_its_script_says_to_refresh():
    namespace = {"np": np}
    exec(shared_code.source("explorable", notebook_calling("sliding_window_explorable")), namespace)
    namespace["EXPLORABLE_SCRIPTS"].clear()
    with pytest.raises(ValueError, match="carries no script for the sliding explorable: run `make refresh`"):
        namespace["sliding_window_explorable"](np.ones((2, 2)), np.ones((1, 1)), np.ones((2, 2)))


def test_a_changed_script_makes_the_chapters_copy_stale(tmp_path, monkeypatch):
    """The stale-copy test above compares a chapter's cell with shared_code.source: an edit to a .js file
    must change that source."""
    notebook = notebook_calling("descent_explorable")
    before = shared_code.source("explorable", notebook)
    for path in shared_code.SCRIPTS.glob("*.js"):
        (tmp_path / path.name).write_text(path.read_text().replace("converges", "converged"))
    monkeypatch.setattr(shared_code, "SCRIPTS", tmp_path)
    after = shared_code.source("explorable", notebook)
    assert after != before and '"converged"' in after


def test_a_mistake_that_changes_the_shape_is_named_not_a_traceback():
    """An answer that makes a listed mistake of another shape than the right answer gets its message."""
    checks = snippet_namespace("exercise_checks")
    cases = [(np.ones((3, 4)),)]
    with pytest.raises(checks["ExerciseCheckFailed"], match="drops the last row"):
        checks["check_function"](
            "f", lambda x: x[:-1], lambda x: x, cases, mistakes={"drops the last row": lambda x: x[:-1]}
        )
