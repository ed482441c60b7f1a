"""Publish only a checked site: the stamp `make site` leaves, `make publish`, `make edition`.

`make site` runs `python tools/publish.py stamp` as its last step, once nbval has passed and the
HTML build has succeeded: it writes _build/html/checked-by-make-site.json, with the commit and one
SHA-256 over every other file of the site. A plain `jupyter-book build .` never writes it, and
any change to the site after the check (a plain rebuild, an edited page) no longer matches it.

    python tools/publish.py check             # is _build/html the site `make site` checked?
    python tools/publish.py push REMOTE       # `make publish`: check, then ghp-import to REMOTE's gh-pages
    python tools/publish.py edition FOLDER    # `make edition`: check, then pack a release's files into FOLDER
"""

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
STAMP = SITE / "checked-by-make-site.json"
STUDENT = ROOT / "_build" / "assignments" / "student"
AGAIN = "Run `make site` (it re-runs and checks every chapter, then builds the site), then try again."


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def git(*arguments):
    result = subprocess.run(["git", "-C", str(ROOT), *arguments], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def digest(site):
    """(number of files, SHA-256 over the relative path and content of every file but the stamp)."""
    total, files = hashlib.sha256(), sorted(p for p in site.rglob("*") if p.is_file() and p.name != STAMP.name)
    for path in files:
        total.update(path.relative_to(site).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return len(files), total.hexdigest()


def stamp():
    files, sha256 = digest(SITE)
    commit = git("rev-parse", "HEAD") or "unknown (not a git checkout)"
    edited = bool(git("status", "--porcelain", "--untracked-files=no"))
    STAMP.write_text(
        json.dumps(
            {"made by": "make site", "commit": commit, "uncommitted changes": edited, "files": files, "sha256": sha256},
            indent=1,
        )
        + "\n"
    )
    print(f"{STAMP.relative_to(ROOT)}: the site of {commit[:12]}{' (with uncommitted changes)' * edited}, checked")


def check(action):
    """The stamp of the checked site in _build/html; stop with one message if there is none, or it does not match."""
    if not (SITE / "index.html").is_file():
        fail(f"will not {action}: there is no site in _build/html. {AGAIN}")
    if not STAMP.is_file():
        fail(
            f"will not {action}: the site in _build/html was not made by `make site` (it has no "
            f"{STAMP.name}; a plain `jupyter-book build` checks nothing). {AGAIN}"
        )
    record = json.loads(STAMP.read_text())
    if (record.get("files"), record.get("sha256")) != digest(SITE):
        fail(
            f"will not {action}: the site in _build/html changed after `make site` checked it (for example "
            f"a plain `jupyter-book build` rebuilt it). {AGAIN}"
        )
    return record


def push(remote):
    record = check("publish")
    if git("remote", "get-url", remote) is None:
        fail(
            f"will not publish: this repository has no git remote {remote!r} to push the gh-pages branch to. "
            f"Add it (`git remote add {remote} URL`) or name another: `make publish REMOTE=name`."
        )
    message = f"Site of {record['commit']}, checked by make site"
    # -n: a .nojekyll file, or GitHub Pages would drop _static/; -p -f: push, replacing the old site
    command = ["ghp-import", "-n", "-p", "-f", "-r", remote, "-b", "gh-pages", "-m", message, str(SITE)]
    if subprocess.run(command, cwd=ROOT).returncode:
        fail(f"ghp-import could not push the site to the gh-pages branch of {remote!r} (its message is above).")
    print(f"pushed the checked site of {record['commit'][:12]} to the gh-pages branch of {remote!r}")


def edition(folder):
    """A term's edition: the site as an archive, the PDF, the slide decks, the student notebooks."""
    record = check("pack an edition")
    parts = {"the PDF": SITE / "book.pdf", "the slides": SITE / "slides", "the student notebooks": STUDENT}
    missing = [f"{name} ({path.relative_to(ROOT)})" for name, path in parts.items() if not path.exists()]
    if missing:
        fail(
            f"cannot pack an edition without {', '.join(missing)}: `make site` builds the PDF and the slides "
            "where it finds a Chromium and npm, `make assignments` the student notebooks."
        )
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, source in [("site", SITE), ("slides", SITE / "slides"), ("student-notebooks", STUDENT)]:
        with tarfile.open(folder / f"{name}.tar.gz", "w:gz", compresslevel=6) as archive:  # gzip's own default
            archive.add(source, arcname=name)
    shutil.copy(SITE / "book.pdf", folder / "book.pdf")
    print(f"{folder}: the edition of {record['commit'][:12]}: " + ", ".join(sorted(p.name for p in folder.iterdir())))


if __name__ == "__main__":
    command, *arguments = sys.argv[1:] or ["help"]
    actions = {"stamp": stamp, "check": lambda: check("publish"), "push": push, "edition": edition}
    if command not in actions:
        fail(__doc__)
    actions[command](*arguments)
