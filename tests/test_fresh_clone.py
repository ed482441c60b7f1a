"""A newcomer's machine: only make and a Python, no Chromium, no npm, an unusable ~/.cache.

`make site` on a clean clone still builds and checks the site and exits 0; it says, one line each,
that it skipped the PDF and the slides and how to add what they need, and the site links to no
file it does not contain. A plain `jupyter-book build .` works too, and its "How this site was
checked" page says that it ran no check (nor will `make publish` publish it). An interrupted
environment install is redone, not trusted.
Where a Chromium is, tools/offline_browser.py finds it (Playwright's, Google Chrome, $CHROMIUM).

The clean clone is the files git would commit (tracked and new, not ignored), with the project's
virtual environment linked in (`-o .venv/.ready`: make does not reinstall it). To keep the test
cheap, its nbval step checks one (the quickest) chapter on one worker (`CHAPTERS=`, `PARALLEL=`); the HTML build
still builds every page.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, broken_links, clean_clone, toc_files
from offline_browser import ON_PATH  # the Chromium programs tools/offline_browser.py looks for on PATH

# What a machine without Chromium and npm lacks; the browsers Playwright may have installed are
# hidden with PLAYWRIGHT_BROWSERS_PATH.
MISSING = {*ON_PATH, "npm", "npx", "node", "nodejs"}
SMALL_CHAPTER = "chapters/05_channels.ipynb"  # the quickest to check: about 14 s of kernel time, chapter 1 22 s


def bare_machine(tmp_path):
    """The environment of a shell on a machine without Chromium, npm or a usable ~/.cache."""
    programs = tmp_path / "path"
    programs.mkdir()
    venv_bin = Path(sys.executable).parent
    for folder in map(Path, os.environ["PATH"].split(os.pathsep)):
        if folder.is_dir() and folder != venv_bin:
            for program in folder.iterdir():
                if program.name not in MISSING and not (programs / program.name).exists():
                    (programs / program.name).symlink_to(program)
    not_a_folder = tmp_path / "cache-is-a-file"  # ~/.cache unusable, even for root
    not_a_folder.write_text("")
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MAKE")
        and key not in ("MPLBACKEND", "MPLCONFIGDIR", "CHROMIUM", "EXECUTION_REPORT", "VIRTUAL_ENV", "PYTEST_ADDOPTS")
    }
    return {
        **environment,
        "PATH": str(programs),
        "XDG_CACHE_HOME": str(not_a_folder),
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-browsers"),
    }


def run(command, book, environment, timeout=900):
    return subprocess.run(command, cwd=book, capture_output=True, text=True, env=environment, timeout=timeout)


def test_make_site_without_chromium_and_npm(tmp_path):
    book = clean_clone(tmp_path)
    result = run(
        ["make", "--no-print-directory", "-o", ".venv/.ready", "site", f"CHAPTERS={SMALL_CHAPTER}", "PARALLEL="],
        book,
        bare_machine(tmp_path),
    )
    output = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, f"make site failed on a machine without Chromium and npm:\n{output}"
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 2, f"expected one line per skipped copy, got {skipped}"
    assert skipped[0].startswith("skipped the PDF: no Chromium found: add one with '"), skipped[0]
    assert skipped[1].startswith("skipped the slides: npm not found") and "add it with '" in skipped[1], skipped[1]
    site = book / "_build" / "html"
    missing = [page for page in toc_files() if not (site / f"{page}.html").exists()]
    assert not missing, f"pages missing from the site: {missing}"
    assert not (site / "book.pdf").exists() and not (site / "slides").exists()
    broken = broken_links(site)
    assert not broken, f"the site links to files it does not contain: {broken[:10]}"
    assert "This is the record of the last such run." in (site / "execution.html").read_text()


def test_plain_jupyter_book_build(tmp_path):
    book = clean_clone(tmp_path, with_venv=False)
    stale = book / "_build" / "reports" / "execution.md"  # as an earlier `make site` leaves it
    stale.parent.mkdir(parents=True)
    stale.write_text("A STALE RECORD of an earlier run.\n")
    machine = bare_machine(tmp_path)
    result = run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", "-W", "-n", "--keep-going", "."],
        book,
        machine,
        timeout=300,
    )
    assert result.returncode == 0, f"jupyter-book build failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    site = book / "_build" / "html"
    page = (site / "execution.html").read_text()
    assert "This build of the site did not run the check" in page and "STALE RECORD" not in page
    broken = broken_links(site)
    assert not broken, f"the site links to files it does not contain: {broken[:10]}"
    refused = run([sys.executable, "tools/publish.py", "push", "origin"], book, machine)  # what `make publish` runs
    assert refused.returncode == 1 and "the site in _build/html was not made by `make site`" in refused.stderr, (
        refused.stderr
    )


def test_an_interrupted_install_is_redone(tmp_path):
    """What Ctrl-C during the first install leaves (a .venv without .ready, half-written) is rebuilt from scratch."""
    book = clean_clone(tmp_path, with_venv=False)
    for name in ("requirements.txt", "requirements-build.txt"):
        (book / name).write_text("# nothing to install: this test checks what happens before pip runs\n")
    half_built = book / ".venv"
    (half_built / "bin").mkdir(parents=True)
    (half_built / "bin" / "python").write_text("#!/bin/sh\nexit 1\n")  # cut off mid-copy
    (half_built / "bin" / "python").chmod(0o755)
    (half_built / "half-installed-package").write_text("")
    result = run(["make", "--no-print-directory", ".venv/.ready"], book, bare_machine(tmp_path), timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert not (half_built / "half-installed-package").exists(), "make reused the half-built .venv"
    assert (
        run(
            [str(half_built / "bin" / "python"), "-c", "import sys; assert sys.prefix != sys.base_prefix"],
            book,
            os.environ,
        ).returncode
        == 0
    ), ".venv/bin/python is not a working virtual environment"


def test_make_test_under_ci_stops_at_once_without_chromium_and_npm(tmp_path):
    book = clean_clone(tmp_path)
    result = run(
        ["make", "--no-print-directory", "-o", ".venv/.ready", "test"], book, {**bare_machine(tmp_path), "CI": "true"}
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode != 0 and len(errors) == 1, f"expected one error, got:\n{result.stderr[-3000:]}"
    assert "no Chromium found" in errors[0] and "npm not found" in errors[0], errors[0]
    assert not (book / "_build").exists(), "make test ran something before checking for Chromium and npm"


@pytest.mark.parametrize("ci", ["", "true"])
def test_browser_tests_without_chromium_skip_locally_and_fail_under_ci(tmp_path, ci):
    environment = {**bare_machine(tmp_path), "CI": ci}
    result = run(
        [sys.executable, "-m", "pytest", "tests/test_browser.py", "tests/test_offline.py", "-q", "-p", "no:xdist"],
        ROOT,
        environment,
        timeout=300,
    )
    summary = result.stdout  # every error line: one reason must not hide the other
    if ci:
        assert result.returncode != 0 and "no Chromium found" in summary and "npm not found" in summary, summary
    else:
        assert result.returncode == 0 and "skipped" in summary.splitlines()[-1], summary
        assert re.search(r"^\d+ tests skipped: no Chromium found: add one with", summary, re.MULTILINE), summary


@pytest.mark.parametrize(
    "where", ["playwright's chromium", "playwright's headless shell", "google-chrome on PATH", "$CHROMIUM"]
)
def test_a_chromium_is_found_where_a_user_has_one(tmp_path, where):
    environment = bare_machine(tmp_path)
    place = {
        "playwright's chromium": Path(environment["PLAYWRIGHT_BROWSERS_PATH"]) / "chromium-1255/chrome-linux64/chrome",
        "playwright's headless shell": Path(environment["PLAYWRIGHT_BROWSERS_PATH"])
        / "chromium_headless_shell-1255/chrome-headless-shell-linux64/chrome-headless-shell",
        "google-chrome on PATH": Path(environment["PATH"]) / "google-chrome",
        "$CHROMIUM": tmp_path / "my" / "chrome",
    }[where]
    finder = [sys.executable, str(ROOT / "tools" / "offline_browser.py"), "chromium"]
    assert "no Chromium found" in run(finder, tmp_path, environment).stdout
    place.parent.mkdir(parents=True, exist_ok=True)
    place.write_text("#!/bin/sh\n")
    place.chmod(0o755)
    if where == "$CHROMIUM":
        environment["CHROMIUM"] = str(place)
    result = run(finder, tmp_path, environment)
    assert result.returncode == 0 and result.stdout.strip() == "", (
        f"{where} was not found: {result.stdout}{result.stderr}"
    )
