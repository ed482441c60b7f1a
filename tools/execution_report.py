"""Write _build/reports/execution.md: how each chapter fared in the last nbval run, and where.

Reads nbval's JUnit report (_build/reports/nbval.xml, written by `make check-notebooks`) and,
if present, the Colab-version run (_build/colab-check.json). The book's execution page
(execution.md) shows the result when the Makefile builds the site (it names this file in
$EXECUTION_REPORT; see _ext/this_build.py).

Usage: python tools/execution_report.py
"""

import json
import os
import platform
from importlib.metadata import version
from pathlib import Path

from book import chapter_rows  # tools/: nbval's JUnit report, one row per chapter

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "_build" / "reports"
PACKAGES = ["jax", "flax", "optax", "numpy", "matplotlib", "scikit-image", "scikit-learn"]  # named with their versions


def main():
    lines = [
        "This is the record of the last such run.",
        "",
        "| chapter | cells checked | nbval | run time (s) |",
        "| --- | --- | --- | --- |",
    ]
    junit = REPORTS / "nbval.xml"
    if junit.exists():
        for stem, row in sorted(chapter_rows(junit).items()):
            status = "passed" if not row["failed"] else f"{row['failed']} cells differ"
            lines.append(f"| {stem} | {row['cells']} | {status} | {row['seconds']:.1f} |")
    else:
        lines.append("| (no nbval run recorded) | | | |")
    packages = ", ".join(f"{name} {version(name)}" for name in PACKAGES)
    lines += [
        "",
        f"Built with Python {platform.python_version()}, {packages}, on {platform.system()} "
        f"{platform.machine()} with {os.cpu_count()} CPU cores (JAX on the CPU).",
    ]
    colab = ROOT / "_build" / "colab-check.json"
    if colab.exists():
        report = json.loads(colab.read_text())
        versions = ", ".join(f"{name} {v}" for name, v in report["versions"].items())
        times = ", ".join(f"{c['chapter']} {c['seconds']} s" for c in report["chapters"])
        lines += ["", f"Last run with Google Colab's package versions ({versions}): {times}."]
    REPORTS.mkdir(parents=True, exist_ok=True)
    # replaced whole (`make test` writes it twice at once, for the site and the student site, which read it)
    partial = REPORTS / f"execution.md.{os.getpid()}"
    partial.write_text("\n".join(lines) + "\n")
    partial.replace(REPORTS / "execution.md")


if __name__ == "__main__":
    main()
