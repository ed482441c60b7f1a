"""Instructors grade every chapter with nbgrader's own command line, exactly as the README says.

Two copies of the course that `make assignments` laid out (_build/course), one for the odd and
one for the even chapters (one per pytest-xdist worker), go through the README's instructor
commands, read from the README itself: release and collect for chapter 1, whose untouched
submission goes through nbgrader's exchange (fetch_assignment, submit); then autograde,
generate_feedback and export with the README's chapter replaced by a glob of the half's chapters
(nbgrader takes globs there; the other submissions are put in submitted/, as from a learning
platform). For every chapter three students hand in: one hands the release back untouched, one
solves every exercise, one solves a single exercise (and edits another exercise's check cell to pass, which nbgrader's checksums undo).
Chapter 6 also gets the bad submissions an instructor meets: a deleted check cell, a renamed
function and an endless loop in one notebook, and a notebook that no longer parses.

The untouched submission is the run of the student notebook as handed out: its lessons must run
without error and every check must fail with its one-line message, also in the feedback.
"""

import copy
import csv
import fnmatch
import json
import os
import re
import shutil
import subprocess
import time

import nbformat
import pytest

import exercises
from conftest import CHAPTERS, ROOT

COURSE = ROOT / "_build" / "course"
REPORTS = ROOT / "_build" / "reports" / "grading"
CHAPTER_STEMS = [path.stem for path in sorted(CHAPTERS.glob("*.ipynb"))]
README_EXAMPLE = "01_cross_correlation"  # the assignment the README's commands name
CARELESS_EXAMPLE = "06_pooling"  # a quick chapter with three checks, for the bad submissions
AS_RELEASED = "as-released"  # the student who hands the notebook back untouched (outside the exchange)
STEPS = ["release_assignment", "collect", "autograde", "generate_feedback", "export"]
EXCHANGE_STEPS = ["release_assignment", "collect"]  # one assignment at a time: no globs; the others take them
HALVES = {"odd": "[0-9][13579]_*", "even": "[0-9][02468]_*"}  # chapters NN_name by their last digit


def stems_of(pattern):
    return [stem for stem in CHAPTER_STEMS if fnmatch.fnmatch(stem, pattern)]


def readme_commands():
    """The `nbgrader ...` lines of the README's instructor block, in order."""
    readme = (ROOT / "README.md").read_text()
    blocks = [b for b in re.findall(r"```bash\n(.*?)```", readme, re.S) if "nbgrader release_assignment" in b]
    assert len(blocks) == 1, "the README needs one ```bash block with the instructor's nbgrader commands"
    return [line.split("#")[0].strip() for line in blocks[0].splitlines() if line.startswith("nbgrader ")]


@pytest.mark.static
def test_readme_lists_every_step_of_the_instructor_flow():
    subcommands = [command.split()[1] for command in readme_commands()]
    assert subcommands == STEPS, f"the README's instructor commands are {subcommands}, expected {STEPS}"


@pytest.mark.static
def test_readme_gives_each_chapters_points():
    readme = (ROOT / "README.md").read_text()
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        autograded, manual = exercises.points(nbformat.read(path, as_version=4))
        row = f"| {path.stem} | {autograded} | {manual} | {autograded + manual} |"
        assert row in readme, f"the README's points table should have the row {row}"


def nbgrader(course, *arguments, check=True, cwd=None):
    environment = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["nbgrader", *arguments], cwd=cwd or course, env=environment,
                            capture_output=True, text=True, timeout=1800)
    if check:
        assert result.returncode == 0, f"nbgrader {' '.join(arguments)} failed:\n{result.stderr[-3000:]}"
    return result


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def solved(released, source, exercise_labels):
    """The released notebook with the answers of `exercise_labels` copied in from the source."""
    answers = {grade_id(c): c.source for c in source.cells if grade_id(c)}
    notebook = copy.deepcopy(released)
    for cell in notebook.cells:
        label = (grade_id(cell) or "").rsplit("-answer", 1)[0].rsplit("-code-", 1)[0]
        if cell.metadata.get("nbgrader", {}).get("solution") and label in exercise_labels:
            cell.source = answers[grade_id(cell)]
    return notebook


