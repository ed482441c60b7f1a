"""The gate cannot be blinded: `make site` stops, naming the chapter, on every realistic breakage.

The book is copied into a temporary folder, with one broken copy of a chapter per breakage (cut
after the first cell that shows it) and one unbroken chapter, and the nbval step of `make site`
(`make check-notebooks`) runs once over them all, with the project's virtual environment.
"""

import configparser
import json
import os
import re
import shutil
import subprocess

import pytest

from book import chapter_rows  # tools/: nbval's JUnit report, one row per notebook
from conftest import ROOT

# (chapter, what a careless edit changes, text in a code cell, replacement)
BREAKAGES = {
    "a changed kernel value": (
        "01_cross_correlation",
        "K = jnp.arange(4.0).reshape(2, 2)",
        "K = jnp.arange(1.0, 5.0).reshape(2, 2)",
    ),
    "an off-by-one output shape": (
        "01_cross_correlation",
        "Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))",
        "Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw))",
    ),
    "a cell that raises": (
        "01_cross_correlation",
        "layer = Conv2D((2, 2), rngs=nnx.Rngs(0))",
        "layer = Conv2D((2, 2), rngs=nnx.Rngs(0))\nraise RuntimeError('broken on purpose')",
    ),
    "a changed learning rate": ("04_learning_a_kernel", "learning_rate = 3e-2", "learning_rate = 2.9e-2"),
    "max pooling swapped for average": (
        "06_pooling",
        "max_3x3 = pool2d(X, (3, 3))",
        'max_3x3 = pool2d(X, (3, 3), mode="avg")',
    ),
    "a figure-only change": (
        "01_cross_correlation",
        'image = ax.imshow(array, cmap="cividis")',
        'image = ax.imshow(array, cmap="viridis")',
    ),
}


def book_copy(tmp_path, with_venv=True):
    """A copy of the repository in tmp_path, sharing the project's virtual environment."""
    book = tmp_path / "book"
    shutil.copytree(ROOT, book, ignore=shutil.ignore_patterns(".venv*", "_build", ".git", "__pycache__"))
    if with_venv:
        (book / ".venv").symlink_to(ROOT / ".venv")
    return book


def make(book, *arguments):
    # as from a shell: no make variables of the outer run, no plotting backend forced by conftest.py
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("MAKE") and key != "MPLBACKEND"
    }
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.ready", "-C", str(book), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=900,
    )


def smallest_broken_copy(book, name, chapter, old, new):
    """broken/NAME.ipynb: the chapter with `old` replaced by `new`, cut after the first cell that shows it.

    The copy ends with the first code cell, from the broken one on, that has stored outputs: the
    smallest notebook in which the gate can see the breakage. If it cannot see it there, the test fails.
    """
    notebook = json.loads((book / "chapters" / f"{chapter}.ipynb").read_text())
    cells = notebook["cells"]
    found = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and old in "".join(c["source"])]
    assert len(found) == 1, f"{chapter}: expected one code cell containing {old!r}, found {len(found)}"
    cells[found[0]]["source"] = "".join(cells[found[0]]["source"]).replace(old, new)
    last = next(i for i in range(found[0], len(cells)) if cells[i]["cell_type"] == "code" and cells[i]["outputs"])
    notebook["cells"] = cells[: last + 1]
    path = book / "broken" / f"{name}.ipynb"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1))
    return path


@pytest.fixture(scope="module")
def gate_run(tmp_path_factory):
    """One run of the nbval step over a copy per breakage, and an unbroken copy as the control."""
    book = book_copy(tmp_path_factory.mktemp("gate"))
    names = {breakage: f"{number}_{BREAKAGES[breakage][0]}" for number, breakage in enumerate(BREAKAGES)}
    for breakage, name in names.items():
        smallest_broken_copy(book, name, *BREAKAGES[breakage])
    control = book / "broken" / "control.ipynb"  # a whole chapter, unbroken: the quickest to check (about 14 s)
    shutil.copy(book / "chapters" / "05_channels.ipynb", control)
    result = make(
        book, "check-notebooks", "CHAPTERS=" + " ".join(sorted(f"broken/{p.name}" for p in control.parent.iterdir()))
    )
    output = result.stdout + result.stderr
    failed = set(re.findall(r"FAILED broken/(\w+)\.ipynb::", output))
    rows = chapter_rows(book / "_build" / "reports" / "nbval.xml")  # the step's own record, per notebook
    return result, output, failed, names, rows.get("control")


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_nbval_step_catches(gate_run, breakage):
    result, output, failed, names, _ = gate_run
    assert result.returncode != 0, "make check-notebooks passed despite the breakages"
    assert "error: a fresh run of a chapter differs from its stored outputs" in output
    assert names[breakage] in failed, (
        f"the gate did not catch {breakage} in broken/{names[breakage]}.ipynb:\n{output[-3000:]}"
    )


def test_unbroken_copy_passes(gate_run):
    """The control for the tests above: an unbroken chapter, in the same run, passes."""
    result, output, failed, names, control = gate_run
    assert control and control["cells"], "the nbval report has no cell of broken/control.ipynb: the control did not run"
    assert "control" not in failed and not control["failed"], output[-3000:]


def test_sanitizers_never_hide_a_number():
    sanitizers = configparser.ConfigParser()
    sanitizers.read(ROOT / "tests" / "nbval_sanitize.cfg")
    numbers = ["19", "-0.1234", "[[19. 25.]\n [37. 43.]]", "1e-06", "0.031", "(3, 2, 2)", "1234567", "loss 12.5"]
    for section in sanitizers.sections():
        pattern = re.compile(sanitizers[section]["regex"])
        hidden = [n for n in numbers if pattern.search(n)]
        assert not hidden, f"sanitizer [{section}] would hide the numbers {hidden}"


@pytest.mark.parametrize(
    "damage, message",
    [
        ("invalid JSON", "chapters/01_cross_correlation.ipynb is not valid JSON"),
        ("missing chapter", "_toc.yml lists `chapters/99_missing`, but neither"),
        ("chapter not in the toc", "chapters/99_extra.ipynb is not in _toc.yml"),
    ],
)
def test_broken_book_stops_make_site_with_one_clear_message(tmp_path, damage, message):
    book = book_copy(tmp_path)
    if damage == "invalid JSON":
        path = book / "chapters" / "01_cross_correlation.ipynb"
        path.write_text(path.read_text()[:-20])
    elif damage == "missing chapter":
        (book / "_toc.yml").write_text((book / "_toc.yml").read_text() + "      - file: chapters/99_missing\n")
    else:
        shutil.copy(book / "chapters" / "01_cross_correlation.ipynb", book / "chapters" / "99_extra.ipynb")
    result = make(book, "site")
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], f"expected one clear error about {damage}, got:\n{result.stderr}"


@pytest.mark.parametrize(
    "python, message", [("", "no Python 3.12 or newer found"), ("old-python", "is older than 3.12")]
)
def test_missing_python_312_stops_with_a_clear_message(tmp_path, python, message):
    book = book_copy(tmp_path, with_venv=False)
    if python:
        fake = tmp_path / python  # answers like a Python 3.11 to the Makefile's version check
        fake.write_text("#!/bin/sh\nexit 1\n")
        fake.chmod(0o755)
        python = str(fake)
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(book), "site", f"PYTHON={python}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert not (book / ".venv").exists(), "no virtual environment should be created with an unusable Python"
