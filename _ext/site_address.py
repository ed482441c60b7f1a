"""Where the site is served, derived from `repository.url` (a local Sphinx extension).

GitHub Pages serves (tools/book.py's `pages_address`) the site of `https://github.com/OWNER/REPO` at `https://owner.github.io/REPO/`
(and that of a repository named `OWNER.github.io` at `https://owner.github.io/`). Unless
`html.baseurl` in _config.yml names another address (a custom domain), this sets Sphinx's
`html_baseurl` to that address, so the one setting that drives the launch buttons also places:

- the sitemap (sphinx-sitemap writes `html_baseurl` + page into sitemap.xml) and each page's
  canonical link;
- the 404 page (sphinx-notfound-page): GitHub Pages serves it for any missing path, so its links
  are absolute, starting with the address's path (`notfound_urls_prefix`, e.g. `/REPO/`), and
  so is the root its scripts load the search index from (`content_root`, which the extension
  leaves relative).

With a custom domain, the build also writes the `CNAME` file that GitHub Pages reads from a
published gh-pages branch (`make publish`).
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit

from sphinx.util import logging

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))  # the book's conventions: tools/book.py
from book import pages_address  # noqa: E402

logger = logging.getLogger(__name__)


def set_address(app, config):
    repository_url = config.html_theme_options.get("repository_url", "")
    if config.html_baseurl:
        config.html_baseurl = config.html_baseurl.rstrip("/") + "/"
    elif pages_address(repository_url):
        config.html_baseurl = pages_address(repository_url)
    else:
        logger.warning(
            f"repository.url in _config.yml ({repository_url!r}) is not a https://github.com/OWNER/REPO "
            "address, so the site's address cannot be derived from it: set html.baseurl in _config.yml "
            "to the address the site is served at (e.g. https://course.example.org/)"
        )
    config.notfound_urls_prefix = urlsplit(config.html_baseurl).path or "/"


def absolute_content_root(app, pagename, templatename, context, doctree):
    if pagename == app.config.notfound_pagename:
        context["content_root"] = app.config.notfound_urls_prefix


def write_cname(app, exception):
    """GitHub Pages reads a custom domain from the CNAME file of a branch it publishes."""
    host = urlsplit(app.config.html_baseurl).hostname
    if exception is None and app.builder.format == "html" and host and not host.endswith(".github.io"):
        (Path(app.outdir) / "CNAME").write_text(host + "\n")


def setup(app):
    app.connect("config-inited", set_address)
    app.connect("html-page-context", absolute_content_root)
    app.connect("build-finished", write_cname)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
