"""The site works at its address: `repository.url` places it (GitHub Pages: https://owner.github.io/REPO/),
404.html links only to files of the site under that address, and sitemap.xml lists every page of
_toc.yml there.
"""

import sys
import xml.etree.ElementTree as ElementTree
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, toc_files

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
OWNER, REPO = CONFIG["repository"]["url"].removeprefix("https://github.com/").split("/")
BASE = CONFIG["html"].get("baseurl") or f"https://{OWNER.lower()}.github.io/{REPO}/"  # GitHub Pages' rule


@pytest.mark.static
@pytest.mark.parametrize("repository, address", [
    ("https://github.com/Some-Teacher/convolutions-fork", "https://some-teacher.github.io/convolutions-fork/"),
    ("https://github.com/some-teacher/some-teacher.github.io", "https://some-teacher.github.io/"),
    ("https://github.com/some-teacher/course.git", "https://some-teacher.github.io/course/"),
    ("https://gitlab.com/some-teacher/course", None),
])
def test_a_forks_address_follows_its_repository_url(repository, address):
    sys.path.insert(0, str(ROOT / "_ext"))
    import site_address

    assert site_address.pages_address(repository) == address


def site_file(site, url):
    """The file of the site that an absolute link (a path or a URL) names at the site's address, or None."""
    parts, base = urlsplit(url), urlsplit(BASE)
    if parts.netloc not in ("", base.netloc) or not parts.path.startswith(base.path):
        return None
    path = site / parts.path.removeprefix(base.path)
    return path / "index.html" if path.is_dir() else path


def test_404_page_links_resolve_at_the_sites_address(site):
    page = BeautifulSoup((site / "404.html").read_text(), "html.parser")
    links = [value for attribute in ("href", "src", "data-content_root") for tag in page.find_all(attrs={attribute: True})
             if not (value := tag[attribute]).startswith("#") and urlsplit(value).netloc in ("", urlsplit(BASE).netloc)]
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
