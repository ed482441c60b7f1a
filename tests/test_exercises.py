"""Exercises can be handed out: solutions hidden, student notebooks runnable, checks explain.

Reads what `make assignments` wrote into _build/assignments/ (`make test` builds it first).
"""

import json

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import CHAPTERS, ROOT

ASSIGNMENTS = ROOT / "_build" / "assignments"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))


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
    # a line also inside a lesson line (`f(` of a call ruff split, beside the lesson's `f(x)`) gives nothing away
    return {line for line in secret - public if not any(line in other for other in public)}


@pytest.fixture(scope="module")
def assignments():
    if not (ASSIGNMENTS / "html" / "index.html").exists():
        pytest.fail("_build/assignments is missing: run `make assignments` (`make test` does)", pytrace=False)
    return ASSIGNMENTS


@pytest.mark.static
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_three_to_six_exercises_each_with_a_solution_dropdown(path):
    import exercises

    try:  # the convention: each exercise, then its solution in a collapsed dropdown (tools/exercises.py)
        found = exercises.exercises(nbformat.read(path, as_version=4), path.name)
    except exercises.ConventionError as error:
        pytest.fail(str(error), pytrace=False)
    assert 3 <= len(found) <= 6, f"{path.name} has {len(found)} exercises; the course promises 3 to 6"


@pytest.mark.static
@pytest.mark.parametrize(
    "question_closed, solution, message",
    [
        (False, "```{solution-start} LABEL\n:class: dropdown\n```", "after its exercise-end"),
        (True, "```{solution-start} LABEL\n```", "must be a `:class: dropdown`"),
    ],
)
def test_a_misplaced_or_open_solution_is_refused(question_closed, solution, message):
    import exercises

    notebook = nbformat.read(NOTEBOOKS[0], as_version=4)
    first = exercises.exercises(notebook)[0]
    if not question_closed:
        notebook.cells[first.question].source = notebook.cells[first.question].source.replace("```{exercise-end}", "")
    notebook.cells[first.question + 1].source = solution.replace("LABEL", first.label)
    with pytest.raises(exercises.ConventionError, match=message):
        exercises.exercises(notebook, NOTEBOOKS[0].name)


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


def test_the_student_site_leaves_out_the_instructors_guide(assignments):
    pages = sorted(p.relative_to(assignments / "html").as_posix() for p in (assignments / "html").rglob("*.html"))
    guide = [page for page in pages if page.startswith("instructors/")]
    assert not guide, f"the student site has the instructors' guide: {guide}"
    assert "chapters/01_cross_correlation.html" in pages, f"the student site has no chapter 1: {pages[:10]}"
