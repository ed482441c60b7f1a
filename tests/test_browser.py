"""A real browser loads every page of the built site: offline, rendered, accessible, searchable.

It also opens every chapter's slide deck (_build/html/slides/, made by tools/make_slides.py).

Playwright drives the Chromium tools/offline_browser.py finds (no browser download); without one
these tests are skipped locally and fail under CI, and so do the deck tests without npm (`make site`
then builds no decks). Writes screenshots of every page
(light and dark, desktop and phone) into _build/screenshots/, each page's first-visit weight
into _build/reports/page-weight.json and its axe-core findings into _build/reports/axe.json.
"""

import json
from pathlib import Path

import pytest

from conftest import ROOT, require, toc_files
from offline_browser import FLAGS, SETTLED, find_chromium, serve, why_not_chromium, why_not_npm  # tools/, as make_pdf.py
PAGES = toc_files()
SCREENSHOTS = ROOT / "_build" / "screenshots"
REPORTS = ROOT / "_build" / "reports"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

PAGE_FACTS = """() => ({
  maths: document.querySelectorAll('.math').length,
  rendered: document.querySelectorAll('.math mjx-container').length,
  mathErrors: document.querySelectorAll('mjx-merror').length,
  images: [...document.images].map(i => ({src: i.src.slice(0, 80), loaded: i.complete && i.naturalWidth > 0,
                                          alt: (i.getAttribute('alt') || '').trim()})),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  bytes: [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
           .reduce((total, entry) => total + entry.transferSize, 0),
})"""


@pytest.fixture(scope="session")
def chromium():
    require(why_not_chromium())
    return find_chromium()


@pytest.fixture(scope="session")
def decks():
    require(why_not_npm())


