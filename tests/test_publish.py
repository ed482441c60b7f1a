"""Online: the workflow lints clean, the site works at its address, and only a checked site is published.

- .github/workflows/ passes actionlint and zizmor (offline, its default persona) with no finding,
  and its test job runs CI's own command, not a list of its own.
- The site's address comes from `repository.url` (GitHub Pages: https://owner.github.io/REPO/):
  404.html links only to files of the site under that address, and sitemap.xml lists every page
  of _toc.yml there.
- `make publish`, in a clone whose `origin` is a local bare repository, refuses a missing or
  unchecked _build/html with one message and pushes nothing; the site `make site` checked, it
  pushes to gh-pages. `make edition` packs a term's files from the checked site.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

import book  # tools/, on sys.path through pytest.ini's pythonpath
from conftest import ROOT, clean_clone, require, toc_files
from offline_browser import why_not_chromium, why_not_npm

BIN = Path(sys.executable).parent
WORKFLOWS = ROOT / ".github" / "workflows"
BASE = book.site_address(book.read_config(ROOT))  # the address the site and the PDF give
STAMP = "checked-by-make-site.json"
# git's own settings, for speed only: the test pushes 35 MB of site to a local repository
NO_COMPRESSION = {
    "GIT_CONFIG_COUNT": "2",
    "GIT_CONFIG_KEY_0": "core.compression",
    "GIT_CONFIG_VALUE_0": "0",
    "GIT_CONFIG_KEY_1": "pack.compression",
    "GIT_CONFIG_VALUE_1": "0",
}


@pytest.mark.static
@pytest.mark.parametrize(
    "linter", [["actionlint"], ["zizmor", "--offline", str(WORKFLOWS)]], ids=["actionlint", "zizmor"]
)
def test_workflows_lint_clean(linter):
    result = subprocess.run([str(BIN / linter[0]), *linter[1:]], cwd=ROOT, capture_output=True, text=True)
    findings = result.stdout.strip()
    assert result.returncode == 0 and (not findings or "No findings to report" in findings), f"{linter[0]}:\n{findings}"


@pytest.mark.static
def test_workflow_runs_what_ci_runs():
    """One source of truth: the test job runs `bash .ci/run`, and no step runs a test tool of its own."""
    workflow = yaml.safe_load((WORKFLOWS / "site.yml").read_text())
    runs = {name: [step.get("run", "") for step in job["steps"]] for name, job in workflow["jobs"].items()}
    assert "bash .ci/run" in runs["test"], f"the test job does not run `bash .ci/run`: {runs['test']}"
    assert "make colab-check" in runs["colab"]
    own = [run for job in runs.values() for run in job if re.search(r"pytest|nbval|jupyter-book|pip install", run)]
    assert not own, f"steps that run tests or installs of their own instead of the Makefile's: {own}"


@pytest.mark.static
@pytest.mark.parametrize(
    "repository, address",
    [
        ("https://github.com/Some-Teacher/convolutions-fork", "https://some-teacher.github.io/convolutions-fork/"),
        ("https://github.com/some-teacher/some-teacher.github.io", "https://some-teacher.github.io/"),
        ("https://github.com/some-teacher/course.git", "https://some-teacher.github.io/course/"),
        ("https://gitlab.com/some-teacher/course", None),
    ],
)
def test_a_forks_address_follows_its_repository_url(repository, address, tmp_path, monkeypatch):
    """The site (Sphinx's html_baseurl) and the PDF's title page give the same address for a fork."""
    import make_pdf  # tools/, on sys.path through pytest.ini's pythonpath
    import site_address  # _ext/, likewise

    config = SimpleNamespace(html_theme_options={"repository_url": repository}, html_baseurl="")
    site_address.set_address(None, config)
    assert (config.html_baseurl or None) == address, "the site's address"
    (tmp_path / "_config.yml").write_text(yaml.safe_dump({"repository": {"url": repository}, "html": {"baseurl": ""}}))
    monkeypatch.setattr(make_pdf, "ROOT", tmp_path)
    if address is None:
        with pytest.raises(SystemExit, match="set html.baseurl"):
            make_pdf.site_address()
    else:
        assert make_pdf.site_address() == address, "the PDF's title page"


def site_file(site, url):
    """The file of the site that an absolute link (a path or a URL) names at the site's address, or None."""
    parts, base = urlsplit(url), urlsplit(BASE)
    if parts.netloc not in ("", base.netloc) or not parts.path.startswith(base.path):
        return None
    path = site / parts.path.removeprefix(base.path)
    return path / "index.html" if path.is_dir() else path


def test_404_page_links_resolve_at_the_sites_address(site):
    page = BeautifulSoup((site / "404.html").read_text(), "html.parser")
    links = [
        value
        for attribute in ("href", "src", "data-content_root")
        for tag in page.find_all(attrs={attribute: True})
        if not (value := tag[attribute]).startswith("#") and urlsplit(value).netloc in ("", urlsplit(BASE).netloc)
    ]
    broken = [link for link in links if not ((file := site_file(site, link)) and file.exists())]
    assert not broken, f"404.html links that do not resolve under {BASE}: {broken[:10]}"
    pages = {site_file(site, link) for link in links}
    unlinked = [name for name in toc_files() if site / f"{name}.html" not in pages]
    assert not unlinked, f"404.html does not link to these pages: {unlinked}"


def test_sitemap_lists_every_page_at_the_sites_address(site):
    root = ElementTree.parse(site / "sitemap.xml").getroot()
    listed = sorted(loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"))
    assert listed == sorted(f"{BASE}{name}.html" for name in toc_files()), f"sitemap.xml lists {listed}"
    assert f'<link rel="canonical" href="{BASE}intro.html"' in (site / "intro.html").read_text()


def fork(tmp_path, site):
    """A clone of the course whose `origin` is a local bare repository, with `site` as its _build/html."""
    clone, remote = clean_clone(tmp_path), tmp_path / "remote.git"
    git = ["git", "-c", "user.name=Teacher", "-c", "user.email=teacher@example.org"]
    for command in (
        ["init", "-q", "--bare", str(remote)],
        ["-C", str(clone), "init", "-q", "-b", "main"],
        ["-C", str(clone), "add", "-A"],
        ["-C", str(clone), "commit", "-q", "-m", "the course"],
        ["-C", str(clone), "remote", "add", "origin", str(remote)],
    ):
        subprocess.run(git + command, check=True, capture_output=True)
    if site:
        shutil.copytree(site, clone / "_build" / "html", symlinks=True)
    return clone, remote


def make_publish(clone):
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(clone.parent),
        **NO_COMPRESSION,
        "GIT_AUTHOR_NAME": "Teacher",
        "GIT_AUTHOR_EMAIL": "teacher@example.org",
        "GIT_COMMITTER_NAME": "Teacher",
        "GIT_COMMITTER_EMAIL": "teacher@example.org",
    }
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.ready", "publish"],
        cwd=clone,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def gh_pages(remote):
    listed = subprocess.run(
        ["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "gh-pages"], capture_output=True, text=True
    )
    return listed.stdout.split() if listed.returncode == 0 else None


@pytest.mark.parametrize(
    "state, message",
    [
        ("missing", "there is no site in _build/html"),
        ("unchecked", "the site in _build/html was not made by `make site`"),
        ("changed after the check", "the site in _build/html changed after `make site` checked it"),
    ],
)
def test_make_publish_refuses_an_unchecked_site_and_pushes_nothing(tmp_path, site, state, message):
    clone, remote = fork(tmp_path, None if state == "missing" else site)
    html = clone / "_build" / "html"
    if state == "unchecked":
        (html / STAMP).unlink()
    elif state == "changed after the check":
        page = html / "execution.html"
        page.write_text(page.read_text().replace("This is the record of the last such run.", "Never checked."))
    result = make_publish(clone)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode != 0 and len(errors) == 1 and message in errors[0], result.stdout + result.stderr
    assert gh_pages(remote) is None, "make publish pushed a gh-pages branch"


def test_make_publish_pushes_the_checked_site(tmp_path, site):
    clone, remote = fork(tmp_path, site)
    result = make_publish(clone)
    assert result.returncode == 0, result.stdout + result.stderr
    published = gh_pages(remote)
    stamp = json.loads((site / STAMP).read_text())
    assert published and {"index.html", "404.html", "sitemap.xml", STAMP, ".nojekyll"} <= set(published)
    assert len(published) == stamp["files"] + 2, "gh-pages holds other files than the checked site"
    message = subprocess.run(
        ["git", "--git-dir", str(remote), "log", "-1", "--format=%s", "gh-pages"], capture_output=True, text=True
    ).stdout
    assert f"Site of {stamp['commit']}, checked by make site" in message


def test_make_edition_packs_the_checked_site_pdf_slides_and_student_notebooks(tmp_path, site):
    require(why_not_chromium() or why_not_npm())
    folder = tmp_path / "edition"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}  # as from a shell
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.ready", "edition", f"EDITION={folder}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "book.pdf",
        "site.tar.gz",
        "slides.tar.gz",
        "student-notebooks.tar.gz",
    ]
    assert (folder / "book.pdf").read_bytes()[:5] == b"%PDF-"
    with tarfile.open(folder / "site.tar.gz") as archive:
        names = set(archive.getnames())
    assert {f"site/{name}.html" for name in toc_files()} | {f"site/{STAMP}"} <= names
    with tarfile.open(folder / "student-notebooks.tar.gz") as archive:
        notebooks = {Path(name).name for name in archive.getnames() if name.endswith(".ipynb")}
    chapters = {f"{Path(name).name}.ipynb" for name in toc_files() if name.startswith("chapters/")}
    assert chapters <= notebooks, f"student notebooks missing: {chapters - notebooks}"
