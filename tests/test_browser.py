"""A real browser loads every page of the built site: offline, rendered, accessible, searchable.

It also opens every chapter's slide deck (_build/html/slides/, made by tools/make_slides.py), and
audits the student site (_build/assignments/html/, made by `make assignments`) too.

Playwright drives the Chromium tools/offline_browser.py finds (no browser download); without one
these tests are skipped locally and fail under CI, and so do the deck and audit tests without npm
(`make site` then builds no decks, and installs no axe-core). The audit is the newest axe-core,
pinned in package.json / package-lock.json (`make update-axe` moves the pin) and injected into each
page. Writes screenshots of every page (light and dark, desktop and phone) into _build/screenshots/,
each page's first-visit weight (raw and gzip-compressed, with the heaviest chapter against its
budget, and a chapter's explorable bytes in its HTML) into _build/reports/page-weight.json and the
axe-core findings into _build/reports/axe.json.
"""

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import AXE, ROOT, require, toc_files
from offline_browser import SETTLED, open_page, serve, why_not_npm  # tools/, as make_pdf.py

PAGES = toc_files()
STUDENT_SITE = ROOT / "_build" / "assignments" / "html"
# What a first visit to the heaviest chapter may transfer, uncompressed (a report, not a test: CONTRIBUTING.md).
BUDGET = 1_200_000
SCREENSHOTS = ROOT / "_build" / "screenshots"
REPORTS = ROOT / "_build" / "reports"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

PAGE_FACTS = """() => ({
  maths: document.querySelectorAll('.math').length,
  rendered: [...document.querySelectorAll('.math')].filter(e => {  // a long inline formula holds several <math>
    const pieces = [...e.querySelectorAll(':scope > math')];
    return pieces.length && pieces.every(m => getComputedStyle(m).display.endsWith('math'));
  }).length,
  mathErrors: document.querySelectorAll('.math merror').length,
  images: [...document.images].map(i => ({src: i.src.slice(0, 80), loaded: i.complete && i.naturalWidth > 0,
                                          alt: (i.getAttribute('alt') || '').trim()})),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  fetched: [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
             .map(entry => entry.name),
})"""
# Every rule of axe-core's, best practices (such as `region`) included.
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target)}))"""


def div_at(page_html, start):
    """The <div> element that opens at `start`, up to its own closing tag."""
    depth = 0
    for tag in re.finditer(r"<div\b|</div>", page_html[start:]):
        depth += 1 if tag[0] == "<div" else -1
        if depth == 0:
            return page_html[start : start + tag.end()]
    raise AssertionError(f"a <div> at character {start} is never closed")


def explorable_bytes(path):
    """A chapter page's bytes of explorables: the folded cell that carries their code (chapters/_shared/explorable.py
    with its kinds' JavaScript), and each figure (its still image, data and script) by kind."""
    page_html = path.read_text()
    cells = [
        div_at(page_html, page_html.rindex("<div", 0, m.start()))
        for m in re.finditer("tag_shared-explorable", page_html)
    ]
    figures = {}
    for m in re.finditer(r'<div class="cfi" id="[^"]+" data-cfi="(\w+)">', page_html):
        figures[m[1]] = figures.get(m[1], 0) + len(div_at(page_html, m.start()).encode())
    return {"code cell": sum(len(c.encode()) for c in cells), "figures": figures} if cells or figures else None


def weight(site, server, urls):
    """Bytes of the site's files a page fetched (each once), raw and gzip-compressed as a server would send them."""
    files = {site / urlsplit(url).path.lstrip("/") for url in urls if url.startswith(server)}
    files = {path / "index.html" if path.is_dir() else path for path in files}
    files = {path for path in files if path.is_file()}  # a missing one is the load test's failed request
    return {
        "bytes": sum(path.stat().st_size for path in files),
        "gzip": sum(len(gzip.compress(path.read_bytes(), 6)) for path in files),
    }


def audit(page):
    """axe-core's findings on `page`: the pinned release, injected from _build/npm."""
    page.add_script_tag(path=str(AXE / "axe.min.js"))
    return page.evaluate(AXE_RUN)


def failing(violations):
    """What the site must not have: a serious or critical finding, or content outside every landmark."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']}, at {v['targets']}"
        for v in violations
        if v["impact"] in ("serious", "critical") or v["id"] == "region"
    ]


@pytest.fixture(scope="session")
def decks():
    require(why_not_npm())


@pytest.fixture(scope="session")
def axe_core():
    """The pinned axe-core's version; without npm, or before `make slides` installed it, the audits are skipped."""
    require(why_not_npm())
    if not (AXE / "axe.min.js").exists():
        pytest.fail(
            f"{AXE.relative_to(ROOT)} is missing: `make slides` (or `make site`) installs it with `npm ci`",
            pytrace=False,
        )
    return json.loads((AXE / "package.json").read_text())["version"]


