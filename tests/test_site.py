"""Every chapter is a page of the built site, with launch buttons pointing at its notebook."""

import re

import pytest
import yaml

from conftest import ROOT, broken_links, toc_files

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"].removeprefix("https://github.com/")
BRANCH = CONFIG["repository"]["branch"]
CHAPTER_PAGES = [f for f in toc_files() if f.startswith("chapters/")]


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_launch_and_download_buttons_point_at_the_chapter(site, page):
    html = (site / f"{page}.html").read_text()
    links = set(re.findall(r'href="([^"]+)"', html))
    colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{page}.ipynb"
    binder = f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?urlpath=tree/{page}.ipynb"
    assert colab in links, f"{page}: no Colab button to {colab}"
    assert binder in links, f"{page}: no Binder button to {binder}"
    download = f"../_sources/{page}.ipynb"
    assert download in links, f"{page}: no download link to the notebook"
    assert (site / "_sources" / f"{page}.ipynb").exists(), f"{page}: the downloadable notebook is missing"


def pins(name):
    """{package: version} of a requirements file's exact pins."""
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / name).read_text(), re.MULTILINE))


def test_binder_gets_the_versions_the_outputs_were_made_with():
    """Binder installs requirements.txt (hashed), with the Python of runtime.txt."""
    learner, build = pins("requirements.txt"), pins("requirements-build.txt")
    assert {"jax", "flax", "optax", "matplotlib", "numpy", "scikit-image"} <= set(learner)
    differing = {name: (v, build.get(name)) for name, v in learner.items() if build.get(name) != v}
    assert not differing, f"requirements.txt and requirements-build.txt pin different versions: {differing}"
    for name in ("requirements.txt", "requirements-build.txt", "requirements-colab.txt"):
        text = (ROOT / name).read_text()
        pinned = re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.MULTILINE)
        hashed = re.findall(r"^([A-Za-z0-9_.-]+)==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", text, re.MULTILINE)
        assert pinned and pinned == hashed, (
            f"{name}: packages pinned without a hash: {sorted(set(pinned) - set(hashed))}"
        )
    runtime = (ROOT / "runtime.txt").read_text().strip()
    python = (ROOT / ".python-version").read_text().strip()
    assert runtime == f"python-{python}", f"runtime.txt says {runtime}, but the build uses Python {python}"


def test_every_internal_link_resolves(site):
    """Links, images, scripts and cross-references inside the site all point at something that exists."""
    broken = broken_links(site)
    assert not broken, f"{len(broken)} broken internal links: {broken[:10]}"


GUIDE_PAGES = [f for f in toc_files() if f.startswith("instructors/")]


def test_the_instructors_guide_is_in_the_navigation_and_the_search(site):
    """Instructors find the course on the web: its guide is a part of the site's menu and search."""
    assert GUIDE_PAGES, "_toc.yml lists no instructors' guide (instructors/*.md)"
    home = (site / "intro.html").read_text()  # index.html only redirects to it
    search = (site / "searchindex.js").read_text()
    for page in GUIDE_PAGES:
        assert (site / f"{page}.html").exists(), f"the site has no page {page}.html"
        assert f'href="{page}.html"' in home, f"the home page's navigation does not link to {page}.html"
        assert f'"{page}"' in search, f"the site's search does not index {page}"
    assert "For instructors" in home, "the navigation has no 'For instructors' part"
