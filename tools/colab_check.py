"""Write _build/colab-check.json: the versions and per-chapter times of the Colab-version nbval run.

`make colab-check` runs nbval on every chapter inside .venv-colab (requirements-colab.txt, Colab's
own versions), comparing every output but the figures; this script, run there after it, reads
nbval's JUnit report and records what ran. The site's execution page shows it.

Usage: python tools/colab_check.py _build/reports/colab-nbval.xml
"""

import json
import platform
import sys
from importlib.metadata import version
from pathlib import Path

from book import chapter_rows
from execution_report import PACKAGES  # the same packages as the site's report

ROOT = Path(__file__).resolve().parent.parent


def main(junit):
    versions = {"python": platform.python_version(), **{name: version(name) for name in PACKAGES}}
    chapters = [
        {"chapter": stem, "cells": row["cells"], "seconds": round(row["seconds"], 1)}
        for stem, row in sorted(chapter_rows(junit).items())
    ]
    report = ROOT / "_build" / "colab-check.json"
    report.write_text(json.dumps({"versions": versions, "chapters": chapters}, indent=1))
    print("Colab versions:", ", ".join(f"{name} {v}" for name, v in versions.items()))


if __name__ == "__main__":
    main(sys.argv[1])
