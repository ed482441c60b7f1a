"""Small fixes to the Jupyter Book 1 theme for this course (a local Sphinx extension).

- The course has no live-code (thebe) mode, but jupyter-book always loads sphinx-thebe, whose
  configuration script lands twice in every page (a console error) with a stylesheet and a
  script the pages do not need: drop them. Likewise sphinx-design's stylesheet and script (62 KB)
  on a page that uses none of its components.
- The theme's stylesheet (400 KB: Bootstrap, Font Awesome's table of 2,000 icons, the theme) and
  Font Awesome's fonts (270 KB) are mostly unused: when the build finishes, the stylesheet keeps
  the rules whose classes some page or script names (110 KB), and the fonts the icons it keeps.
- One search field, in the primary sidebar where sphinx-book-theme puts it: pydata-sphinx-theme
  0.17 fills an unset `navbar_persistent` with a second search-button-field, which draws a 64 px
  header bar above the article at desktop widths (the book theme's own empty default is not seen
  by that check), so set it empty.
- Start in the reader's system colour scheme ("auto") rather than an empty theme mode, which
  pydata-sphinx-theme reports as a console error.
- myst-nb's "Show code cell source" toggles (hide-input, hide-cell) carry
  `aria-label="Toggle hidden content"`, a name that is not their visible text (axe-core 4.14's
  label-content-name-mismatch, WCAG 2.5.3): drop it, so a toggle is named by what it says.
- The launch buttons' menu opens on hover only; it opens on keyboard focus too, so Tab reaches the
  Colab, Binder and download links; every control shows a focus ring (_static/course.js and
  course.css, which jupyter-book adds to every page).
- The `singlehtml` builder (the book as one page, printed to PDF by tools/make_pdf.py) gets the
  `html` builder's node handlers it lacks: extensions register some only for `html` (jupyter-book's
  LaTeX helper, for the table of contents), and Sphinx falls back to those only for builders
  that have none of their own.
"""

import re
from pathlib import Path

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput

THEME_CSS = "_static/styles/pydata-sphinx-theme.css"
ICON_FONTS = "_static/vendor/fontawesome/webfonts"
ICON_CHARACTERS = re.compile(r"\\([ef][0-9a-f]{3})|([\ue000-\uf8ff])")  # escaped or literal, in the private-use area
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
INNER_SELECTORS = re.compile(r":(?:not|is|where|has)\([^()]*\)")  # a class there is not needed for a match
BUILT_BY_SCRIPT = "bs-"  # Bootstrap makes these class names from parts (bs-tooltip-auto): no page or script spells them


def default_to_system_colour_scheme(app, config):
    config.html_context.setdefault("default_mode", "auto")


def no_search_bar_above_the_article(app, config):
    config.html_theme_options.setdefault("navbar_persistent", [])


def drop_unused_assets(app, pagename, templatename, context, doctree):
    uses_design = re.search(r'class="[^"]*\bsd-', context.get("body", ""))

    def unused(asset):
        name, body = asset.filename or "", asset.attributes.get("body", "")
        return "thebe" in name or "THEBE" in body or (not uses_design and ("design" in name or "sd-tabs" in body))

    for key in ("script_files", "css_files"):
        if key in context:
            context[key][:] = [
                asset for asset in context[key] if not unused(asset)
            ]  # in place: later handlers add to it


def subset_font(source, target, codepoints):
    """Write `target`, a woff2 of `source` with only `codepoints` and the glyphs they need (the maths
    table's bigger brackets, sums and roots). fontTools' usual layout features (the script-size
    variants, `ssty`, would double a maths font), and no hinting: browsers draw web fonts unhinted."""
    from fontTools import subset

    options = subset.Options()
    options.flavor, options.hinting = "woff2", False
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    subset.save_font(font, str(target), options)


def used_rules(rules, words):
    """The CSS rules (tinycss2's) of which some selector can match: every class it names is in `words`."""
    import tinycss2

    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = INNER_SELECTORS.sub("", tinycss2.serialize(rule.prelude)).split(",")
            if not any(
                all(name in words or name.startswith(BUILT_BY_SCRIPT) for name in CLASS.findall(selector))
                for selector in selectors
            ):
                continue
        elif rule.type == "at-rule" and rule.content and rule.lower_at_keyword in ("media", "supports"):
            rule.content = used_rules(tinycss2.parse_rule_list(rule.content), words)
            if not any(inner.type in ("qualified-rule", "at-rule") for inner in rule.content):
                continue
        kept.append(rule)
    return kept


def keep_only_used_styles_and_icons(app, exception):
    """The theme's stylesheet without the rules no page can use, Font Awesome without the icons it drops.

    Words of the built pages and of the site's scripts (which add classes as a page runs) decide what
    is used. From the theme's own files each time: a build may leave the previous build's cut copies."""
    import pydata_sphinx_theme
    import tinycss2

    theme, out = (
        Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static",
        Path(app.outdir),
    )
    if exception or app.builder.format != "html" or not (out / THEME_CSS).exists():
        return
    pages = [*out.rglob("*.html"), *out.glob("_static/**/*.js")]
    words = set(re.findall(r"[\w-]+", "".join(page.read_text(errors="replace") for page in pages)))
    css = tinycss2.serialize(
        used_rules(tinycss2.parse_stylesheet((theme / "styles" / Path(THEME_CSS).name).read_text()), words)
    )
    (out / THEME_CSS).write_text(css)
    styles = css + "".join(p.read_text() for p in out.glob("_static/**/*.css") if p.name != Path(THEME_CSS).name)
    icons = {int(code, 16) if code else ord(char) for code, char in ICON_CHARACTERS.findall(styles)}
    for font in (theme / "vendor" / "fontawesome" / "webfonts").glob("*.woff2"):
        subset_font(font, out / ICON_FONTS / font.name, icons)


def visit_toggle_named_by_its_text(translator, node):
    visit_HideCellInput(translator, node)
    start = len(translator.body) - 1 - translator.body[::-1].index('<summary aria-label="Toggle hidden content">\n')
    translator.body[start] = "<summary>\n"


def share_html_handlers_with_singlehtml(app):
    handlers = app.registry.translation_handlers
    for node, visitors in handlers.get("html", {}).items():
        handlers.setdefault("singlehtml", {}).setdefault(node, visitors)


def setup(app):
    app.connect("builder-inited", share_html_handlers_with_singlehtml)
    app.connect("config-inited", default_to_system_colour_scheme)
    app.connect("config-inited", no_search_bar_above_the_article)
    app.connect("html-page-context", drop_unused_assets)
    app.connect("build-finished", keep_only_used_styles_and_icons)
    app.add_node(HideCodeCellNode, override=True, html=(visit_toggle_named_by_its_text, depart_HideCellInput))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
