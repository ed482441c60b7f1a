"""The offline copies: the whole book as one PDF, and the chapters' slide metadata.

`make site` prints the PDF (tools/make_pdf.py) into _build/html/book.pdf and writes its page
count and size into _build/reports/offline.json; without a Chromium it skips the PDF, and the PDF's
tests are skipped too (under CI they fail). The slide decks are opened in Chromium by
test_browser.py.
"""

import re
import unicodedata

import nbformat
import pytest

from conftest import CHAPTERS, require, toc_files
from offline_browser import why_not_chromium

CHAPTER_STEMS = [entry.removeprefix("chapters/") for entry in toc_files() if entry.startswith("chapters/")]


def markdown(stem):
    return [cell.source for cell in nbformat.read(CHAPTERS / f"{stem}.ipynb", as_version=4).cells
            if cell.cell_type == "markdown"]


def title(stem):
    return markdown(stem)[0].splitlines()[0].lstrip("# ").strip()


def plain(text):
    """Text as extracted from the PDF, comparable: ligatures undone (NFKC), whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def book(site):
    from pypdf import PdfReader

    require(why_not_chromium())
    path = site / "book.pdf"
    if not path.exists():
        pytest.fail("_build/html/book.pdf is missing: `make site` prints it (or `make pdf`, then copy it)", pytrace=False)
    reader = PdfReader(path)
    bookmarks = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                bookmarks.setdefault(plain(item.title), reader.get_destination_page_number(item))

    walk(reader.outline)
    return {"pages": [plain(page.extract_text()) for page in reader.pages], "bookmarks": bookmarks,
            "bytes": path.stat().st_size}


def test_every_chapter_has_a_bookmark_and_starts_a_page(book):
    starts = []
    for stem in CHAPTER_STEMS:
        assert title(stem) in book["bookmarks"], f"the PDF's bookmarks miss chapter {stem} ({title(stem)!r})"
        start = book["bookmarks"][title(stem)]
        assert book["pages"][start].startswith(title(stem)), \
            f"{stem} does not start at the top of a page: page {start + 1} begins {book['pages'][start][:60]!r}"
        starts.append(start)
    assert starts == sorted(set(starts)), f"chapters are not in the book's order, one per page: {starts}"
    assert len(book["pages"]) > 2 * len(CHAPTER_STEMS), f"only {len(book['pages'])} pages for {len(CHAPTER_STEMS)} chapters"


@pytest.mark.parametrize("stem", CHAPTER_STEMS)
def test_every_section_of_the_chapter_is_in_its_pages(book, stem):
    """Each chapter's section headings appear in the pages between its bookmark and the next chapter's."""
    starts = [book["bookmarks"].get(title(s)) for s in CHAPTER_STEMS]
    start = starts[CHAPTER_STEMS.index(stem)]
    assert start is not None, f"no bookmark for {stem}"
    end = min([page for page in starts if page is not None and page > start], default=len(book["pages"]))
    text = " ".join(book["pages"][start:end])
    headings = [plain(h) for source in markdown(stem) for h in re.findall(r"^#{2,3} (.+)$", source, re.MULTILINE)]
    missing = [heading for heading in headings if heading not in text]
    assert len(headings) >= 3 and not missing, f"{stem}: sections missing from its pages of the PDF: {missing}"


@pytest.mark.parametrize("stem", CHAPTER_STEMS)
def test_slide_cells_hold_no_myst_directive(stem):
    """The decks render markdown without MyST: a directive (```{note}, exercises) would show as raw text."""
    notebook = nbformat.read(CHAPTERS / f"{stem}.ipynb", as_version=4)
    on_slides = [number for number, cell in enumerate(notebook.cells) if cell.cell_type == "markdown"
                 and "slideshow" in cell.metadata  # without it, a cell is left off the deck
                 and cell.metadata.slideshow.get("slide_type", "-") not in ("skip", "notes")
                 and re.search(r"^(```|:::)\{", cell.source, re.MULTILINE)]
    assert not on_slides, f"{stem}: markdown cells {on_slides} are on the slides but hold a MyST directive"


def test_refresh_keeps_slide_metadata():
    """`make refresh` normalises cell metadata; the slide choices must survive it."""
    import refresh

    notebook = nbformat.read(CHAPTERS / f"{CHAPTER_STEMS[0]}.ipynb", as_version=4)
    before = [cell.metadata.get("slideshow") for cell in notebook.cells]
    refresh.normalise(notebook)
    assert any(before) and [cell.metadata.get("slideshow") for cell in notebook.cells] == before
