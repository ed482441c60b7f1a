"""Small fixes to the Jupyter Book 1 theme for this course (a local Sphinx extension).

- The course has no live-code (thebe) mode, but jupyter-book always loads sphinx-thebe, whose
  configuration script lands twice in every page (a console error) with a stylesheet and a
  script the pages do not need: drop them.
- Start in the reader's system colour scheme ("auto") rather than an empty theme mode, which
  pydata-sphinx-theme reports as a console error.
- Load MathJax (1.2 MB) only on pages that have maths.
- The `singlehtml` builder (the book as one page, printed to PDF by tools/make_pdf.py) gets the
  `html` builder's node handlers it lacks: extensions register some only for `html` (jupyter-book's
  LaTeX helper, for the table of contents), and Sphinx falls back to those only for builders
  that have none of their own.
"""

from docutils import nodes


def default_to_system_colour_scheme(app, config):
    config.html_context.setdefault("default_mode", "auto")


def drop_thebe_assets(app, pagename, templatename, context, doctree):
    def is_thebe(asset):
        return "thebe" in (asset.filename or "") or "THEBE" in asset.attributes.get("body", "")

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not is_thebe(asset)]


def drop_mathjax_without_maths(app, pagename, templatename, context, doctree):
    if doctree is None or next(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))), None):
        return
    context["script_files"] = [asset for asset in context.get("script_files", [])
                               if "mathjax" not in (asset.filename or "")]


def share_html_handlers_with_singlehtml(app):
    handlers = app.registry.translation_handlers
    for node, visitors in handlers.get("html", {}).items():
        handlers.setdefault("singlehtml", {}).setdefault(node, visitors)


def setup(app):
    app.connect("builder-inited", share_html_handlers_with_singlehtml)
    app.connect("config-inited", default_to_system_colour_scheme)
    app.connect("html-page-context", drop_thebe_assets)
    app.connect("html-page-context", drop_mathjax_without_maths, priority=900)  # after sphinx.ext.mathjax adds it
    return {"parallel_read_safe": True, "parallel_write_safe": True}
