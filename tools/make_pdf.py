"""Print the whole book to one PDF, offline: _build/singlehtml -> _build/pdf/book.pdf.

Usage: python tools/make_pdf.py   (`make pdf` first builds _build/singlehtml, the book as one page)

A Chromium (tools/offline_browser.py finds one), driven by Playwright, opens the one-page book from
a local server (its equations are MathML, typeset when the book was built: _ext/mathml.py) and
lays it out as a book before printing it with the print styles below:

- a title page (the title, the home page's opening paragraph, the build date and the site's
  address: `html.baseurl` in _config.yml, else the GitHub Pages address of `repository.url`), then
  a table of contents with page numbers, then the chapters, numbered in the order of _toc.yml as
  on the site, and the other pages of the table of contents ("How this site was checked") but the
  instructors' guide (`instructors/`), which is about teaching from the site;
- the rest of the home page is about the web site (its buttons, its offline copies, its list of
  chapters) and is left out, and so are the theme's navigation, buttons and "show code" toggles,
  the set-up cells (`hide-cell`) and the code of `hide-input` cells;
- every chapter starts on a new page; no figure, code cell or output is cut across pages;
  solutions are unfolded (an offline copy has them; they are folded on the site);
- its headings are re-levelled so that each chapter is a top-level bookmark with its sections
  below it (and a bookmark whose title Chromium wrote twice gets it once). Chromium cannot number pages in a
  table of contents, so the book is printed twice:
  the first print says where each chapter and section starts (its bookmarks), the second prints
  those numbers, in a layout that does not move, and the script checks that they still agree.

The PDF is tagged and has page numbers in its footer. Its page count and size go into
_build/reports/offline.json.
"""

import datetime
import logging
import re
import sys
from pathlib import Path

import book  # tools/ is on sys.path: the script's folder, or pytest's pythonpath
from offline_browser import FLAGS, SETTLED, find_chromium, open_page, serve, why_not_chromium

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "_build" / "singlehtml"
PDF = ROOT / "_build" / "pdf" / "book.pdf"
REPORT = ROOT / "_build" / "reports" / "offline.json"

PRINT_CSS = """
/* only the book: no navigation, header, sidebars, buttons, "show code" toggles or set-up cells */
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer, .bd-footer-article,
.prev-next-area, .header-article-items, .skip-link, #pst-back-to-top, .toggle-button, a.headerlink,
details.hide.above-input, .cell.tag_hide-cell, .search-button-field { display: none !important; }
/* the theme's print styles hide a page's first h1 (its print-only title stands in):
   here that is every chapter's title */
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
/* the title page and the table of contents */
.book-title-page { break-after: page; padding-top: 30%; text-align: center; }
.book-title { font-size: 2.6em; font-weight: 700; margin-bottom: 1em; }
.book-title-page p { margin: 0.6em auto; max-width: 32em; }
.book-title-page a { white-space: nowrap; }
/* (the first chapter starts the next page) */
.book-contents-title { font-size: 1.8em; font-weight: 700; margin-bottom: 1em; }
.book-contents ol { list-style: none; padding: 0; }
.book-contents li { display: flex; align-items: baseline; gap: 0.4em; margin: 0.15em 0; }
.book-contents li.chapter { font-weight: 700; margin-top: 0.7em; }
.book-contents li.section { padding-left: 2em; }
.book-contents .fill { flex: 1; border-bottom: 1px dotted #999; }
.book-contents .page { min-width: 3ch; text-align: right; font-variant-numeric: tabular-nums; }
.book-chapter-number { color: #555; font-size: 1.1em; margin-bottom: 0.3em; }
.bd-main, .bd-content, .bd-article-container, .bd-page-width, .bd-container, .bd-container__inner,
.bd-article { max-width: none !important; width: auto !important; padding: 0 !important; margin: 0 !important; }
html, body { font-size: 10.5pt; }
/* every chapter (and the last page) starts on a new page */
span[id^="document-"] + section { break-before: page; }
h1, h2, h3, h4, .admonition-title { break-after: avoid; break-inside: avoid; }
/* nothing cut in half */
img, svg, figure, table, .cell_output, .cell_input, div.highlight, .admonition, div.math {
  break-inside: avoid;
}
img { max-height: 24cm; object-fit: contain; }
pre { white-space: pre-wrap; overflow: visible !important; }
/* unfolded solutions */
.toggle-hidden { display: block !important; visibility: visible !important; height: auto !important; }
"""

