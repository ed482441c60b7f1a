"""One reveal.js lecture deck per chapter, offline: chapters/NN_name.ipynb -> _build/slides/NN_name.html.

Usage: python tools/make_slides.py   (`make slides` first installs reveal.js with `npm ci`)

What goes on a slide is chosen in the notebook, with the standard Jupyter cell metadata
`"slideshow": {"slide_type": "slide" | "subslide" | "fragment" | "-" | "notes" | "skip"}`
(JupyterLab's property inspector edits it). House rule: a cell without it is left off the deck,
so a new cell never lands on the slides by accident. As on the site, `hide-input` cells show only
their output. reveal.js (from _build/npm, pinned by package-lock.json) and MathJax (the copy
sphinx-mathjax-offline ships) are copied beside the decks: a deck makes no request to another host.
Also writes _build/slides/index.html (the list of decks) and the slide counts into
_build/reports/offline.json.
"""

import html
import importlib.util
import shutil
import sys
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from nbconvert import SlidesExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

import book
import check_book  # tools/ is on sys.path: the script's folder, or pytest's pythonpath

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "slides"
REVEAL = ROOT / "_build" / "npm" / "node_modules" / "reveal.js" / "dist"
REVEAL_FILES = ["reveal.js", "reveal.css", "theme/white.css", "plugin/notes.js"]
MATHJAX_FILES = ["tex-svg.js", "input/tex/extensions"]  # the extensions load on demand (\begin{bmatrix}, ...)
REPORT = ROOT / "_build" / "reports" / "offline.json"


class LeaveUntaggedCellsOff(Preprocessor):
    """A cell without `slideshow` metadata is skipped: only cells chosen for the deck are on it."""

    def preprocess_cell(self, cell, resources, index):
        if "slideshow" not in cell.metadata:
            cell.metadata["slideshow"] = {"slide_type": "skip"}
        return cell, resources


def fail(message):
    sys.exit(f"error: {message}")


def copy_assets():
    if not REVEAL.exists():
        fail(f"{REVEAL.relative_to(ROOT)} is missing: install reveal.js with `make slides` (it runs `npm ci`)")
    mathjax = (
        Path(importlib.util.find_spec("sphinx-mathjax-offline").submodule_search_locations[0]) / "static" / "mathjax"
    )
    for source, target in (
        [(REVEAL / f, OUT / "reveal.js" / "dist" / f) for f in REVEAL_FILES]
        + [(mathjax / f, OUT / "mathjax" / f) for f in MATHJAX_FILES]
        + [(ROOT / "_static" / "favicon.svg", OUT / "favicon.svg")]
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)


def chapter_title(notebook):
    first = notebook.cells[0].source.lstrip() if notebook.cells else ""
    return first.splitlines()[0].lstrip("# ").strip() if first.startswith("# ") else "Slides"


def make_deck(path, exporter):
    notebook = nbformat.read(path, as_version=4)
    title = chapter_title(notebook)
    # cells the site removes (`remove-cell`, such as the glue set-up) are not on the deck either; taken out
    # here, before nbconvert numbers the slides (removed later, they left the deck wrapped in an extra slide)
    notebook.cells = [cell for cell in notebook.cells if "remove-cell" not in cell.metadata.get("tags", [])]
    notebook, _ = LeaveUntaggedCellsOff().preprocess(notebook, {})
    if not any(book.on_slide(cell) for cell in notebook.cells):  # what a slide shows: tools/book.py
        return title, 0
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    (OUT / f"{path.stem}.html").write_text(body)
    slides = [s for s in BeautifulSoup(body, "html.parser").select("div.slides section") if not s.find("section")]
    return title, len(slides)


def write_index(decks):
    items = "\n".join(
        f'<li><a href="{stem}.html">{html.escape(title)}</a> ({count} slides)</li>'
        for stem, (title, count) in decks.items()
        if count
    )
    (OUT / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Convolutions for Images: slides</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="favicon.svg"></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.5"><main>
<h1>Convolutions for Images: lecture slides</h1>
<p>One reveal.js deck per chapter. Arrow keys move between slides, <kbd>s</kbd> opens the speaker view,
<kbd>f</kbd> goes full screen. <a href="../index.html">Back to the course</a>.</p>
<ol>
{items}
</ol>
</main></body></html>
""")


def report(decks):
    book.record_offline_copy(REPORT, "slides", {stem: count for stem, (title, count) in decks.items()})


def slides_exporter():
    """nbconvert's reveal.js exporter with the decks' template and settings."""
    exporter = SlidesExporter(
        template_name="slides_template",
        extra_template_basedirs=[str(ROOT / "tools")],
        reveal_url_prefix="reveal.js",
        reveal_theme="white",
        reveal_number="c/t",
        reveal_transition="none",
        reveal_width="1280",
        reveal_height="800",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    # The tags the site honours (myst-nb), honoured on the slides too.
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={"remove-cell"},
            remove_all_outputs_tags={"remove-output"},
            remove_input_tags={"hide-input", "remove-input"},
        ),
        enabled=True,
    )
    return exporter


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.html"):  # a chapter renamed or untagged leaves no stale deck behind
        old.unlink()
    copy_assets()
    exporter = slides_exporter()
    decks = {}
    for entry in check_book.toc_files(ROOT):
        if entry.startswith("chapters/"):
            path = ROOT / f"{entry}.ipynb"
            decks[path.stem] = make_deck(path, exporter)
            title, count = decks[path.stem]
            print(
                f"_build/slides/{path.stem}.html: {count} slides"
                if count
                else f"{path.name}: no cell has slideshow metadata, so no deck (see instructors/editions.md)"
            )
    write_index(decks)
    report(decks)


if __name__ == "__main__":
    main()
