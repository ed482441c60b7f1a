"""After `make test`: what the whole suite cost, against one nbval pass over every chapter.

Usage: python tools/suite_report.py START   (START: the Unix time `make test` began, which the
Makefile passes). Writes _build/reports/suite.json and prints the two figures side by side, from
this one run: `make test`'s wall time and one nbval pass's (`make check-notebooks`, two workers),
their ratio, the Colab-version pass, and each chapter's kernel time in the nbval pass. A report,
not a test: the figures depend on the machine and on what else runs on it.
"""

import json
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

from book import chapter_rows  # tools/: nbval's JUnit report, one row per chapter

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "_build" / "reports"


def main(start):
    total = time.time() - float(start)
    junit = {name: REPORTS / f"{name}.xml" for name in ("nbval", "colab-nbval") if (REPORTS / f"{name}.xml").exists()}
    seconds = {
        name: round(float(ElementTree.parse(path).find(".//testsuite").get("time")), 1) for name, path in junit.items()
    }
    nbval = seconds.get("nbval")
    kernel = (
        {stem: round(row["seconds"], 1) for stem, row in sorted(chapter_rows(junit["nbval"]).items())} if nbval else {}
    )
    report = {
        "make_test_seconds": round(total, 1),
        "nbval_pass_seconds": nbval,
        "make_test_over_nbval_pass": round(total / nbval, 2) if nbval else None,
        "colab_nbval_seconds": seconds.get("colab-nbval"),
        "kernel_seconds_per_chapter": kernel,
        "kernel_seconds": round(sum(kernel.values()), 1),
    }
    (REPORTS / "suite.json").write_text(json.dumps(report, indent=1) + "\n")
    print(
        f"make test took {total:.0f} s; one nbval pass over every chapter took {nbval} s on two workers "
        f"(the Colab-version pass {seconds.get('colab-nbval')} s): make test = "
        f"{report['make_test_over_nbval_pass']} nbval passes (_build/reports/suite.json)"
    )
    if kernel:
        print(f"kernel time per chapter in that pass ({report['kernel_seconds']} s in all):")
        for stem, chapter_seconds in kernel.items():
            print(f"  {stem}: {chapter_seconds} s")


if __name__ == "__main__":
    main(*sys.argv[1:])