@pytest.fixture(scope="session")
def audits():
    """Each audited page's axe-core findings, by page; written to _build/reports/axe.json at the end."""
    records = {}
    yield records
    REPORTS.mkdir(parents=True, exist_ok=True)
    version = json.loads((AXE / "package.json").read_text())["version"] if (AXE / "package.json").exists() else None
    (REPORTS / "axe.json").write_text(
        json.dumps(
            {
                "axe-core": version,
                "pages": {
                    name: [f"{v['id']} ({v['impact']})" for v in violations] for name, violations in records.items()
                },
            },
            indent=1,
        )
    )


@pytest.fixture(scope="session")
def visits(browser, server, site):
    """Each page opened once, as on a first visit, with everything the tests below look at."""
    records = {}

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
        open_page(page, f"{server}/{name}.html")
        page.evaluate(SETTLED)
        record.update(page.evaluate(PAGE_FACTS))
        records[name] = {
            **record,
            **{key: list(record[key]) for key in ("requests", "failed", "console")},
            **weight(site, server, record["fetched"]),
        }
        # axe-core fetches stylesheets itself (resolving @import against the page): not the page's requests
        records[name]["violations"] = audit(page) if (AXE / "axe.min.js").exists() else None
        context.close()
        return records[name]

    yield visit
    REPORTS.mkdir(parents=True, exist_ok=True)
    pages = {name: {"bytes": record["bytes"], "gzip": record["gzip"]} for name, record in records.items()}
    for name, figures in pages.items():
        explorables = explorable_bytes(site / f"{name}.html")
        if explorables:
            figures["explorables"] = explorables
    chapters = {name: figures for name, figures in pages.items() if name.startswith("chapters/")}
    heaviest = max(chapters, key=lambda name: chapters[name]["bytes"], default=None)
    report = {"budget": BUDGET, "pages": pages}
    if heaviest:
        report["heaviest chapter"] = {
            "page": heaviest,
            **chapters[heaviest],
            "within budget": chapters[heaviest]["bytes"] <= BUDGET,
        }
    (REPORTS / "page-weight.json").write_text(json.dumps(report, indent=1))


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
    assert record["mathErrors"] == 0, f"{name}: {record['mathErrors']} equations with MathML errors"


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
def test_no_serious_accessibility_violations(visits, axe_core, audits, name):
    audits[name] = visits(name)["violations"]
    found = failing(audits[name])
    assert not found, f"{name}: axe-core {axe_core} reports {found}"


def test_first_visit_weight_counts_every_file(visits, site):
    """The weight report adds up what a page fetched: a chapter's HTML, and its styles, scripts and fonts."""
    name = "chapters/01_cross_correlation"
    html = (site / f"{name}.html").stat().st_size
    record = visits(name)
    assert record["bytes"] > html and 0 < record["gzip"] < record["bytes"], (
        f"{name}: {record['bytes']} bytes ({record['gzip']} compressed) for a page whose HTML alone is {html}"
    )
    # the maths font loads only once the equations are laid out: a measurement taken too early misses it
    assert any(url.endswith("/_static/maths.woff2") for url in record["fetched"]), (
        f"{name}: the maths font is not among the files counted: {record['fetched']}"
    )


def test_student_site_is_accessible(browser, axe_core, audits):
    if not (STUDENT_SITE / "index.html").exists():
        pytest.fail(f"{STUDENT_SITE.relative_to(ROOT)} is missing: `make assignments` builds it", pytrace=False)
    httpd = serve(STUDENT_SITE)
    found = {}
    try:
        page = browser.new_page(viewport=VIEWPORTS["desktop"])
        for name in [p for p in PAGES if p.startswith("chapters/")]:  # the other pages are the main site's
            page.goto(f"http://127.0.0.1:{httpd.server_port}/{name}.html", wait_until="load")
            page.evaluate(SETTLED)
            audits[f"student: {name}"] = audit(page)
            found.update({name: failing(audits[f"student: {name}"])} if failing(audits[f"student: {name}"]) else {})
        page.close()
    finally:
        httpd.shutdown()
    assert not found, f"the student site: axe-core {axe_core} reports {found}"


