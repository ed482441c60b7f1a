"""The course's exercise convention, in one place: used by refresh.py, make_assignments.py and the tests.

A chapter's exercise is a run of cells:

    ```{exercise-start}          the question (sphinx-exercise), with a `:label:`
    ```{solution-start} LABEL    a dropdown holding the worked solution:
       one markdown cell           the written answer (manually graded in nbgrader)
       code cells                  the code answer; `### BEGIN/END SOLUTION` marks what a student writes
    ```{solution-end}
    check_NAME(NAME)             optional: the check cell, autograded in nbgrader

`mark_for_nbgrader` turns that into nbgrader metadata, so every chapter is an nbgrader source
notebook: the written answer is a manually graded answer cell worth MANUAL_POINTS, each code
cell of the solution is an answer cell, and the check cell is a locked, autograded test cell
worth CHECK_POINTS. nbgrader's `generate_assignment` then replaces the written answer with
"YOUR ANSWER HERE" and the code with "# YOUR CODE HERE" stubs.
"""

import re
from dataclasses import dataclass, field

import nbformat

MANUAL_POINTS = 1
CHECK_POINTS = 1
SOLUTION_DIRECTIVE = re.compile(r"(```\{solution-start\}[^\n]*\n(?::[^\n]*\n)*```|```\{solution-end\}\n```)")


class ConventionError(ValueError):
    """A chapter's exercises do not follow the convention above."""


def directive(cell, name):
    """Whether `cell` is the markdown cell of the MyST directive `name` (e.g. "solution-start")."""
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith(f"```{{{name}}}")


@dataclass
class Exercise:
    label: str
    question: int  # index of the exercise-start cell
    solution: list = field(default_factory=list)  # indices of the cells inside the solution dropdown
    check: int | None = None  # index of the check cell, if the exercise has one

    def answer_cells(self, cells):
        return [i for i in self.solution if cells[i].cell_type == "markdown"]

    def code_cells(self, cells):
        return [i for i in self.solution if cells[i].cell_type == "code"]


def exercises(notebook, name="the notebook"):
    """The exercises of `notebook`, in order; ConventionError (naming the exercise) if one is malformed."""
    found, current, inside, question_open, solved = [], None, False, False, set()
    for index, cell in enumerate(notebook.cells):
        if directive(cell, "exercise-start"):
            label = re.search(r":label:\s*(\S+)", cell.source)
            if not label:
                raise ConventionError(f"{name}, cell {index}: an exercise-start directive needs a `:label:`")
            if current is not None and current.label not in solved:
                raise ConventionError(
                    f"{name}, exercise {current.label}: it needs its solution before the next exercise"
                )
            current = Exercise(label.group(1), index)
            question_open = "```{exercise-end}" not in cell.source  # the question's cell may close it
            found.append(current)
        elif directive(cell, "exercise-end"):
            question_open = False
        elif directive(cell, "solution-start"):
            if current is None or current.label not in cell.source or question_open:
                raise ConventionError(
                    f"{name}, cell {index}: a solution must follow its exercise (after its "
                    "exercise-end) and name its label"
                )
            if ":class: dropdown" not in cell.source:
                raise ConventionError(f"{name}, exercise {current.label}: its solution must be a `:class: dropdown`")
            inside = True
            solved.add(current.label)
        elif directive(cell, "solution-end"):
            inside = False
            following = notebook.cells[index + 1] if index + 1 < len(notebook.cells) else None
            if following is not None and following.cell_type == "code" and following.source.startswith("check_"):
                current.check = index + 1
        elif inside:
            current.solution.append(index)
    if current is not None and current.label not in solved:
        raise ConventionError(f"{name}, exercise {current.label}: it has no solution")
    for exercise in found:
        if len(exercise.answer_cells(notebook.cells)) != 1:
            raise ConventionError(
                f"{name}, exercise {exercise.label}: its solution needs exactly one markdown cell (the written "
                f"answer, which nbgrader grades by hand), found {len(exercise.answer_cells(notebook.cells))}; "
                "merge its prose into one cell"
            )
    return found


def split_solution_directives(notebook):
    """Give each solution-start / solution-end directive a markdown cell of its own.

    Then the text of a solution is in cells of its own too, which nbgrader can mark and strip.
    """
    cells = []
    for cell in notebook.cells:
        pieces = [p.strip("\n") for p in SOLUTION_DIRECTIVE.split(cell.source)] if cell.cell_type == "markdown" else []
        pieces = [p for p in pieces if p.strip()]
        if len(pieces) <= 1:
            cells.append(cell)
            continue
        cell.source = pieces[0]
        cells.append(cell)
        cells.extend(nbformat.v4.new_markdown_cell(piece) for piece in pieces[1:])
    notebook.cells = cells


def nbgrader_metadata(grade_id, *, grade=False, solution=False, locked=False, points=None):
    metadata = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        metadata["points"] = points
    return metadata


def mark_for_nbgrader(notebook, name="the notebook"):
    """Write the nbgrader metadata of every exercise cell (and remove it from all other cells)."""
    for cell in notebook.cells:
        cell.metadata.pop("nbgrader", None)
    cells = notebook.cells
    for exercise in exercises(notebook, name):
        for index in exercise.answer_cells(cells):
            cells[index].metadata["nbgrader"] = nbgrader_metadata(
                f"{exercise.label}-answer", grade=True, solution=True, points=MANUAL_POINTS
            )
        for part, index in enumerate(exercise.code_cells(cells), 1):
            cells[index].metadata["nbgrader"] = nbgrader_metadata(f"{exercise.label}-code-{part}", solution=True)
        if exercise.check is not None:
            cells[exercise.check].metadata["nbgrader"] = nbgrader_metadata(
                f"{exercise.label}-check", grade=True, locked=True, points=CHECK_POINTS
            )


def without_solution_dropdowns(notebook):
    """A copy of `notebook` without the cells from each solution-start to its solution-end."""
    kept, inside = [], False
    for cell in notebook.cells:
        inside = inside or directive(cell, "solution-start")
        if not inside:
            kept.append(cell)
        inside = inside and not directive(cell, "solution-end")
    return nbformat.from_dict({**notebook, "cells": kept})


def points(notebook):
    """(autograded, manual) points of a notebook marked by `mark_for_nbgrader`."""
    graded = [c.metadata["nbgrader"] for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    manual = sum(m["points"] for m in graded if m["solution"])
    return sum(m["points"] for m in graded) - manual, manual