# The book's layout, made from the one-page site: see the module's docstring.
AS_A_BOOK = """({date, address}) => {
  // the theme's print-only title and list of chapters (no page numbers), and its sidebars: not headings of the book
  document.querySelectorAll('.onlyprint, .bd-sidebar-primary, .bd-sidebar-secondary').forEach(e => e.remove());
  const article = document.querySelector('article.bd-article');
  const home = article.querySelector(':scope > section');
  const text = element => [...element.childNodes].filter(n => !(n.classList && n.classList.contains('headerlink')))
                                                 .map(n => n.textContent).join('').trim();
  // the instructors' guide is for teaching from the site, not part of the learner's book
  const parts = [...article.querySelectorAll('span[id^="document-"]')]
    .map(anchor => [anchor, anchor.nextElementSibling])
    .filter(([anchor, part]) => {
      const forInstructors = anchor.id.startsWith('document-instructors/');
      if (forInstructors) { anchor.remove(); part.remove(); }
      return !forInstructors;
    });
  const entries = [];
  let number = 0;
  for (const [anchor, part] of parts) {
    for (const heading of [...part.querySelectorAll('h1, h2, h3, h4, h5, h6')]) {
      let level = 0;
      for (let e = heading; e && e !== part.parentElement; e = e.parentElement) level += e.tagName === 'SECTION';
      const relevelled = document.createElement(`h${Math.min(level, 6)}`);
      for (const attribute of heading.attributes) relevelled.setAttribute(attribute.name, attribute.value);
      relevelled.replaceChildren(...heading.childNodes);
      heading.replaceWith(relevelled);
      const chapter = level === 1 && anchor.id.startsWith('document-chapters/') ? ++number : null;
      if (level <= 2) entries.push({level, title: text(relevelled), chapter});
    }
    const first = part.querySelector('h1');
    const chapter = entries.filter(e => e.level === 1).at(-1).chapter;
    if (chapter) first.insertAdjacentHTML('beforebegin', `<div class="book-chapter-number">Chapter ${chapter}</div>`);
  }
  const escape = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const title = escape(text(home.querySelector('h1')));
  const toc = entries.map(e =>
    `<li class="${e.level === 1 ? 'chapter' : 'section'}"><span class="number">${e.chapter || ''}</span>` +
    `<span class="title">${escape(e.title)}</span><span class="fill"></span>` +
    '<span class="page">000</span></li>').join('');
  const opening = home.querySelector(':scope > p');
  const book = document.createElement('div');
  book.innerHTML = `<div class="book-title-page"><div class="book-title">${title}</div><p>${opening.innerHTML}</p>` +
    `<p>Built on ${date}</p><p>Read it online at <a href="${address}">${address}</a></p></div>` +
    '<nav class="book-contents" aria-label="Contents"><div class="book-contents-title">Contents</div>' +
    `<ol>${toc}</ol></nav>`;
  for (const [anchor, part] of parts) book.append(anchor, part);
  home.replaceWith(...book.childNodes);
  return entries.map(e => e.title);
}"""
# The second print: the pages where the first print's bookmarks point.
NUMBER_PAGES = "pages => document.querySelectorAll('.book-contents .page').forEach((e, i) => e.textContent = pages[i])"