# What a keyboard must reach from the top of a chapter, each with a visible focus ring.
KEYBOARD_TARGETS = """() => {
  const groups = {'the skip link': 'a[href="#main-content"]', 'the launch buttons': '.dropdown-launch-buttons a',
                  'the solution dropdowns': '.solution.dropdown .toggle-button',
                  'the code-cell toggles': 'details.hide > summary'};
  let count = 0;
  for (const [group, selector] of Object.entries(groups))
    document.querySelectorAll(selector).forEach(e => { e.dataset.keyboard = `${group} #${++count}`; });
  return count;
}"""
FOCUSED = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {target: e.dataset.keyboard || null, tag: e.tagName,
          ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== 'none'};
}"""


@pytest.mark.parametrize("name", [p for p in PAGES if p.startswith("chapters/")][:1])
def test_keyboard_reaches_every_control_with_a_visible_focus_ring(browser, server, name):
    """Tab from the top: the skip link, the launch buttons, every solution dropdown and code-cell toggle."""
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    open_page(page, f"{server}/{name}.html")
    page.evaluate(SETTLED)
    expected = page.evaluate(KEYBOARD_TARGETS)
    reached, unringed = set(), set()
    for _ in range(600):  # a chapter has a few hundred focusable things (links, buttons, toggles)
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "BODY" and reached:
            break
        if focused["target"]:
            reached.add(focused["target"])
            if not focused["ring"]:
                unringed.add(focused["target"])
    missing = page.evaluate("() => [...document.querySelectorAll('[data-keyboard]')].map(e => e.dataset.keyboard)")
    page.close()
    missing = sorted(set(missing) - reached)
    assert expected > 4, f"{name}: only {expected} keyboard targets found; the selectors no longer match the theme"
    assert not missing, f"{name}: Tab never reaches {missing}"
    assert not unringed, f"{name}: no visible focus ring on {sorted(unringed)}"


def test_search_finds_a_word_from_a_chapter(browser, server):
    page = browser.new_page()
    open_page(page, f"{server}/search.html?q=receptive")
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
            open_page(page, f"{server}/{name}.html")
            page.screenshot(
                path=str(SCREENSHOTS / f"{Path(name).name}-{scheme}-{device}.png"), full_page=device == "desktop"
            )
            width = page.evaluate("() => document.scrollingElement.scrollWidth")
            context.close()
            assert width <= viewport["width"], (
                f"{name} ({scheme}, {device}) is {width} px wide: the reader scrolls sideways"
            )


DECKS = [p.removeprefix("chapters/") for p in PAGES if p.startswith("chapters/")]
MIN_SLIDES = 8
DECK_FACTS = """() => {
  const slides = document.querySelector('.reveal .slides').cloneNode(true);
  slides.querySelectorAll('pre, code, mjx-container').forEach(e => e.remove());
  return {slides: typeof Reveal.getTotalSlides === 'function' ? Reveal.getTotalSlides() : 0,
          maths: document.querySelectorAll('mjx-container').length,
          mathErrors: document.querySelectorAll('mjx-merror').length,
          rawMaths: slides.textContent.match(/\\$[^$]+\\$/g),
          unlabelled: [...document.images].filter(i => !i.alt.trim() || i.alt.startsWith('No description')).length};
}"""


@pytest.mark.parametrize("chapter", DECKS)
def test_slide_deck_opens_offline_with_rendered_maths(decks, browser, server, axe_core, audits, chapter):
    page = browser.new_page()
    requests, failed, console = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url}: HTTP {r.status}"))
    page.on("console", lambda m: m.type == "error" and console.append(m.text))
    page.on("pageerror", lambda e: console.append(str(e)))
    response = open_page(page, f"{server}/slides/{chapter}.html")
    assert response.ok, (
        f"no slide deck for {chapter}: give its cells slideshow metadata (instructors/editions.md) and `make site`"
    )
    page.evaluate(SETTLED)
    facts = page.evaluate(DECK_FACTS)
    audits[f"slides/{chapter}"] = audit(page)
    page.close()
    found = failing(audits[f"slides/{chapter}"])
    assert not found, f"the {chapter} deck: axe-core {axe_core} reports {found}"
    foreign = [url for url in requests if not url.startswith((server, "data:"))]
    assert not foreign, f"the {chapter} deck requests other hosts (it must work offline): {foreign}"
    assert not failed, f"the {chapter} deck: failed requests {failed}"
    assert not console, f"the {chapter} deck: console errors {console}"
    assert facts["mathErrors"] == 0 and not facts["rawMaths"], f"the {chapter} deck has untypeset maths: {facts}"
    assert facts["unlabelled"] == 0, f"the {chapter} deck has {facts['unlabelled']} figures without alt text"
    assert facts["slides"] >= MIN_SLIDES, (
        f"the {chapter} deck has {facts['slides']} slides; a lecture needs {MIN_SLIDES}+"
    )
    reported = json.loads((REPORTS / "offline.json").read_text())["slides"].get(chapter)
    assert reported == facts["slides"], (
        f"offline.json reports {reported} slides for {chapter}, the deck has {facts['slides']}"
    )


def test_slides_index_is_accessible(decks, browser, server, axe_core, audits):
    page = browser.new_page()
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url}: HTTP {r.status}"))
    open_page(page, f"{server}/slides/index.html")
    audits["slides/index"] = audit(page)
    page.close()
    assert not failed, f"slides/index.html: failed requests {failed}"
    assert not failing(audits["slides/index"]), (
        f"slides/index.html: axe-core {axe_core} reports {failing(audits['slides/index'])}"
    )


def test_slide_decks_render_maths(decks, browser, server):
    page = browser.new_page()
    open_page(page, f"{server}/slides/{DECKS[0]}.html")
    page.evaluate(SETTLED)
    maths = page.evaluate(DECK_FACTS)["maths"]
    page.close()
    assert maths > 10, f"the {DECKS[0]} deck shows {maths} typeset equations; its slides have more than 10"
