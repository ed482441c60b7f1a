"""The offline copies: the whole book as one PDF, and the chapters' slide metadata.

`make site` prints the PDF (tools/make_pdf.py) into _build/html/book.pdf and writes its page
count and size into _build/reports/offline.json; without a Chromium it skips the PDF, and the PDF's
tests are skipped too (under CI they fail). The slide decks are opened in Chromium by
test_browser.py.
"""

import functools
import re
import sys

import nbformat
import pytest
from bs4 import BeautifulSoup

from book import on_slide  # tools/, on sys.path through pytest.ini's pythonpath
from conftest import CHAPTERS, plain, toc_files  # and the fixture `book`: the PDF's text, read once per process

CHAPTER_STEMS = [entry.removeprefix("chapters/") for entry in toc_files() if entry.startswith("chapters/")]


@functools.cache  # read once: every PDF test asks for the chapters' titles
def markdown(stem):
    return [
        cell.source
        for cell in nbformat.read(CHAPTERS / f"{stem}.ipynb", as_version=4).cells
        if cell.cell_type == "markdown"
    ]


def title(stem):
    return markdown(stem)[0].splitlines()[0].lstrip("# ").strip()


def contents(book):
    """The table of contents' chapter lines, read from the PDF's text: {title: (number, page)}."""
    start = next((i for i, page in enumerate(book["pages"][:3]) if page.startswith("Contents")), None)
    assert start is not None, f"no table of contents on pages 1 to 3: {[page[:40] for page in book['pages'][:3]]}"
    end = next(
        (i for i in range(start, len(book["pages"])) if book["pages"][i].startswith("Chapter ")), len(book["pages"])
    )
    text = " ".join(book["pages"][start:end])
    lines = {}
    for number, stem in enumerate(CHAPTER_STEMS, 1):
        found = re.search(rf"(?<!\d){number} {re.escape(title(stem))} (\d+)", text)
        assert found, f"the table of contents has no line '{number} {title(stem)} PAGE': {text[:300]!r}"
        lines[title(stem)] = (number, int(found.group(1)))
    return lines


def test_the_book_opens_on_a_title_page_and_its_contents(book):
    first = book["pages"][0]
    assert first.startswith("Convolutions for Images"), f"page 1 is not the title page: {first[:80]!r}"
    assert re.search(r"Built on \d{1,2} [A-Z][a-z]+ 20\d\d", first) and "https://" in first, (
        f"the title page lacks the build date or the site's address: {first!r}"
    )
    assert book["pages"][1].startswith("Contents"), f"page 2 is not the table of contents: {book['pages'][1][:80]!r}"
    web_only = [
        phrase
        for phrase in (
            "Offline copies",
            "The whole course as one PDF",
            "rocket button",
            "Releasing and grading the exercises",
        )
        if any(phrase in page for page in book["pages"])
    ]
    assert not web_only, f"the PDF has the web site's own sections (or the instructors' guide): {web_only}"


def test_contents_give_the_page_each_chapter_starts_on(book):
    for stem, (number, page) in zip(CHAPTER_STEMS, contents(book).values()):
        start = book["pages"][page - 1]
        assert start.startswith(f"Chapter {number} {title(stem)}"), (
            f"the contents say chapter {number}, {title(stem)!r}, starts on page {page}, which begins {start[:60]!r}"
        )


def test_bookmarks_are_chapters_with_their_sections(book):
    top = [title for depth, title in book["outline"] if depth == 0]
    assert top[: len(CHAPTER_STEMS)] == [title(stem) for stem in CHAPTER_STEMS], f"the top-level bookmarks are {top}"
    repeated = [title for depth, title in book["outline"] if re.fullmatch(r"(.+)\1", title)]
    assert not repeated, f"bookmarks that repeat their title: {repeated}"


