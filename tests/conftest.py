"""Shared helpers for the tests: where things are, and how to load a chapter's code."""

import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

import check_book  # tools/, on sys.path through pytest.ini's pythonpath

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
SITE = ROOT / "_build" / "html"


def toc_files():
    """The files the table of contents lists, in order, without their extension."""
    return check_book.toc_files(ROOT)


def clean_clone(tmp_path, with_venv=True):
    """The files git would commit (tracked and new, not ignored) copied into tmp_path/clone, with the
    project's virtual environment linked in (run make there with `-o .venv/.ready`)."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
    )
    if listed.returncode:
        pytest.fail(f"this test copies the files git tracks, but git answered: {listed.stderr.strip()}", pytrace=False)
    book = tmp_path / "clone"
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():  # a deleted file stays listed until committed
            (book / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, book / name)
    if with_venv:
        (book / ".venv").symlink_to(ROOT / ".venv")
    return book


def load_chapter(stem):
    """Run chapters/<stem>.ipynb in this process and return its definitions as a module."""
    from importnb import Notebook

    path = CHAPTERS / f"{stem}.ipynb"
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: the test expects this chapter", pytrace=False)
    return Notebook.load_file(str(path))


def require(missing):
    """Skip a test whose tool (a Chromium, npm) is missing, saying why; under CI, where every test must run, fail."""
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)


def pytest_terminal_summary(terminalreporter):
    """After the run, one line per reason tests were skipped (a missing Chromium or npm) and how many."""
    reasons = Counter(
        report.longrepr[2].removeprefix("Skipped: ")
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple)
    )
    for reason, count in reasons.items():
        terminalreporter.write_line(f"{count} tests skipped: {reason}")


def broken_links(site):
    """Links, images, scripts and cross-references inside the site that point at nothing."""
    import re
    from urllib.parse import unquote, urlsplit

    from bs4 import BeautifulSoup

    # _static: theme templates; 404.html: its links are absolute, for the site's address (test_publish.py)
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.parts and p.name != "404.html")
    soups = {page: BeautifulSoup(page.read_text(), "html.parser") for page in pages}
    ids = {page: {tag["id"] for tag in soup.find_all(id=True)} for page, soup in soups.items()}
    broken = []
    for page, soup in soups.items():
        for tag, attribute in [("a", "href"), ("img", "src"), ("script", "src"), ("link", "href")]:
            for element in soup.find_all(tag, **{attribute: True}):
                target = element[attribute]
                if re.match(r"^(https?:|mailto:|data:|javascript:)", target):
                    continue
                path, fragment = urlsplit(target).path, urlsplit(target).fragment
                resolved = (page.parent / path).resolve() if path else page
                if not resolved.exists():
                    broken.append(f"{page.relative_to(site)} -> {target}")
                elif (
                    fragment
                    and resolved.suffix == ".html"
                    and not {fragment, unquote(fragment)} & ids.get(resolved, set())
                ):
                    broken.append(f"{page.relative_to(site)} -> {target} (no such anchor)")
    assert len(pages) > 5, f"only {len(pages)} pages in {site}"
    return broken


def pytest_collection_modifyitems(items):
    """The longest jobs first: test_grading.py's two halves of the course (each autogrades a dozen
    submissions) start at once, one per pytest-xdist worker, and the other files fill in around them."""
    items.sort(key=lambda item: item.module.__name__ != "test_grading")


@pytest.fixture(scope="session")
def site():
    if not (SITE / "index.html").exists():
        pytest.fail("_build/html is missing: build the site first with `make site` (`make test` does)", pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def chromium():
    """The Chromium tools/offline_browser.py finds; without one, browser tests skip (fail under CI)."""
    from offline_browser import find_chromium, why_not_chromium

    require(why_not_chromium())
    return find_chromium()


@pytest.fixture(scope="session")
def server(site):
    """The built site on a local server."""
    from offline_browser import serve

    httpd = serve(site)
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser(chromium):
    """One Chromium per test process, shared by every browser test (Playwright's sync API allows one)."""
    from offline_browser import FLAGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
        yield browser
        browser.close()


def lax_corr2d(image, kernel, stride=1):
    """Reference: JAX's convolution primitive, which cross-correlates like the chapters' corr2d."""
    import jax

    return jax.lax.conv_general_dilated(image[None, None], kernel[None, None], (stride, stride), "VALID")[0, 0]


def random_pairs(count, seed=0):
    """`count` (image, kernel) pairs of random 2-D shapes, the kernel no larger than the image."""
    import numpy as np

    rng = np.random.default_rng(seed)
    for _ in range(count):
        kh, kw = rng.integers(1, 5, size=2)
        h, w = kh + rng.integers(0, 8), kw + rng.integers(0, 8)
        yield rng.normal(size=(h, w)).astype(np.float32), rng.normal(size=(kh, kw)).astype(np.float32)


def not_done(*arguments):
    """A learner's answer still as handed out."""
    raise NotImplementedError


def exercise_check_tests(wrong_answers):
    """The two tests of a chapter's exercise checks, for `test_NN.py` to bind to module names.

    `wrong_answers` maps each exercise's function name to {mistake: (make_answer, message)}:
    make_answer(chapter) returns a plausible wrong answer, and the check for that exercise
    (`check_<name>`) must reject it with a message matching `message`. An unwritten answer
    ("still raises NotImplementedError") is tried for every exercise.
    """
    cases = [
        (name, mistake, *answer)
        for name, answers in wrong_answers.items()
        for mistake, answer in {
            **answers,
            "not done": (lambda chapter: not_done, "still raises NotImplementedError"),
        }.items()
    ]

    def test_checks_accept_the_solutions(chapter, capsys):
        for name in wrong_answers:
            getattr(chapter, f"check_{name}")(getattr(chapter, name))
        assert capsys.readouterr().out.count("✓") == len(wrong_answers)

    @pytest.mark.parametrize("name, mistake, make_answer, message", cases, ids=[f"{c[0]}: {c[1]}" for c in cases])
    def test_checks_explain_wrong_answers(chapter, name, mistake, make_answer, message):
        with pytest.raises(chapter.ExerciseCheckFailed, match=message):
            getattr(chapter, f"check_{name}")(make_answer(chapter))

    return test_checks_accept_the_solutions, test_checks_explain_wrong_answers
