"""Instructors grade every chapter with nbgrader's own command line, exactly as the instructors' guide
(instructors/grading.md, a page of the site) says.

Two copies of the course that `make assignments` laid out (_build/course), one for the odd and
one for the even chapters (one per pytest-xdist worker), go through the guide's instructor
commands, read from the guide's page itself: release and collect for chapter 1, where one student
fetches the assignment through nbgrader's exchange, works on it and submits it; then autograde,
generate_feedback and export with the guide's chapter replaced by a glob of the half's chapters
(nbgrader takes globs there; the other submissions are put in submitted/, as from a learning
platform). For every chapter two students hand in, each having solved every other exercise
(1, 3, 5 or 2, 4, 6) and left the rest as handed out, so every exercise is graded both solved
and untouched with one autograde run per student; one of them also edits the check cell of an
exercise they did not solve so that it passes, which nbgrader's checksums undo. Chapter 6 also
gets the bad submissions an instructor meets: a deleted check cell, a renamed function and an
endless loop in one notebook, and a notebook that no longer parses.
"""

import copy
import csv
import fnmatch
import json
import re
import shutil
import time

import nbformat
import pytest

import exercises
from exercises import CHECK_POINTS
from make_assignments import run_nbgrader  # tools/: nbgrader's command line, as make assignments runs it
from conftest import CHAPTERS, ROOT

COURSE = ROOT / "_build" / "course"
REPORTS = ROOT / "_build" / "reports" / "grading"
CHAPTER_STEMS = [path.stem for path in sorted(CHAPTERS.glob("*.ipynb"))]
GUIDE_EXAMPLE = "01_cross_correlation"  # the assignment the guide's commands name
CARELESS_EXAMPLE = "06_pooling"  # a quick chapter with four checks or more, for the bad submissions
SOLVERS = {"solves-odd": 0, "solves-even": 1}  # exercises 1, 3, 5 or 2, 4, 6 (from position 0 or 1)
EXCHANGE_STUDENT = "solves-odd"  # in chapter 1, this student fetches and submits through the exchange
STEPS = ["release_assignment", "collect", "autograde", "generate_feedback", "export"]
EXCHANGE_STEPS = ["release_assignment", "collect"]  # one assignment at a time: no globs; the others take them
HALVES = {"odd": "[0-9][13579]_*", "even": "[0-9][02468]_*"}  # chapters NN_name by their last digit


def stems_of(pattern):
    return [stem for stem in CHAPTER_STEMS if fnmatch.fnmatch(stem, pattern)]


GUIDE = ROOT / "instructors" / "grading.md"  # the instructors' guide's page on grading, on the site


def readme_commands():
    """The `nbgrader ...` lines of the instructors' guide's command block, in order."""
    guide = GUIDE.read_text()
    blocks = [b for b in re.findall(r"```bash\n(.*?)```", guide, re.S) if "nbgrader release_assignment" in b]
    assert len(blocks) == 1, f"{GUIDE.name} needs one ```bash block with the instructor's nbgrader commands"
    return [line.split("#")[0].strip() for line in blocks[0].splitlines() if line.startswith("nbgrader ")]


@pytest.mark.static
def test_readme_lists_every_step_of_the_instructor_flow():
    subcommands = [command.split()[1] for command in readme_commands()]
    assert subcommands == STEPS, f"the guide's instructor commands are {subcommands}, expected {STEPS}"


@pytest.mark.static
def test_readme_gives_each_chapters_points():
    guide = GUIDE.read_text()
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        autograded, manual = exercises.points(nbformat.read(path, as_version=4))
        row = f"| {path.stem} | {autograded} | {manual} | {autograded + manual} |"
        assert row in guide, f"the points table of {GUIDE.name} should have the row {row}"


def nbgrader(course, *arguments, check=True, cwd=None):
    result = run_nbgrader(course, *arguments, cwd=cwd, timeout=1800)
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


def split(found):
    """Which exercises each of the two students solves: every other one, so each exercise is graded
    both solved and as handed out, in one autograde run per student."""
    return {student: {e.label for e in found[first::2]} for student, first in SOLVERS.items()}


def submissions(stem, released, source):
    """Each student's submission: a notebook, or the raw text of a broken one."""
    found = exercises.exercises(source, stem)
    solves = split(found)
    students = {student: solved(released, source, labels) for student, labels in solves.items()}
    checked = [e for e in found if e.check is not None]
    edited = checked[0]  # a check cell edited to pass by a student who did not solve it
    editor = next(student for student, labels in solves.items() if edited.label not in labels)
    students[editor].cells[edited.check].source = f'print("✓ {edited.label} is right")'
    if stem == CARELESS_EXAMPLE:  # all an instructor meets at once: what is graded still counts
        first, second, loop = checked[:3]
        careless = solved(released, source, [e.label for e in found])
        for index in second.code_cells(source.cells):
            careless.cells[index].source = re.sub(r"def (\w+)\(", r"def \1_renamed(", careless.cells[index].source)
        careless.cells[loop.code_cells(source.cells)[0]].source = "while True:\n    pass"
        careless.cells.pop(first.check)
        students.update({"careless": careless, "unparseable": nbformat.writes(released)[:-500]})
    return students


