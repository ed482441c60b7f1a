"""Maths typeset when the site is built, drawn by the browser: no maths engine on any page.

Every `$...$` and `$$...$$` (Sphinx's math nodes) becomes MathML with latex2mathml; current browsers
(Chromium 109+, Firefox, Safari) lay MathML out themselves, it is selectable, and screen readers read
it as maths. Readers' systems differ in their maths fonts, so the pages bring their own: STIX Two
Math (the copy the ziamath package ships), cut down when the build finishes to the glyphs the
equations of the built pages use (fontTools keeps the MATH table that stretches brackets and roots), into
_static/maths.woff2 (tens of KB, fetched only by pages with maths).

A formula latex2mathml cannot convert is a build warning naming the page and the LaTeX (`-W`
turns it into an error): the page would otherwise show raw LaTeX.
"""

import html
import re
from pathlib import Path

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.util import logging

logger = logging.getLogger(__name__)
FONT = "maths.woff2"
CSS = "maths.css"
# MathML Core draws `mathvariant` only as "normal": the monospace text of \texttt gets a font instead.
MONOSPACE = '<mtext mathvariant="monospace">'
# Single-letter identifiers are drawn in the font's mathematical italic letters (U+1D434...).
ITALIC = [*range(0x1D434, 0x1D468), 0x210E, *range(0x1D6E2, 0x1D71C)]
STYLE = """@font-face { font-family: "Course Math"; src: url("maths.woff2") format("woff2"); font-display: swap; }
math { font-family: "Course Math", math; font-size: 1.1em; }
div.math { overflow-x: auto; overflow-y: hidden; padding: 0.2em 0; }
span.math:has(> wbr) { display: inline; }  /* the theme's inline-flex would keep a broken formula on one line */
div.math > math { flex-grow: 1; }  /* the theme's div.math is a row (number, equation): centred in it */
"""


# latex2mathml writes every minus and plus as a bare <mo>, and MathML Core takes an <mo> between two
# siblings as infix, with binary spacing: "[1, -1]" would read "[1, − 1]". A sign that starts a group or
# follows an operator that is not a closing one (`[`, `(`, `,`, `=`, `+`, ...) is a prefix: no spacing.
CLOSING = {")", "]", "}", "|", "‖", "⟩", "!", "′"}
SIGN = re.compile(r"(<m[a-z]*\b[^>]*>|<mo\b[^>]*>([^<]*)</mo>)<mo>([−+±∓])</mo>")


def mark_prefix_signs(mathml):
    def mark(match):
        operator = match.group(2)
        if operator is not None and html.unescape(operator) in CLOSING:
            return match.group(0)
        return f'{match.group(1)}<mo form="prefix">{match.group(3)}</mo>'

    return SIGN.sub(mark, mathml)


def to_mathml(translator, node, display):
    try:
        mathml = convert(node.astext(), display=display)
    except Exception as error:  # latex2mathml raises many kinds on bad input
        logger.warning(
            f"cannot convert this LaTeX to MathML ({error}): {node.astext()!r}; fix the formula", location=node
        )
        return html.escape(node.astext())
    # Characters as themselves rather than `&#x02212;`, and no namespace (HTML knows MathML): a third smaller.
    mathml = re.sub(r"&#x([0-9A-Fa-f]+);", lambda m: html.escape(chr(int(m.group(1), 16)), quote=False), mathml)
    return (
        mark_prefix_signs(mathml)
        .replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")
        .replace(MONOSPACE, '<mtext style="font-family: var(--pst-font-family-monospace, monospace)">')
    )


# Browsers do not break a line inside a <math> (MathML Core has no line breaking), so a long inline
# formula would run out of a 390 px column. Like TeX, it may break after a relation or a binary
# operator outside brackets: a long one becomes one <math> per piece, the operator ending its piece
# (marked infix, so it keeps its spacing there).
BREAK_AFTER = set("=<>≤≥≠≈≡→←+−×⋅·")
OPENING, CLOSING_BRACKETS = set("([{"), set(")]}")
LONG = 24  # characters of a formula's text: shorter ones fit any column


MATHML = "http://www.w3.org/1998/Math/MathML"


def break_inline(mathml):
    """A long inline formula as pieces the line may break between (separated by <wbr>)."""
    from xml.etree import ElementTree

    ElementTree.register_namespace("", MATHML)
    try:
        math = ElementTree.fromstring(mathml)
    except ElementTree.ParseError:
        return mathml
    namespace = math.tag[: -len("math")]  # "{...MathML}" or "" (to_mathml drops the xmlns)
    row = f"{namespace}mrow"
    if len(math) != 1 or math[0].tag != row or len("".join(math.itertext())) <= LONG:
        return mathml
    pieces, depth = [[]], 0
    for child in math[0]:
        pieces[-1].append(child)
        text = (child.text or "").strip() if child.tag == f"{namespace}mo" else ""
        depth += (text in OPENING) - (text in CLOSING_BRACKETS)
        if depth == 0 and text in BREAK_AFTER and child.get("form") != "prefix" and len(pieces[-1]) > 1:
            child.set("form", "infix")
            pieces.append([])
    pieces = [piece for piece in pieces if piece]
    if len(pieces) == 1:
        return mathml
    out = []
    for piece in pieces:
        one = ElementTree.Element(math.tag, math.attrib)
        ElementTree.SubElement(one, row).extend(piece)
        out.append(ElementTree.tostring(one, encoding="unicode"))
    return "<wbr>".join(out)


def visit_math(translator, node):
    mathml = break_inline(to_mathml(translator, node, "inline"))
    translator.body.append(f'<span class="math notranslate nohighlight">{mathml}</span>')
    raise nodes.SkipNode


def visit_displaymath(translator, node):
    number = f'<span class="eqno">({node["number"]})</span>' if node.get("number") else ""
    translator.body.append(translator.starttag(node, "div", CLASS="math notranslate nohighlight"))
    translator.body.append(f"{number}{to_mathml(translator, node, 'block')}</div>\n")
    raise nodes.SkipNode


def use_mathml(app, config):
    config.html_math_renderer = "mathml"


def add_style(app, pagename, templatename, context, doctree):
    if doctree is not None and next(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))), None):
        app.add_css_file(CSS)  # called here, Sphinx adds it to this page only


def write_font(app, exception):
    """The site's maths font: only the glyphs its equations use, with their stretched variants."""
    if exception or app.builder.format != "html":
        return
    equations = [
        m for page in Path(app.outdir).rglob("*.html") for m in re.findall(r"<math.*?</math>", page.read_text(), re.S)
    ]
    used = set(html.unescape("".join(re.findall(r">([^<]+)<", "".join(equations)))))
    if not used:
        return
    import ziamath
    from course_theme import subset_font  # _ext/, on the path of local extensions

    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    subset_font(
        Path(ziamath.__file__).parent / "fonts" / "STIXTwoMath-Regular.ttf",
        static / FONT,
        {ord(c) for c in used} | set(ITALIC),
    )
    (static / CSS).write_text(STYLE)


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    app.connect("config-inited", use_mathml)
    app.connect("html-page-context", add_style)
    app.connect("build-finished", write_font)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