def submissions(stem, released, source):
    """Each student's submission: a notebook, or the raw text of a broken one."""
    found = exercises.exercises(source, stem)
    labels = [e.label for e in found]
    checked = [e for e in found if e.check is not None]
    one = solved(released, source, [checked[0].label])
    edited = one.cells[checked[1].check]
    edited.source = f'print("✓ {checked[1].label} is right")'  # a check a student made to pass
    students = {"solved": solved(released, source, labels), "one-exercise": one}
    if stem != README_EXAMPLE:  # there, this student fetches and submits through the exchange
        students[AS_RELEASED] = released
    if stem == CARELESS_EXAMPLE:  # all an instructor meets at once: what is graded still counts
        first, second = checked[0], checked[1]
        careless = solved(released, source, labels)
        for index in second.code_cells(source.cells):
            careless.cells[index].source = re.sub(r"def (\w+)\(", r"def \1_renamed(", careless.cells[index].source)
        loop = next(e for e in found if e.check is None and e.code_cells(source.cells))
        careless.cells[loop.code_cells(source.cells)[0]].source = "while True:\n    pass"
        careless.cells.pop(first.check)
        students.update({"careless": careless, "unparseable": nbformat.writes(released)[:-500]})
    return students


def check_points(source, labels=None):
    return sum(c.metadata["nbgrader"]["points"] for c in source.cells
               if grade_id(c) and grade_id(c).endswith("-check")
               and (labels is None or grade_id(c).removesuffix("-check") in labels))


