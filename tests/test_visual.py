"""What the reader sees: viewport screenshots compared with stored references, and the layout asserted.

Each view (the home page, a chapter, a folded solution, an explorable, a slide deck if the build made
decks) at 1280 px and 390 px, light and dark, is compared with tests/screenshots/NAME.png (stored
at half size, 2 x 2 pixels averaged into one, to keep the references small). Pixels
whose colour moved by less than TOLERANCE (font anti-aliasing) are ignored; more than MAX_CHANGED of
the picture changing fails, with the difference image written under _build/visual/.
`make update-screenshots` writes the references on purpose (VISUAL_UPDATE=1); review them before
committing. The references are this machine's Chromium and fonts: another setup may need its own.

The layout promises are asserted directly too, so a wrong reference cannot hide them: one visible
search field, nothing wider than the viewport, the article within the first 120 px of the page.
"""

import os

import pytest
from PIL import Image, ImageChops

from conftest import ROOT
from offline_browser import SETTLED, open_page

REFERENCES = ROOT / "tests" / "screenshots"
DIFFS = ROOT / "_build" / "visual"
TOLERANCE = 48  # of 255, in any colour channel: anti-aliasing differs by less
MAX_CHANGED = 0.002  # fraction of the viewport's pixels
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
CHAPTER = "chapters/01_cross_correlation"
# name: (page, element the view is scrolled to, or None for the top)
VIEWS = {
    "home": ("intro", None),
    "chapter": (CHAPTER, None),
    "solution": (CHAPTER, ".solution.dropdown"),
    "explorable": (CHAPTER, ".cfi[data-cfi=sliding]"),
    "deck": ("slides/01_cross_correlation", None),
}
LAYOUT = """() => {
  const visible = [...document.querySelectorAll('.search-button__button, input[type=search]')]
    .filter(e => e.checkVisibility() && e.getBoundingClientRect().width > 0);
  const scrollsInItsBox = e => {  // wide code and figures scroll inside their own box
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.checkVisibility() && e.getBoundingClientRect().width > innerWidth + 1 && !scrollsInItsBox(e))
    .map(e => e.tagName.toLowerCase() + '.' + String(e.className).split(' ')[0]);
  const article = document.querySelector('article.bd-article');
  return {searches: visible.map(e => e.className), wide: wide.slice(0, 5),
          pageWidth: document.scrollingElement.scrollWidth, articleTop: article && article.getBoundingClientRect().top};
}"""


def open_view(browser, server, site, name, device, scheme):
    page_name, anchor = VIEWS[name]
    if not (site / f"{page_name}.html").exists():
        pytest.skip(f"{page_name}.html is not in this build (`make site` builds the decks when npm is present)")
    context = browser.new_context(viewport=WIDTHS[device], color_scheme=scheme, reduced_motion="reduce")
    page = context.new_page()
    open_page(page, f"{server}/{page_name}.html")
    page.evaluate(SETTLED)
    if anchor:
        page.wait_for_selector(anchor, state="visible")
        top = page.evaluate(f"() => document.querySelector({anchor!r}).getBoundingClientRect().top + scrollY")
        page.evaluate(f"() => scrollTo(0, {top} - 80)")
        page.evaluate(SETTLED)
    return context, page


def half_size(image):
    return image.convert("RGB").reduce(2)


def changed_fraction(reference, actual):
    """The share of pixels whose colour moved by more than TOLERANCE, and the difference image."""
    difference = ImageChops.difference(reference.convert("RGB"), actual.convert("RGB"))
    channels = [channel.point(lambda value: 255 if value > TOLERANCE else 0) for channel in difference.split()]
    mask = ImageChops.lighter(ImageChops.lighter(channels[0], channels[1]), channels[2])
    return sum(mask.histogram()[255:]) / (mask.width * mask.height), mask


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.parametrize("name", list(VIEWS))
def test_view_matches_its_reference_screenshot(browser, server, site, name, device, scheme):
    context, page = open_view(browser, server, site, name, device, scheme)
    key = f"{name}-{device}-{scheme}"
    shot = DIFFS / f"{key}-actual.png"
    DIFFS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), animations="disabled", caret="hide")
    context.close()
    reference = REFERENCES / f"{key}.png"
    if os.environ.get("VISUAL_UPDATE"):
        REFERENCES.mkdir(parents=True, exist_ok=True)
        half_size(Image.open(shot)).save(reference, optimize=True)
        return
    assert reference.exists(), f"no reference {reference.relative_to(ROOT)}: write it with `make update-screenshots`"
    expected, actual = Image.open(reference), half_size(Image.open(shot))
    assert expected.size == actual.size, f"{key}: screenshot is {actual.size}, its reference {expected.size}"
    fraction, mask = changed_fraction(expected, actual)
    if fraction > MAX_CHANGED:
        diff = DIFFS / f"{key}-diff.png"
        Image.composite(Image.new("RGB", actual.size, "red"), actual.convert("RGB"), mask).save(diff)
        pytest.fail(
            f"{key}: {fraction:.2%} of the page changed (more than {MAX_CHANGED:.2%}); the changed pixels in red:"
            f" {diff.relative_to(ROOT)}, the new screenshot {shot.relative_to(ROOT)}. If the change is meant,"
            " `make update-screenshots`",
            pytrace=False,
        )


@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.parametrize("name", ["home", "chapter"])
def test_layout_one_search_field_nothing_too_wide_article_at_the_top(browser, server, site, name, device):
    context, page = open_view(browser, server, site, name, device, "light")
    layout = page.evaluate(LAYOUT)
    context.close()
    width = WIDTHS[device]["width"]
    assert len(layout["searches"]) == 1, f"{name} at {width} px shows {len(layout['searches'])} search fields: {layout}"
    assert not layout["wide"] and layout["pageWidth"] <= width, f"{name} at {width} px: wider than the page {layout}"
    assert layout["articleTop"] is not None and layout["articleTop"] <= 120, (
        f"{name} at {width} px: the article starts {layout['articleTop']} px below the top (at most 120)"
    )
