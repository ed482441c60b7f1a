"""Debian's Chromium, kept offline, and a local web server: what make_pdf.py prints with and the browser tests use."""

import functools
import http.server
import os
import threading
from pathlib import Path

CHROMIUM = [os.environ.get("CHROMIUM", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
NO_CHROMIUM = "no Chromium found: install it with `apt-get install chromium` (or set CHROMIUM=/path/to/it)"
# Headless, and no background traffic to Google's services: the browser makes no request elsewhere.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-features=MediaRouter,OptimizationHints"]
# Wait until a page looks as a reader sees it: web fonts loaded, maths typeset, layout done. Before
# that, text set in a fallback font can overflow its box for a moment (axe-core once flagged such a
# transient scrollable region on a busy machine).
SETTLED = """async () => {
    await document.fonts.ready;
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
    await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}"""


def find_chromium():
    """The first Chromium found ($CHROMIUM, then Debian's), or None."""
    return next((path for path in CHROMIUM if path and Path(path).exists()), None)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *arguments):
        pass


def serve(directory):
    """Serve `directory` on a free localhost port in a background thread; returns the server."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd
