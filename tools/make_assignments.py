"""Write the student edition of the course into _build/assignments/.

- student/NN_name.ipynb: each chapter with its solutions replaced by nbgrader's stubs
  (ClearSolutions, ClearHiddenTests) and the outputs of exercise cells cleared; the checks stay.
- html/: the site built from those notebooks with every solution dropdown removed: the cells
  from `solution-start` to `solution-end` are dropped (sphinx-exercise 1.2.1's `hide_solutions`
  crashes on gated solutions, so it only guards against any non-gated one).

Usage: python tools/make_assignments.py
"""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "assignments"


def student_notebook(path):
    """The student version of one chapter notebook."""
    notebook = nbformat.read(path, as_version=4)
    resources = {}
    for preprocessor in (ClearSolutions(enforce_metadata=True), ClearHiddenTests(enforce_metadata=True)):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    for cell in notebook.cells:
        if cell.cell_type == "code" and "nbgrader" in cell.metadata:
            cell.outputs, cell.execution_count = [], None
    return notebook


def without_solution_dropdowns(notebook):
    """A copy of `notebook` without the cells from each solution-start to its solution-end."""
    kept, inside = [], False
    for cell in notebook.cells:
        source = cell.source.lstrip() if cell.cell_type == "markdown" else ""
        inside = inside or source.startswith("```{solution-start}")
        if not inside:
            kept.append(cell)
        inside = inside and not source.startswith("```{solution-end}")
    return nbformat.from_dict({**notebook, "cells": kept})


def build_student_site(book):
    """Build the site from the student notebooks in `book`, with solutions hidden, into OUT/html."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] += " (student edition)"
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    (book / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    for name in ("_toc.yml", "intro.md", "execution.md", "_ext", "_static", "_templates", "_build/reports/execution.md"):
        (book / name).parent.mkdir(parents=True, exist_ok=True)
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, book / name)
    subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", "-W", "-n", "--keep-going",
                    "--quiet", str(book)], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(OUT / "html", ignore_errors=True)
    shutil.move(book / "_build" / "html", OUT / "html")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    book = OUT / "book"
    (book / "chapters").mkdir(parents=True)
    (OUT / "student").mkdir()
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        notebook = student_notebook(path)
        nbformat.write(notebook, OUT / "student" / path.name)
        nbformat.write(without_solution_dropdowns(notebook), book / "chapters" / path.name)
    build_student_site(book)
    shutil.rmtree(book)
    print(f"student notebooks: {OUT / 'student'}\nstudent site: {OUT / 'html' / 'index.html'}")


if __name__ == "__main__":
    main()