def check_points(source, labels=None):
    return sum(
        c.metadata["nbgrader"]["points"]
        for c in source.cells
        if grade_id(c)
        and grade_id(c).endswith("-check")
        and (labels is None or grade_id(c).removesuffix("-check") in labels)
    )


def grade(half, tmp_path_factory):
    """A copy of the course, taken through the guide's commands for the chapters of one half."""
    pattern, stems = HALVES[half], stems_of(HALVES[half])
    if not all((COURSE / "release" / stem).exists() for stem in stems):
        pytest.fail("_build/course is missing: run `make assignments` (`make test` does)", pytrace=False)
    course = tmp_path_factory.mktemp(half) / "course"
    shutil.copytree(COURSE, course, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback", "exchange"))
    (course / "exchange").mkdir()
    if CARELESS_EXAMPLE in stems:  # the endless loop: stop it sooner than the course's 300 s
        with (course / "nbgrader_config.py").open("a") as config:
            config.write("c.ExecutePreprocessor.timeout = 30\n")  # 10 times the longest cell
    sources, handed_in, through_exchange = {}, 0, None
    for stem in stems:
        released = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
        sources[stem] = nbformat.read(course / "source" / stem / f"{stem}.ipynb", as_version=4)
        for student, notebook in submissions(stem, released, sources[stem]).items():
            if stem == GUIDE_EXAMPLE and student == EXCHANGE_STUDENT:
                through_exchange = notebook  # handed in with fetch_assignment and submit, below
                continue
            folder = course / "submitted" / student / stem
            folder.mkdir(parents=True)
            text = notebook if isinstance(notebook, str) else nbformat.writes(notebook)
            (folder / f"{stem}.ipynb").write_text(text)
            handed_in += 1
    results, seconds = {}, {}
    for command in readme_commands():
        arguments = command.replace(GUIDE_EXAMPLE, pattern).split()[1:]
        if arguments[0] in EXCHANGE_STEPS:  # one student's chapter 1 goes through the exchange
            if GUIDE_EXAMPLE not in stems:
                continue
            arguments = command.split()[1:]
        if arguments[0] == "collect":  # before it, the student fetches, works and submits
            home = course.parent / "student-home"
            home.mkdir()
            student_side = ["--course", course_id(course), f"--Exchange.root={course / 'exchange'}"]
            nbgrader(course, "fetch_assignment", GUIDE_EXAMPLE, *student_side, cwd=home)
            (fetched,) = home.rglob(f"{GUIDE_EXAMPLE}.ipynb")
            fetched.write_text(nbformat.writes(through_exchange))
            nbgrader(course, "submit", GUIDE_EXAMPLE, *student_side, cwd=home)
            handed_in += 1
        start = time.perf_counter()
        broken_file = arguments[0] == "autograde" and CARELESS_EXAMPLE in stems  # exits 1 for "unparseable"
        results[arguments[0]] = nbgrader(course, *arguments, check=not broken_file)
        seconds[arguments[0]] = round(time.perf_counter() - start, 1)
    REPORTS.mkdir(parents=True, exist_ok=True)  # what autograding costs, for an instructor to size a course
    (REPORTS / f"{half}.json").write_text(
        json.dumps(
            {
                "chapters": stems,
                "submissions": handed_in,
                "seconds": seconds,
                "autograde_seconds_per_submission": round(seconds["autograde"] / handed_in, 1),
            },
            indent=1,
        )
    )
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
        notebook = gradebook.find_submission_notebook(stem, stem, student_id(stem, student))
        return {grade.name: grade.needs_manual_grade for grade in notebook.grades}


def student_id(stem, student):
    """The id nbgrader files a student's submission under (the exchange uses the operating system's user)."""
    return get_username() if stem == GUIDE_EXAMPLE and student == EXCHANGE_STUDENT else student


def grade_scores(graded, stem, student):
    """{grade cell: (score, points)} for one student's submission, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(stem, stem, student_id(stem, student))
        return {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}


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

    def test_autograde_gives_each_check_its_points_only_when_solved(self, graded, stem):
        source = graded["sources"][stem]
        autograded, manual = exercises.points(source)
        assert autograded == check_points(source) > 0
        rows = {student: row for (name, student), row in graded["grades"].items() if name == stem}
        assert {float(row["max_score"]) for row in rows.values()} == {autograded + manual}
        for student, labels in split(exercises.exercises(source)).items():
            scores = grade_scores(graded, stem, student)
            checks = {name.removesuffix("-check"): score for name, score in scores.items() if name.endswith("-check")}
            wrong = {
                label: score
                for label, score in checks.items()
                if score != ((CHECK_POINTS, CHECK_POINTS) if label in labels else (0, CHECK_POINTS))
            }
            assert not wrong, f"{student} solved {sorted(labels)}: these checks scored (score, points) {wrong}"
            assert float(rows[student_id(stem, student)]["score"]) == check_points(source, labels)

    def test_written_answers_wait_for_a_person_only_when_written(self, graded, stem):
        """A written answer is flagged for manual grading; one left as handed out scores 0 without a person."""
        for student, labels in split(exercises.exercises(graded["sources"][stem])).items():
            flags = manual_flags(graded, stem, student)
            answers = {name.removesuffix("-answer"): flag for name, flag in flags.items() if name.endswith("-answer")}
            assert answers and answers == {label: label in labels for label in answers}, (
                f"{student} wrote the answers of {sorted(labels)}, but nbgrader flags {answers}"
            )
            checks = [name for name, flag in flags.items() if flag and not name.endswith("-answer")]
            assert not checks, f"{student}: checks {checks} were left to a person"

    def test_feedback_shows_each_failed_check_as_one_line(self, graded, stem):
        course, found = graded["course"], exercises.exercises(graded["sources"][stem])
        for student, labels in split(found).items():
            path = course / "feedback" / student_id(stem, student) / stem / f"{stem}.html"
            assert path.exists(), f"no feedback for {student}"
            feedback = path.read_text()
            failures = re.findall(r"✗ \w+ still raises NotImplementedError", feedback)
            unsolved = sum(1 for e in found if e.check is not None and e.label not in labels)
            assert len(failures) == unsolved, (
                f"{student}'s feedback shows {len(failures)} failed checks, expected {unsolved}"
            )
            assert not re.search(r"ExerciseCheckFailed\s+Traceback", re.sub(r"<[^>]+>", "", feedback)), (
                "a failed check must show its message, not a traceback"
            )

    def test_student_notebooks_run_their_lessons_cleanly(self, graded, stem):
        """The notebook as handed out, half its exercises done: lessons run, each unsolved check explains itself."""
        found = exercises.exercises(graded["sources"][stem])
        for student, labels in split(found).items():
            path = graded["course"] / "autograded" / student_id(stem, student) / stem / f"{stem}.ipynb"
            notebook = nbformat.read(path, 4)
            for number, cell in enumerate(notebook.cells):
                errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
                metadata = cell.metadata.get("nbgrader", {})
                if cell.cell_type == "code" and metadata.get("grade"):
                    if metadata["grade_id"].removesuffix("-check") in labels:
                        assert not errors, f"{student}, {stem} cell {number}: a solved check failed: {errors}"
                        continue
                    assert [e.ename for e in errors] == ["ExerciseCheckFailed"], (
                        f"{student}, {stem} cell {number}: the check should fail with its own message, got {errors}"
                    )
                    assert errors[0].traceback == [f"✗ {errors[0].evalue}"], (
                        "a check shows its message, not a traceback"
                    )
                elif not metadata.get("solution"):
                    assert not errors, f"{student}, {stem} cell {number} fails: {errors[0].evalue}"


class TestOddChapters(HalfOfTheCourse):
    half = "odd"


class TestEvenChapters(HalfOfTheCourse):
    half = "even"

    def test_bad_submissions_lose_no_grade(self, graded):
        """One careless student: a check cell deleted, a function renamed, an endless loop; one unreadable file."""
        stem = CARELESS_EXAMPLE
        source, autograde = graded["sources"][stem], graded["results"]["autograde"]
        first, second, loop, *rest = [e for e in exercises.exercises(source) if e.check is not None]
        assert rest, f"{stem} needs a fourth check, which the careless student gets right"
        assert float(graded["grades"][stem, "careless"]["score"]) == check_points(source, [e.label for e in rest]), (
            "the careless student's other checks must still count"
        )
        assert manual_flags(graded, stem, "careless")[f"{first.label}-check"], (
            "a deleted check cell must be left to the instructor, flagged for manual grading"
        )
        assert "Timeout waiting for execute reply" in autograde.stderr
        assert autograde.returncode != 0 and "for student 'unparseable'" in autograde.stderr, (
            "autograde must name the submission it could not read"
        )
        assert "Attribute 'checksum' for cell" in autograde.stderr, "nbgrader must notice the edited check cell"
