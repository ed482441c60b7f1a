"""Exercises can be handed out: solutions hidden, student notebooks runnable, checks explain.

Reads what `make assignments` wrote into _build/assignments/ (`make test` builds it first).
"""

import json
import re

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import CHAPTERS, ROOT

ASSIGNMENTS = ROOT / "_build" / "assignments"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
DIRECTIVE = re.compile(r"^```\{(exercise|solution)-(start|end)\}", re.MULTILINE)


def nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_lines(path):
    """Lines of the chapter's solutions that appear nowhere else in it (what must not leak)."""
    cells = json.loads(path.read_text())["cells"]
    secret, public = set(), set()
    for cell in cells:
        source = "".join(cell["source"])
        inside = nbgrader(cell).get("solution") and "### BEGIN SOLUTION" not in source
        for line in source.splitlines():
            line = line.strip()
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif len(line) > 12:
                (secret if inside else public).add(line)
    return secret - public


@pytest.fixture(scope="module")
def assignments():
    if not (ASSIGNMENTS / "html" / "index.html").exists():
        pytest.fail("_build/assignments is missing: run `make assignments` (`make test` does)", pytrace=False)
    return ASSIGNMENTS


@pytest.mark.static
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_three_to_six_exercises_each_with_a_solution_dropdown(path):
    sources = ["".join(c["source"]).lstrip() for c in json.loads(path.read_text())["cells"]]
    directives = [m.group(1, 2) for s in sources for m in DIRECTIVE.finditer(s)]
    exercises = directives.count(("exercise", "start"))
    assert 3 <= exercises <= 6, f"{path.name} has {exercises} exercises; the course promises 3 to 6"
    assert directives == [("exercise", "start"), ("exercise", "end"), ("solution", "start"),
                          ("solution", "end")] * exercises, f"{path.name}: each exercise needs its solution after it"
    dropdowns = [s for s in sources if s.startswith("```{solution-start}")]
    assert all(":class: dropdown" in s for s in dropdowns), f"{path.name}: every solution must be collapsed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_leaks_into_student_notebook(assignments, path):
    secret = solution_lines(path)
    assert secret, f"{path.name}: found no solution lines, so this test would check nothing"
    student = (assignments / "student" / path.name).read_text()
    leaked = [line for line in secret if json.dumps(line)[1:-1] in student]
    assert not leaked, f"student {path.name} contains solution lines: {leaked[:3]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_leaks_into_student_site(assignments, path):
    html = assignments / "html" / "chapters" / f"{path.stem}.html"
    text = " ".join(BeautifulSoup(html.read_text(), "html.parser").get_text().split())
    leaked = [line for line in solution_lines(path) if " ".join(line.split()) in text]
    assert not leaked, f"student site page {html.name} shows solution lines: {leaked[:3]}"


@pytest.mark.static
def test_a_solution_with_two_written_answers_is_refused():
    """nbgrader grades one written answer per exercise: `make refresh` says which exercise breaks that."""
    import exercises

    notebook = nbformat.read(NOTEBOOKS[0], as_version=4)
    first = exercises.exercises(notebook)[0]
    notebook.cells.insert(first.solution[0], nbformat.v4.new_markdown_cell("A second paragraph."))
    with pytest.raises(exercises.ConventionError, match=f"exercise {first.label}: .* exactly one markdown cell"):
        exercises.exercises(notebook, NOTEBOOKS[0].name)