FOOTER = (
    '<div style="font-size: 8pt; width: 100%; text-align: center; color: #555;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def fail(message):
    sys.exit(f"error: {message}")


def chromium_path():
    found = find_chromium()
    if not found:
        fail(f"cannot print the PDF: {why_not_chromium()}")
    return found


def site_address():
    """Where the site is published (tools/book.py: `html.baseurl`, else GitHub Pages' address for `repository.url`)."""
    config = book.read_config(ROOT)
    address = book.site_address(config)
    if not address:
        repository = (config.get("repository") or {}).get("url", "")
        fail(
            f"_config.yml: set html.baseurl to the site's address (the PDF's title page gives it); "
            f"repository.url {repository!r} is not a GitHub repository to derive it from"
        )
    return address


def bookmark_pages(path, depth=2):
    """The page (from 1) each bookmark points to, chapters and their sections, in the book's order,
    with the titles as the headings have them (book.unrepeated)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    return [
        (book.unrepeated(item.title), reader.get_destination_page_number(item) + 1)
        for level, item in book.outline_items(reader)
        if level < depth
    ]


def clean_bookmarks(path):
    """Chromium gives a heading that starts a page its text twice in the bookmarks ("SummarySummary"): once.

    The corrected bookmarks are appended to the file as an incremental update (PDF 1.7, section
    7.5.6: the changed objects, a cross-reference section for them, a trailer pointing back at the
    file's own), which every PDF reader applies. pypdf's writers would write all of the tagged
    book's objects again, which took as long as printing it.
    """
    import io

    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, NameObject, NumberObject, TextStringObject

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # Chromium's object count is off by a few: harmless
    reader = PdfReader(path)
    fixed = []

    def walk(reference):  # the outline's own tree: each item's /First child and /Next sibling
        while reference is not None:
            item = reference.get_object()
            title = str(item.get("/Title", ""))
            if book.unrepeated(title) != title:
                copy = DictionaryObject(item)  # its links to other items stay references
                copy[NameObject("/Title")] = TextStringObject(book.unrepeated(title))
                fixed.append((reference.idnum, reference.generation, copy))
            walk(item.raw_get("/First") if "/First" in item else None)
            reference = item.raw_get("/Next") if "/Next" in item else None

    outlines = reader.trailer["/Root"].get("/Outlines")
    walk(outlines.raw_get("/First") if outlines and "/First" in outlines else None)
    if not fixed:
        return
    data = path.read_bytes()
    previous = int(re.findall(rb"startxref\s+(\d+)", data[-1024:])[-1])
    update, offsets = io.BytesIO(), []
    update.write(b"\n")
    for number, generation, item in fixed:
        offsets.append((number, generation, len(data) + update.tell()))
        update.write(f"{number} {generation} obj\n".encode())
        item.write_to_stream(update)
        update.write(b"\nendobj\n")
    xref = len(data) + update.tell()
    update.write(b"xref\n")
    for number, generation, offset in sorted(offsets):
        update.write(f"{number} 1\n{offset:010d} {generation:05d} n \n".encode())  # each entry 20 bytes
    trailer = DictionaryObject(
        {NameObject(key): reader.trailer.raw_get(key) for key in reader.trailer if key != "/Prev"}
    )
    trailer[NameObject("/Prev")] = NumberObject(previous)
    update.write(b"trailer\n")
    trailer.write_to_stream(update)
    update.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
    with path.open("ab") as pdf:
        pdf.write(update.getvalue())


def print_book(url, chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
        page = browser.new_page()
        foreign = []
        page.on(
            "request",
            lambda r: r.url.startswith(("http:", "https:")) and not r.url.startswith(url) and foreign.append(r.url),
        )
        open_page(page, f"{url}/intro.html")
        page.evaluate(SETTLED)
        unrendered = page.evaluate(
            "document.querySelectorAll('.math:not(:has(> math))').length"  # a long inline formula holds several
        )
        page.add_style_tag(content=PRINT_CSS)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        # links to the site's other files (downloads and the like) would point at the print server
        page.evaluate(
            "document.querySelectorAll('a[href]').forEach(a => a.host === location.host"
            " && a.pathname !== location.pathname && a.removeAttribute('href'))"
        )
        built = datetime.date.today()
        titles = page.evaluate(AS_A_BOOK, {"date": f"{built.day} {built:%B %Y}", "address": site_address()})
        page.emulate_media(media="print")
        # the first print finds the pages, the second numbers them in the contents; where numbering
        # the contents moved a page break (it happens with a long book), the next print fixes it
        for attempt in range(4):
            page.pdf(
                path=str(PDF),
                format="A4",
                print_background=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                margin={"top": "15mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
            )
            found = bookmark_pages(PDF)
            squash = "".join  # Chromium drops the space where a long heading wraps: compare without it
            if [squash(title.split()) for title, _ in found] != [squash(t.split()) for t in titles]:
                marks = [t for t, _ in found]
                at = next((i for i, (a, b) in enumerate(zip(marks, titles)) if a != b), min(len(marks), len(titles)))
                fail(
                    f"the PDF's bookmarks differ from the book's headings from number {at} on: "
                    f"bookmarks {marks[at : at + 4]}, headings {titles[at : at + 4]}"
                )
            numbered = page.evaluate("[...document.querySelectorAll('.book-contents .page')].map(e => +e.textContent)")
            if attempt and numbered == [number for _, number in found]:
                break
            page.evaluate(NUMBER_PAGES, [number for _, number in found])
        browser.close()
    clean_bookmarks(PDF)  # once, on the book as printed the second time
    if numbered != [number for _, number in found]:
        fail(f"the table of contents gives pages {numbered}, but the chapters and sections start on {found}")
    if unrendered:
        fail(f"{unrendered} equations are not MathML (see the build's warnings); the PDF would show raw LaTeX")
    if foreign:
        fail(f"the book requested other hosts while printing (it must build offline): {foreign[:5]}")


def main():
    if not (SOURCE / "intro.html").exists():
        fail(
            "_build/singlehtml/intro.html is missing: build it first with `make pdf` "
            "(jupyter-book build --builder singlehtml .)"
        )
    chromium = chromium_path()
    PDF.parent.mkdir(parents=True, exist_ok=True)
    httpd = serve(SOURCE)
    try:
        print_book(f"http://127.0.0.1:{httpd.server_port}", chromium)
    finally:
        httpd.shutdown()
    from pypdf import PdfReader

    pages, size = len(PdfReader(PDF).pages), PDF.stat().st_size
    book.record_offline_copy(REPORT, "pdf", {"path": str(PDF.relative_to(ROOT)), "pages": pages, "bytes": size})
    print(f"{PDF.relative_to(ROOT)}: {pages} pages, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
