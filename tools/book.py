"""The book's conventions that several tools, extensions and tests must agree on: one home for each.

- `site_address(config)`: where the site is served (`html.baseurl` in _config.yml, else GitHub
  Pages' address for `repository.url`); the Sphinx build (_ext/site_address.py), the PDF's title
  page (tools/make_pdf.py) and the publishing tests read it from here.
- `on_slide(cell)`: whether a notebook cell is shown on its chapter's slide deck
  (tools/make_slides.py and the tests that keep glue roles and MyST directives off the slides).
- `chapter_rows(junit)`: an nbval run's JUnit report as one row per chapter (cells, failures,
  kernel seconds); the execution page, the Colab check and the suite's cost report read it.
- `outline_items(reader)` and `unrepeated(title)`: the printed book's bookmarks (tools/make_pdf.py
  writes and checks them, the PDF's tests read them).
- `record_offline_copy(report, name, figures)`: one copy's figures (the PDF's pages and bytes, the
  slides per chapter) in _build/reports/offline.json, beside the other's (make_pdf.py, make_slides.py).
- `heaviest_first(paths)`: the chapters in the order nbval should start them on its two workers
  (`python tools/book.py heaviest-first CHAPTERS...`, which the Makefile runs).

Only the standard library at import time: the Makefile runs this file with any Python 3.
"""

import re
import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
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


def outline_items(reader):
    """(depth, item) for each bookmark of a pypdf PdfReader, in the book's order; chapters at depth 0."""

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):  # pypdf gives an item's children as the list after it
                yield from walk(item, depth + 1)
            else:
                yield depth, item

    yield from walk(reader.outline, 0)


def unrepeated(title):
    """A bookmark's title as the heading has it: Chromium writes a heading that starts a page twice
    ("SummarySummary")."""
    repeated = re.fullmatch(r"(.+)\1", title, re.DOTALL)
    return repeated.group(1) if repeated else title


def record_offline_copy(report, name, figures):
    """Set `name` ("pdf" or "slides") to `figures` in the JSON file `report`, keeping the other copy's."""
    import json

    report = Path(report)
    report.parent.mkdir(parents=True, exist_ok=True)
    recorded = json.loads(report.read_text()) if report.exists() else {}
    recorded[name] = figures
    report.write_text(json.dumps(recorded, indent=1))


REPORTS = ROOT / "_build" / "reports"
NBVAL_REPORTS = ("nbval.xml", "colab-nbval.xml")  # `make check-notebooks` and `make colab-check` write these


def chapter_rows(junit):
    """{chapter stem: {"cells", "failed", "seconds"}} from an nbval JUnit report (one testcase per cell)."""
    chapters = defaultdict(lambda: {"cells": 0, "failed": 0, "seconds": 0.0})
    for case in ElementTree.parse(junit).iter("testcase"):
        stem = case.get("classname", "").removesuffix(".ipynb").rsplit(".", 1)[-1]
        row = chapters[stem]
        row["cells"] += 1
        row["seconds"] += float(case.get("time", 0))
        row["failed"] += any(child.tag in ("failure", "error") for child in case)
    return chapters


def heaviest_first(paths, reports=REPORTS):
    """The notebooks `paths`, the longest-running first by the newest nbval report in `reports`.

    pytest-xdist's `--dist loadfile --no-loadscope-reorder` hands each worker the next file in this
    order as it frees up, so starting the heaviest first makes the two workers finish together.
    Without a report (a clean clone's first run), or for a notebook it does not name, the order is
    the one given. Only the order depends on the measured times, never an output.
    """
    found = [path for path in (Path(reports) / name for name in NBVAL_REPORTS) if path.exists()]
    if not found:
        return list(paths)
    seconds = {stem: row["seconds"] for stem, row in chapter_rows(max(found, key=lambda p: p.stat().st_mtime)).items()}
    return sorted(paths, key=lambda path: -seconds.get(Path(path).stem, 0.0))


if __name__ == "__main__":
    if sys.argv[1:2] != ["heaviest-first"]:
        sys.exit("usage: python tools/book.py heaviest-first NOTEBOOK...")
    print(" ".join(heaviest_first(sys.argv[2:])))