def test_every_chapter_has_a_bookmark_and_starts_a_page(book):
    starts = []
    for number, stem in enumerate(CHAPTER_STEMS, 1):
        assert title(stem) in book["bookmarks"], f"the PDF's bookmarks miss chapter {stem} ({title(stem)!r})"
        start = book["bookmarks"][title(stem)]
        assert book["pages"][start].startswith(f"Chapter {number} {title(stem)}"), (
            f"{stem} does not start at the top of a page: page {start + 1} begins {book['pages'][start][:60]!r}"
        )
        starts.append(start)
    assert starts == sorted(set(starts)), f"chapters are not in the book's order, one per page: {starts}"
    assert len(book["pages"]) > 2 * len(CHAPTER_STEMS), (
        f"only {len(book['pages'])} pages for {len(CHAPTER_STEMS)} chapters"
    )


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
    on_slides = [
        number
        for number, cell in enumerate(notebook.cells)
        if cell.cell_type == "markdown" and on_slide(cell) and re.search(r"^(```|:::)\{", cell.source, re.MULTILINE)
    ]
    assert not on_slides, f"{stem}: markdown cells {on_slides} are on the slides but hold a MyST directive"


def test_refresh_keeps_slide_metadata(tmp_path):
    """`make refresh` re-executes a chapter and normalises its metadata; the slide choices survive it.

    A planted notebook with a cell of each slide type (and a tag) goes through tools/refresh.py's own
    refresh, the function `make refresh` runs on each chapter; what it writes back is compared.
    """
    import refresh

    slide_types = ["slide", "subslide", "fragment", "-", "notes", "skip"]
    cells = [
        nbformat.v4.new_markdown_cell(f"# {kind}", metadata={"slideshow": {"slide_type": kind}}) for kind in slide_types
    ]
    cells.append(
        nbformat.v4.new_code_cell(
            "print(6 * 7)",
            metadata={"slideshow": {"slide_type": "fragment"}, "tags": ["hide-input"], "collapsed": True},
        )
    )
    path = tmp_path / "planted.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    refresh.refresh(path)
    written = nbformat.read(path, as_version=4).cells
    assert [cell.metadata.get("slideshow", {}).get("slide_type") for cell in written] == [*slide_types, "fragment"]
    assert written[-1].metadata.get("tags") == ["hide-input"] and written[-1].outputs[0].text == "42\n", (
        f"the planted notebook was not executed and written back: {written[-1]}"
    )


@pytest.mark.static
def test_the_slide_checks_count_what_the_deck_shows(tmp_path, monkeypatch):
    """Speaker notes and removed cells are not on a slide; the glue and directive checks agree with the deck.

    nbconvert's reveal.js template puts a `notes` cell into <aside class="notes">, which reveal.js shows only
    in the speaker view, and make_slides leaves `remove-cell` cells out: a glue role or a directive there
    is never seen raw by the audience. The same text on a slide is, and both checks must flag it.
    """
    import make_slides
    import test_glue

    risky = "Both {glue:text}`planted_value` and\n\n```{note}\nplanted\n```"

    def notebook(notes_type):
        cells = [
            nbformat.v4.new_markdown_cell("# Planted", metadata={"slideshow": {"slide_type": "slide"}}),
            nbformat.v4.new_markdown_cell(f"NOTES {risky}", metadata={"slideshow": {"slide_type": notes_type}}),
            nbformat.v4.new_markdown_cell(
                f"REMOVED {risky}", metadata={"slideshow": {"slide_type": "-"}, "tags": ["remove-cell"]}
            ),
        ]
        path = tmp_path / "planted.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
        return path

    # what the deck shows
    monkeypatch.setattr(make_slides, "OUT", tmp_path / "slides")
    make_slides.OUT.mkdir()
    make_slides.make_deck(notebook("notes"), make_slides.slides_exporter())
    deck = BeautifulSoup((make_slides.OUT / "planted.html").read_text(), "html.parser")
    slides = deck.select_one("div.slides")
    for aside in slides.select("aside.notes"):
        assert "NOTES" in aside.get_text()
        aside.decompose()
    assert "NOTES" not in slides.get_text() and "REMOVED" not in slides.get_text(), "text off the slide is on it"

    # the checks, on the same notebook and with the notes cell made a slide
    monkeypatch.setattr(test_glue, "CHAPTERS", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "CHAPTERS", tmp_path)
    checks = [test_glue.test_no_glue_role_on_a_slide, test_slide_cells_hold_no_myst_directive]
    for check in checks:
        check("planted")  # passes: nothing the audience sees holds a role or a directive
    notebook("fragment")
    for check in checks:
        with pytest.raises(AssertionError, match=r"cells \[1\]"):
            check("planted")
