"""The site's MathML (_ext/mathml.py): signs spaced as a reader reads them, long inline formulas that
wrap on a phone."""

import re

import pytest
from docutils import nodes

import mathml  # _ext/, on sys.path through pytest.ini's pythonpath
from conftest import toc_files

static = pytest.mark.static  # executes no chapter: part of `make check` (all but the browser test)


def signs(latex):
    """Each minus and plus of the inline MathML of `latex`: (its form, or "" when MathML decides, the sign)."""
    html = mathml.to_mathml(None, nodes.math(text=latex), "inline")
    return re.findall(r'<mo(?: form="(\w+)")?[^>]*>([−+])</mo>', html)


@static
@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        ("[1, -1]", [("prefix", "−")]),  # the kernel of chapter 2's text
        ("x = -1", [("prefix", "−")]),
        ("(-1)", [("prefix", "−")]),
        ("a_{-1}", [("prefix", "−")]),
        ("-x", [("prefix", "−")]),
        ("[+1, -1]", [("prefix", "+"), ("prefix", "−")]),
        ("1 - -1", [("", "−"), ("prefix", "−")]),
    ],
)
def test_a_sign_that_starts_a_number_is_a_prefix(latex, expected):
    assert signs(latex) == expected


@static
@pytest.mark.parametrize("latex", ["a - b", "(a) - b", "[1] + 1", "x_1 - 1", "|x| - 1"])
def test_a_sign_between_two_terms_keeps_its_binary_spacing(latex):
    assert [form for form, _ in signs(latex)] == [""]


def inline(latex):
    return mathml.break_inline(mathml.to_mathml(None, nodes.math(text=latex), "inline"))


def pieces(html):
    """The text of each <math> an inline formula became."""
    return ["".join(re.findall(r">([^<]+)<", piece)) for piece in html.split("<wbr>")]


@static
def test_a_long_inline_formula_breaks_after_its_operators_outside_brackets():
    """Browsers never break a line inside one <math>: a long formula is cut where TeX may break it."""
    html = inline(r"(n_h - k_h + 1) \times (n_w - k_w + 1) = 4 \times 6 = 24")
    assert pieces(html) == ["(nh−kh+1)×", "(nw−kw+1)=", "4×", "6=", "24"], html
    assert html.count("<math ") == 5 and html.count('form="infix"') == 4


@static
@pytest.mark.parametrize("latex", [r"\eta < 2 / \lambda_{\max}", "x + 1", r"(a + b + c + d + e + f + g + h + i)"])
def test_a_short_formula_or_one_in_brackets_stays_whole(latex):
    html = inline(latex)
    assert "<wbr>" not in html and html.count("<math ") == 1, html


@static
def test_a_sign_that_starts_a_piece_stays_a_prefix():
    html = inline(r"y_{\text{out}} = -x_{\text{in}} \times w_{\text{kernel}} + b_{\text{bias term}}")
    assert pieces(html)[1].startswith("−") and 'form="prefix">−' in html, html


# the theme gives an inline formula a box that scrolls: one wider than its box makes the reader scroll it
OVERFLOWING = """() => [...document.querySelectorAll('article span.math')]
  .filter(m => m.scrollWidth > m.clientWidth + 1 || m.getBoundingClientRect().right > innerWidth)
  .map(m => m.textContent)"""


@pytest.mark.parametrize("page", [f for f in toc_files() if f.startswith("chapters/")])
def test_inline_maths_stays_inside_its_paragraph_on_a_phone(browser, server, page):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(f"{server}/{page}.html", wait_until="load")
    tab.evaluate("document.fonts.ready")
    outside = tab.evaluate(OVERFLOWING)
    context.close()
    assert not outside, f"{page}: at 390 px these inline formulas do not fit the line: {outside}"
