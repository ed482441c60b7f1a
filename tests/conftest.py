"""Shared helpers for the tests: where things are, and how to load a chapter's code."""

import os
import sys
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
SITE = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))


def toc_files():
    """The files the table of contents lists, in order, without their extension."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [entry["file"] for part in toc["parts"] for entry in part["chapters"]]


def load_chapter(stem):
    """Run chapters/<stem>.ipynb in this process and return its definitions as a module."""
    from importnb import Notebook

    path = CHAPTERS / f"{stem}.ipynb"
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: the test expects this chapter", pytrace=False)
    return Notebook.load_file(str(path))


@pytest.fixture(scope="session")
def site():
    if not (SITE / "index.html").exists():
        pytest.fail("_build/html is missing: build the site first with `make site` (`make test` does)", pytrace=False)
    return SITE
