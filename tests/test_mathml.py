"""The site's MathML (_ext/mathml.py): signs spaced as a reader reads them."""

import re

import pytest
from docutils import nodes

import mathml  # _ext/, on sys.path through pytest.ini's pythonpath

pytestmark = pytest.mark.static  # executes no chapter: part of `make check`


def signs(latex):
    """Each minus and plus of the inline MathML of `latex`: (its form, or "" when MathML decides, the sign)."""
    html = mathml.to_mathml(None, nodes.math(text=latex), "inline")
    return re.findall(r'<mo(?: form="(\w+)")?[^>]*>([−+])</mo>', html)


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


@pytest.mark.parametrize("latex", ["a - b", "(a) - b", "[1] + 1", "x_1 - 1", "|x| - 1"])
def test_a_sign_between_two_terms_keeps_its_binary_spacing(latex):
    assert [form for form, _ in signs(latex)] == [""]
