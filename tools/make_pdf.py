"""Print the whole book to one PDF, offline: _build/singlehtml -> _build/pdf/book.pdf.

Usage: python tools/make_pdf.py   (`make pdf` first builds _build/singlehtml, the book as one page)

A Chromium (tools/offline_browser.py finds one), driven by Playwright, opens the one-page book from a local server (its
equations are MathML, typeset when the book was built: _ext/mathml.py), and prints it with the print styles below: every chapter starts
on a new page; no figure, code cell or output is cut across pages; the theme's navigation and
buttons are hidden, and so is the home page's list of offline copies; solutions are unfolded (an offline copy has them, folded on the site). The PDF
is tagged, has bookmarks for every chapter and section, and page numbers in its footer. Its page
count and size go into _build/reports/offline.json.
"""

import json
import sys
from pathlib import Path

from offline_browser import FLAGS, SETTLED, find_chromium, serve, why_not_chromium

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "_build" / "singlehtml"
PDF = ROOT / "_build" / "pdf" / "book.pdf"
REPORT = ROOT / "_build" / "reports" / "offline.json"

PRINT_CSS = """
/* only the book: no navigation, header, sidebars, buttons or "show code" toggles */
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer, .bd-footer-article,
.prev-next-area, .header-article-items, .skip-link, #pst-back-to-top, .toggle-button, a.headerlink,
details.hide.above-input, .search-button-field { display: none !important; }
/* the home page's links to the site's PDF and slides: this is the PDF, and the slides are not in it */
#offline-copies { display: none !important; }
.bd-main, .bd-content, .bd-article-container, .bd-page-width, .bd-container, .bd-container__inner,
.bd-article { max-width: none !important; width: auto !important; padding: 0 !important; margin: 0 !important; }
html, body { font-size: 10.5pt; }
/* every chapter (and the last page) starts on a new page */
span[id^="document-"] + section { break-before: page; }
h1, h2, h3, h4, .admonition-title { break-after: avoid; }
/* nothing cut in half */
img, svg, figure, table, .cell_output, .cell_input, div.highlight, .admonition, div.math {
  break-inside: avoid;
}
img { max-height: 24cm; object-fit: contain; }
pre { white-space: pre-wrap; overflow: visible !important; }
/* unfolded solutions */
.toggle-hidden { display: block !important; visibility: visible !important; height: auto !important; }
"""

FOOTER = ('<div style="font-size: 8pt; width: 100%; text-align: center; color: #555;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def fail(message):
    sys.exit(f"error: {message}")


def chromium_path():
    found = find_chromium()
    if not found:
        fail(f"cannot print the PDF: {why_not_chromium()}")
    return found


def print_book(url, chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
        page = browser.new_page()
        foreign = []
        page.on("request", lambda r: r.url.startswith(("http:", "https:")) and not r.url.startswith(url)
                and foreign.append(r.url))
        page.goto(f"{url}/intro.html", wait_until="networkidle")
        page.evaluate(SETTLED)
        unrendered = page.evaluate("document.querySelectorAll('.math').length"
                                   " - document.querySelectorAll('.math > math').length")
        page.add_style_tag(content=PRINT_CSS)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        # links to the site's other files (downloads and the like) would point at the print server
        page.evaluate("document.querySelectorAll('a[href]').forEach(a => a.host === location.host"
                      " && a.pathname !== location.pathname && a.removeAttribute('href'))")
        page.emulate_media(media="print")
        page.pdf(path=str(PDF), format="A4", print_background=True, outline=True, tagged=True,
                 display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
                 margin={"top": "15mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
        browser.close()
    if unrendered:
        fail(f"{unrendered} equations are not MathML (see the build's warnings); the PDF would show raw LaTeX")
    if foreign:
        fail(f"the book requested other hosts while printing (it must build offline): {foreign[:5]}")


def report(pages, size):
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    figures = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    figures["pdf"] = {"path": str(PDF.relative_to(ROOT)), "pages": pages, "bytes": size}
    REPORT.write_text(json.dumps(figures, indent=1))


def main():
    if not (SOURCE / "intro.html").exists():
        fail("_build/singlehtml/intro.html is missing: build it first with `make pdf` "
             "(jupyter-book build --builder singlehtml .)")
    chromium = chromium_path()
    PDF.parent.mkdir(parents=True, exist_ok=True)
    httpd = serve(SOURCE)
    try:
        print_book(f"http://127.0.0.1:{httpd.server_port}", chromium)
    finally:
        httpd.shutdown()
    from pypdf import PdfReader

    pages, size = len(PdfReader(PDF).pages), PDF.stat().st_size
    report(pages, size)
    print(f"{PDF.relative_to(ROOT)}: {pages} pages, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
