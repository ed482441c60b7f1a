"""The book's conventions that several tools, extensions and tests must agree on: one home for each.

- `site_address(config)`: where the site is served (`html.baseurl` in _config.yml, else GitHub
  Pages' address for `repository.url`); the Sphinx build (_ext/site_address.py), the PDF's title
  page (tools/make_pdf.py) and the publishing tests read it from here.
- `on_slide(cell)`: whether a notebook cell is shown on its chapter's slide deck
  (tools/make_slides.py and the tests that keep glue roles and MyST directives off the slides).
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GITHUB = re.compile(r"^https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/*$")


def read_config(root=ROOT):
    """_config.yml as a dictionary (empty if the file is empty)."""
    import yaml

    return yaml.safe_load((Path(root) / "_config.yml").read_text()) or {}


def pages_address(repository_url):
    """GitHub Pages' address for the site of a github.com repository URL, or None for another URL.

    `https://github.com/OWNER/REPO` (or `.../REPO.git`) is served at `https://owner.github.io/REPO/`,
    and a repository named `OWNER.github.io` at `https://owner.github.io/`.
    """
    match = GITHUB.match(repository_url or "")
    if not match:
        return None
    owner, repo = match.group(1).lower(), match.group(2)
    host = f"https://{owner}.github.io/"
    return host if repo.lower() == f"{owner}.github.io" else f"{host}{repo}/"


def configured_baseurl(config):
    """The address _config.yml sets by hand (`html.baseurl` or `sphinx.config.html_baseurl`), or None."""
    baseurl = (config.get("html") or {}).get("baseurl") or ((config.get("sphinx") or {}).get("config") or {}).get(
        "html_baseurl"
    )
    return baseurl.rstrip("/") + "/" if baseurl else None


def site_address(config):
    """Where the site is served: the address set by hand, else GitHub Pages' for `repository.url`, else None."""
    return configured_baseurl(config) or pages_address((config.get("repository") or {}).get("url", ""))


# What nbconvert's reveal.js template does with a cell's `slideshow.slide_type`: `skip` leaves it out,
# `notes` puts it in an <aside class="notes">, which reveal.js hides from the slide and shows only in
# the speaker view (`s`); every other type (slide, subslide, fragment, "-") is on a slide.
OFF_THE_SLIDE = ("skip", "notes")


def on_slide(cell):
    """Whether the audience sees this cell (a notebook cell, as a dict or nbformat node) on the deck.

    House rule (tools/make_slides.py): a cell without `slideshow` metadata is left off the deck, and so
    is one the site removes (`remove-cell`); speaker notes are not on the slide.
    """
    metadata = cell.get("metadata", {})
    if "slideshow" not in metadata or "remove-cell" in metadata.get("tags", []):
        return False
    return metadata["slideshow"].get("slide_type", "-") not in OFF_THE_SLIDE
