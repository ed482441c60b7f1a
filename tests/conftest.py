"""Shared helpers for the tests: where things are, and how to load a chapter's code."""

import os
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

import check_book  # tools/, on sys.path through pytest.ini's pythonpath
from book import outline_items

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
SITE = ROOT / "_build" / "html"
# axe-core, which the browser tests inject into pages to audit them (package.json pins it; `make slides` installs it)
AXE = ROOT / "_build" / "npm" / "node_modules" / "axe-core"


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


# The files (or classes) that take a minute or more, longest first; every other file follows in its
# own order. `make test` runs pytest with `--dist loadscope --no-loadscope-reorder`, so each of its
# two workers takes the next of these as it frees up (pytest-xdist would otherwise start the files
# with the most tests first, and the two halves of test_grading.py, each autograding a dozen
# submissions for over three minutes, would start last). A schedule, not a measurement: a wrong
# order costs minutes, never a result.
LONGEST_FIRST = [
    "test_grading.py::TestOddChapters",
    "test_grading.py::TestEvenChapters",
    "test_fresh_clone.py",
    "test_browser.py",
    "test_gate.py",
    "test_07_how_fast_is_a_convolution.py",
    "test_08_from_kernels_to_a_network.py",
    "test_visual.py",
    "test_explorables.py",
    "test_offline.py",
]


def pytest_collection_modifyitems(items):
    """The longest jobs first (LONGEST_FIRST), so the two workers finish together."""

    def rank(item):
        file, *inside = item.nodeid.split("::")
        scopes = [f"{Path(file).name}::{inside[0]}", Path(file).name]  # its class, else its file
        return min((LONGEST_FIRST.index(s) for s in scopes if s in LONGEST_FIRST), default=len(LONGEST_FIRST))

    items.sort(key=rank)


def plain(text):
    """Text as extracted from the PDF, comparable: ligatures undone (NFKC), whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def read_once_per_run(path, read):
    """read(path) as JSON data, computed by the first test process that asks and shared with the
    other pytest-xdist workers through _build/cache/ (keyed by the file's SHA-256, so a changed
    file is read again)."""
    import fcntl
    import hashlib
    import json

    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    cache = ROOT / "_build" / "cache" / f"{path.name}.{digest}.json"
    cache.parent.mkdir(parents=True, exist_ok=True)
    with (cache.parent / f"{path.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits for the first's result
        if not cache.exists():
            for stale in cache.parent.glob(f"{path.name}.*.json"):
                stale.unlink()
            cache.write_text(json.dumps(read(path)))
        return json.loads(cache.read_text())


def read_pdf(path):
    """A PDF's pages' text (plain()), the first page of each bookmark's title, its outline as
    [depth, title] and its size in bytes."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    bookmarks, outline = {}, []
    for depth, item in outline_items(reader):
        bookmarks.setdefault(plain(item.title), reader.get_destination_page_number(item))
        outline.append([depth, plain(item.title)])
    return {
        "pages": [plain(page.extract_text()) for page in reader.pages],
        "bookmarks": bookmarks,
        "outline": outline,
        "bytes": path.stat().st_size,
    }


@pytest.fixture(scope="session")
def book(site):
    """The printed book, _build/html/book.pdf (read_pdf), read once per `make test`: test_offline.py
    and test_explorables.py look at its text."""
    from offline_browser import why_not_chromium

    require(why_not_chromium())
    path = site / "book.pdf"
    if not path.exists():
        pytest.fail(
            "_build/html/book.pdf is missing: `make site` prints it (or `make pdf`, then copy it)", pytrace=False
        )
    return read_once_per_run(path, read_pdf)


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
