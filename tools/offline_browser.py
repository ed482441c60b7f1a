"""What the offline copies need beyond Python, found where a user has it, and a local web server.

The PDF (make_pdf.py) and the browser tests need a Chromium, the slides npm (it installs the pinned
reveal.js). find_chromium() looks where a user would have one: $CHROMIUM if set (then only there),
a `chromium` or Google Chrome on PATH, the usual macOS and Linux install folders, and the browsers
Playwright has installed (`playwright install chromium`). Nothing here needs the virtual environment,
so the Makefile asks before anything is installed:

    python tools/offline_browser.py chromium npm
        # prints nothing if both are found, else what is missing and how to add it
"""

import functools
import glob
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

ON_PATH = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"]
INSTALLED = [
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "~/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/opt/google/chrome/chrome",
    "/snap/bin/chromium",
]
# Where `playwright install chromium` puts its browser (full Chromium first, then the headless shell).
PLAYWRIGHT_BUILDS = [
    "chromium-*/chrome-linux*/chrome",
    "chromium-*/chrome-mac*/*.app/Contents/MacOS/*",
    "chromium_headless_shell-*/chrome-*/*headless*shell",
]
ADD_CHROMIUM = (
    "add one with '.venv/bin/playwright install chromium' "
    "(or 'apt-get install chromium' or Google Chrome; or set CHROMIUM=/path/to/chrome)"
)
NO_CHROMIUM = f"no Chromium found: {ADD_CHROMIUM}"
NO_NPM = (
    "npm not found (it installs the pinned reveal.js): add it with 'apt-get install npm' "
    "or 'brew install node' (or Node.js from nodejs.org)"
)

# Headless, and no background traffic to Google's services: the browser makes no request elsewhere.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=MediaRouter,OptimizationHints",
]
# Wait until a page looks as a reader sees it: web fonts loaded, maths typeset, layout done. Before
# that, text set in a fallback font can overflow its box for a moment (axe-core once flagged such a
# transient scrollable region on a busy machine).
SETTLED = """async () => {
    await document.fonts.ready;
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
    await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}"""


def open_page(page, url):
    """Go to `url` and wait until the whole document is parsed and the network is quiet.

    Playwright's `wait_until="networkidle"` alone can return while a long page is still being
    parsed (the one-page book, 3 MB, read "loading" with half its chapters in the DOM), so wait
    for the load event first."""
    response = page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return response


def executable(path):
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def playwright_browsers():
    """The Chromium builds Playwright has installed."""
    home = Path.home()
    folder = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or (
        home / "Library" / "Caches" / "ms-playwright"
        if sys.platform == "darwin"
        else Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "ms-playwright"
    )
    for pattern in PLAYWRIGHT_BUILDS:
        yield from sorted(glob.glob(os.path.join(folder, pattern)))


def find_chromium():
    """The path of a Chromium or Chrome to drive with Playwright, or None."""
    if "CHROMIUM" in os.environ:  # the user's choice: look nowhere else
        return os.environ["CHROMIUM"] if executable(os.environ["CHROMIUM"]) else None
    candidates = [shutil.which(name) for name in ON_PATH] + [os.path.expanduser(p) for p in INSTALLED]
    return next((path for path in [*candidates, *playwright_browsers()] if executable(path)), None)


def why_not_chromium():
    if find_chromium():
        return ""
    if "CHROMIUM" in os.environ:
        return f"CHROMIUM={os.environ['CHROMIUM']} is not a program: {ADD_CHROMIUM}"
    return NO_CHROMIUM


def why_not_npm():
    return "" if shutil.which("npm") else NO_NPM


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *arguments):
        pass


def serve(directory):
    """Serve `directory` on a free localhost port in a background thread; returns the server."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


if __name__ == "__main__":
    checks = {"chromium": why_not_chromium, "npm": why_not_npm}
    if not sys.argv[1:] or not set(sys.argv[1:]) <= set(checks):
        sys.exit("usage: python tools/offline_browser.py chromium|npm ...")
    print("; ".join(reason for reason in (checks[name]() for name in sys.argv[1:]) if reason))
