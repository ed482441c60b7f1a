"""After `make test`: what the whole suite cost, against one nbval pass over every chapter.

Usage: python tools/suite_report.py START   (START: the Unix time `make test` began, which the
Makefile passes). Writes _build/reports/suite.json and prints one line. A report, not a test:
the figure depends on the machine and what else runs on it.
"""

import json
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "_build" / "reports"


def main(start):
    total = time.time() - float(start)
    suites = {
        name: ElementTree.parse(REPORTS / f"{name}.xml").find(".//testsuite")
        for name in ("nbval", "colab-nbval")
        if (REPORTS / f"{name}.xml").exists()
    }
    seconds = {name: round(float(suite.get("time")), 1) for name, suite in suites.items()}
    nbval = seconds.get("nbval")
    report = {
        "make_test_seconds": round(total, 1),
        "nbval_pass_seconds": nbval,
        "colab_nbval_seconds": seconds.get("colab-nbval"),
        "make_test_over_nbval_pass": round(total / nbval, 2) if nbval else None,
    }
    (REPORTS / "suite.json").write_text(json.dumps(report, indent=1) + "\n")
    print(
        f"make test took {total:.0f} s, {report['make_test_over_nbval_pass']} times one nbval pass over every chapter "
        f"({nbval} s; the Colab-version pass {seconds.get('colab-nbval')} s): _build/reports/suite.json"
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