@pytest.fixture(scope="session")
def server(site):
    httpd = serve(site)
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def visits(browser, server):
    """Each page opened once, as on a first visit, with everything the tests below look at."""
    from axe_playwright_python.sync_playwright import Axe

    axe, records = Axe(), {}

    def visit(name):
        if name in records:
            return records[name]
        context = browser.new_context(viewport=VIEWPORTS["desktop"])
        page = context.new_page()
        record = {"requests": [], "failed": [], "console": []}
        page.on("request", lambda r: record["requests"].append(r.url))
        page.on("requestfailed", lambda r: record["failed"].append(f"{r.url}: {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and record["failed"].append(f"{r.url}: HTTP {r.status}"))
        page.on("console", lambda m: m.type == "error" and record["console"].append(m.text))
        page.on("pageerror", lambda e: record["console"].append(str(e)))
        page.goto(f"{server}/{name}.html", wait_until="networkidle")
        page.evaluate(SETTLED)
        record.update(page.evaluate(PAGE_FACTS))
        records[name] = {**record, **{key: list(record[key]) for key in ("requests", "failed", "console")}}
        # axe-core fetches stylesheets itself (resolving @import against the page): not the page's requests
        records[name]["violations"] = axe.run(page).response["violations"]
        context.close()
        return records[name]

    yield visit
    REPORTS.mkdir(parents=True, exist_ok=True)
    weights = {name: record["bytes"] for name, record in records.items()}
    (REPORTS / "page-weight.json").write_text(json.dumps(weights, indent=1))
    impacts = {name: [f"{v['id']} ({v['impact']})" for v in record["violations"]] for name, record in records.items()}
    (REPORTS / "axe.json").write_text(json.dumps(impacts, indent=1))


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_only_from_the_site_without_errors(visits, server, name):
    record = visits(name)
    foreign = [url for url in record["requests"] if not url.startswith((server, "data:"))]
    assert not foreign, f"{name} requests other hosts (it must work offline): {foreign}"
    assert not record["failed"], f"{name}: failed requests {record['failed']}"
    assert not record["console"], f"{name}: console errors {record['console']}"


@pytest.mark.parametrize("name", PAGES)
def test_every_equation_is_rendered(visits, name):
    record = visits(name)
    assert record["rendered"] == record["maths"], f"{name}: {record['maths'] - record['rendered']} equations unrendered"
    assert record["mathErrors"] == 0, f"{name}: {record['mathErrors']} equations with MathJax errors"


def test_chapters_have_equations(visits):
    assert visits("chapters/01_cross_correlation")["maths"] > 10, "chapter 1's equations were not found on its page"


@pytest.mark.parametrize("name", PAGES)
def test_every_image_loads_and_has_alt_text(visits, name):
    images = visits(name)["images"]
    broken = [i["src"] for i in images if not i["loaded"]]
    unlabelled = [i["src"] for i in images if not i["alt"] or i["alt"].endswith((".svg", ".png"))]
    assert not broken, f"{name}: images that did not load: {broken}"
    assert not unlabelled, f"{name}: images without a real alt text: {unlabelled}"


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(visits, name):
    serious = [f"{v['id']} ({v['impact']}): {v['help']}, at {[n['target'] for n in v['nodes']][:3]}"
               for v in visits(name)["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: axe-core reports {serious}"


def test_search_finds_a_word_from_a_chapter(browser, server):
    page = browser.new_page()
    page.goto(f"{server}/search.html?q=receptive", wait_until="networkidle")
    page.wait_for_selector("ul.search li a", timeout=15000)
    hits = page.eval_on_selector_all("ul.search li a", "links => links.map(a => a.href)")
    page.close()
    assert any("01_cross_correlation" in hit for hit in hits), f"searching 'receptive' found {hits}"


@pytest.mark.parametrize("name", [p for p in PAGES if p.startswith("chapters/")])
def test_chapter_fits_a_phone_in_both_colour_schemes(browser, server, name):
    """At 390 px the page itself never scrolls sideways (wide code and figures scroll in their own box).

    Writes the screenshots of _build/screenshots/ on the way: light and dark, desktop and phone."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for device, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            page.goto(f"{server}/{name}.html", wait_until="networkidle")
            page.screenshot(path=str(SCREENSHOTS / f"{Path(name).name}-{scheme}-{device}.png"), full_page=device == "desktop")
            width = page.evaluate("() => document.scrollingElement.scrollWidth")
            context.close()
            assert width <= viewport["width"], f"{name} ({scheme}, {device}) is {width} px wide: the reader scrolls sideways"


DECKS = [p.removeprefix("chapters/") for p in PAGES if p.startswith("chapters/")]
MIN_SLIDES = 8
DECK_FACTS = """() => {
  const slides = document.querySelector('.reveal .slides').cloneNode(true);
  slides.querySelectorAll('pre, code, mjx-container').forEach(e => e.remove());
  return {slides: typeof Reveal.getTotalSlides === 'function' ? Reveal.getTotalSlides() : 0, maths: document.querySelectorAll('mjx-container').length,
          mathErrors: document.querySelectorAll('mjx-merror').length, rawMaths: slides.textContent.match(/\\$[^$]+\\$/g),
          unlabelled: [...document.images].filter(i => !i.alt.trim() || i.alt.startsWith('No description')).length};
}"""


@pytest.mark.parametrize("chapter", DECKS)
def test_slide_deck_opens_offline_with_rendered_maths(decks, browser, server, chapter):
    page = browser.new_page()
    requests, failed, console = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url}: HTTP {r.status}"))
    page.on("console", lambda m: m.type == "error" and console.append(m.text))
    page.on("pageerror", lambda e: console.append(str(e)))
    response = page.goto(f"{server}/slides/{chapter}.html", wait_until="networkidle")
    assert response.ok, f"no slide deck for {chapter}: give its cells slideshow metadata (README, Slides) and `make site`"
    page.evaluate(SETTLED)
    facts = page.evaluate(DECK_FACTS)
    page.close()
    foreign = [url for url in requests if not url.startswith((server, "data:"))]
    assert not foreign, f"the {chapter} deck requests other hosts (it must work offline): {foreign}"
    assert not failed, f"the {chapter} deck: failed requests {failed}"
    assert not console, f"the {chapter} deck: console errors {console}"
    assert facts["mathErrors"] == 0 and not facts["rawMaths"], f"the {chapter} deck has untypeset maths: {facts}"
    assert facts["unlabelled"] == 0, f"the {chapter} deck has {facts['unlabelled']} figures without alt text"
    assert facts["slides"] >= MIN_SLIDES, f"the {chapter} deck has {facts['slides']} slides; a lecture needs {MIN_SLIDES}+"
    reported = json.loads((REPORTS / "offline.json").read_text())["slides"].get(chapter)
    assert reported == facts["slides"], f"offline.json reports {reported} slides for {chapter}, the deck has {facts['slides']}"


def test_slide_decks_render_maths(decks, browser, server):
    page = browser.new_page()
    page.goto(f"{server}/slides/{DECKS[0]}.html", wait_until="networkidle")
    page.evaluate(SETTLED)
    maths = page.evaluate(DECK_FACTS)["maths"]
    page.close()
    assert maths > 10, f"the {DECKS[0]} deck shows {maths} typeset equations; its slides have more than 10"