def grade(half, tmp_path_factory):
    """A copy of the course, taken through the README's commands for the chapters of one half."""
    pattern, stems = HALVES[half], stems_of(HALVES[half])
    if not all((COURSE / "release" / stem).exists() for stem in stems):
        pytest.fail("_build/course is missing: run `make assignments` (`make test` does)", pytrace=False)
    course = tmp_path_factory.mktemp(half) / "course"
    shutil.copytree(COURSE, course, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback", "exchange"))
    (course / "exchange").mkdir()
    if CARELESS_EXAMPLE in stems:  # the endless loop: stop it sooner than the course's 300 s
        with (course / "nbgrader_config.py").open("a") as config:
            config.write("c.ExecutePreprocessor.timeout = 30\n")  # 10 times the longest cell
    sources, handed_in = {}, 0
    for stem in stems:
        released = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
        sources[stem] = nbformat.read(course / "source" / stem / f"{stem}.ipynb", as_version=4)
        for student, notebook in submissions(stem, released, sources[stem]).items():
            folder = course / "submitted" / student / stem
            folder.mkdir(parents=True)
            text = notebook if isinstance(notebook, str) else nbformat.writes(notebook)
            (folder / f"{stem}.ipynb").write_text(text)
            handed_in += 1
    results, seconds = {}, {}
    for command in readme_commands():
        arguments = command.replace(README_EXAMPLE, pattern).split()[1:]
        if arguments[0] in EXCHANGE_STEPS:  # chapter 1's blank submission goes through the exchange
            if README_EXAMPLE not in stems:
                continue
            arguments = command.split()[1:]
        if arguments[0] == "collect":  # before it, the student fetches and submits
            home = course.parent / "student-home"
            home.mkdir()
            student_side = ["--course", course_id(course), f"--Exchange.root={course / 'exchange'}"]
            nbgrader(course, "fetch_assignment", README_EXAMPLE, *student_side, cwd=home)
            nbgrader(course, "submit", README_EXAMPLE, *student_side, cwd=home)
            handed_in += 1
        start = time.perf_counter()
        broken_file = arguments[0] == "autograde" and CARELESS_EXAMPLE in stems  # exits 1 for "unparseable"
        results[arguments[0]] = nbgrader(course, *arguments, check=not broken_file)
        seconds[arguments[0]] = round(time.perf_counter() - start, 1)
    REPORTS.mkdir(parents=True, exist_ok=True)  # what autograding costs, for an instructor to size a course
    (REPORTS / f"{half}.json").write_text(json.dumps(
        {"chapters": stems, "submissions": handed_in, "seconds": seconds,
         "autograde_seconds_per_submission": round(seconds["autograde"] / handed_in, 1)}, indent=1))
    with (course / "grades.csv").open() as table:
        grades = {(row["assignment"], row["student_id"]): row for row in csv.DictReader(table)}
    return {"course": course, "sources": sources, "grades": grades, "results": results}


def course_id(course):
    return re.search(r'course_id = "([^"]+)"', (course / "nbgrader_config.py").read_text()).group(1)


def get_username():
    """Who nbgrader's exchange says submitted from this machine (the operating system's user)."""
    from nbgrader.utils import get_username as nbgrader_username

    return nbgrader_username()


def manual_flags(graded, stem, student):
    """{grade cell: needs manual grade} for one student's submission, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(stem, stem, student)
        return {grade.name: grade.needs_manual_grade for grade in notebook.grades}


def blank(stem):
    """The student who handed `stem` back as released."""
    return get_username() if stem == README_EXAMPLE else AS_RELEASED


def pytest_generate_tests(metafunc):
    """A half's tests run once per chapter of that half."""
    if "stem" in metafunc.fixturenames:
        metafunc.parametrize("stem", stems_of(HALVES[metafunc.cls.half]))


@pytest.fixture(scope="class")
def graded(request, tmp_path_factory):
    return grade(request.cls.half, tmp_path_factory)


class HalfOfTheCourse:
    """One half's chapters graded in one course: under `--dist loadscope` a class runs on one worker."""

    half = None

    def test_autograde_scores_blank_solved_and_single_exercise(self, graded, stem):
        source = graded["sources"][stem]
        scores = {student: float(row["score"]) for (name, student), row in graded["grades"].items() if name == stem}
        max_scores = {float(row["max_score"]) for (name, _), row in graded["grades"].items() if name == stem}
        autograded, manual = exercises.points(source)
        assert autograded == check_points(source) > 0
        assert max_scores == {autograded + manual}
        first = next(e for e in exercises.exercises(source) if e.check is not None)
        assert scores[blank(stem)] == 0, "the notebook as handed out must score 0"
        assert scores["solved"] == autograded, "every exercise solved must score every autograded point"
        assert scores["one-exercise"] == check_points(source, [first.label]), \
            "one exercise solved (and another's check cell edited to pass) must score that exercise's points"

    def test_written_answers_wait_for_a_person(self, graded, stem):
        """Solved written answers are flagged for manual grading; untouched ones score 0 without a person."""
        solved_flags, blank_flags = manual_flags(graded, stem, "solved"), manual_flags(graded, stem, blank(stem))
        answers = [name for name in solved_flags if name.endswith("-answer")]
        assert answers and all(solved_flags[name] for name in answers)
        assert not any(blank_flags.values()), "an untouched notebook should need no manual grading"

    def test_feedback_shows_each_failed_check_as_one_line(self, graded, stem):
        course = graded["course"]
        students = [path.parent.name for path in (course / "submitted").glob(f"*/{stem}")]
        assert len(students) >= 3
        for student in set(students) - {"unparseable"}:
            assert (course / "feedback" / student / stem / f"{stem}.html").exists(), f"no feedback for {student}"
        feedback = (course / "feedback" / blank(stem) / stem / f"{stem}.html").read_text()
        failures = re.findall(r"✗ \w+ still raises NotImplementedError", feedback)
        checks = sum(1 for e in exercises.exercises(graded["sources"][stem]) if e.check is not None)
        assert len(failures) == checks, f"the feedback shows {len(failures)} one-line check messages, expected {checks}"
        text = re.sub(r"<[^>]+>", "", feedback)
        assert not re.search(r"ExerciseCheckFailed\s+Traceback", text), "a failed check must show its message, not a traceback"

    def test_blank_submission_runs_its_lessons_cleanly(self, graded, stem):
        """The student notebook as handed out: lessons run without error, every check explains itself."""
        notebook = nbformat.read(graded["course"] / "autograded" / blank(stem) / stem / f"{stem}.ipynb", 4)
        checks = 0
        for number, cell in enumerate(notebook.cells):
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            metadata = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and metadata.get("grade"):
                checks += 1
                assert [e.ename for e in errors] == ["ExerciseCheckFailed"], \
                    f"{stem} cell {number}: the check should fail with its own message, got {errors}"
                assert errors[0].traceback == [f"✗ {errors[0].evalue}"], "a check must show its message, not a traceback"
            elif not metadata.get("solution"):
                assert not errors, f"{stem} cell {number} fails in the student notebook: {errors[0].evalue}"
        assert checks, f"{stem} has no automatic check"


class TestOddChapters(HalfOfTheCourse):
    half = "odd"


class TestEvenChapters(HalfOfTheCourse):
    half = "even"

    def test_bad_submissions_lose_no_grade(self, graded):
        """One careless student: a check cell deleted, a function renamed, an endless loop; one unreadable file."""
        stem = CARELESS_EXAMPLE
        source, autograde = graded["sources"][stem], graded["results"]["autograde"]
        first, second, *rest = [e for e in exercises.exercises(source) if e.check is not None]
        assert rest, f"{stem} needs a third check, which the careless student gets right"
        assert float(graded["grades"][stem, "careless"]["score"]) == check_points(source, [e.label for e in rest]), \
            "the careless student's other checks must still count"
        assert manual_flags(graded, stem, "careless")[f"{first.label}-check"], \
            "a deleted check cell must be left to the instructor, flagged for manual grading"
        assert "Timeout waiting for execute reply" in autograde.stderr
        assert autograde.returncode != 0 and "for student 'unparseable'" in autograde.stderr, \
            "autograde must name the submission it could not read"
        assert "Attribute 'checksum' for cell" in autograde.stderr, "nbgrader must notice the edited check cell"
