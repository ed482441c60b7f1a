"""Release every chapter as an nbgrader assignment, and write the student edition of the course.

Usage: python tools/make_assignments.py [COURSE]   (`make assignments`, COURSE defaults to _build/course)

- COURSE is an nbgrader course directory. If it has no nbgrader_config.py, one is written (course
  id, a local exchange, a per-cell time limit). Each chapter is copied to source/NN_name/ and
  released with nbgrader's own command line, `nbgrader generate_assignment NN_name`, into
  release/NN_name/NN_name.ipynb: solutions replaced by nbgrader's stubs, outputs cleared, checks
  kept. An existing course keeps its config, gradebook and submissions.
- _build/assignments/student/NN_name.ipynb: those released notebooks, to hand out.
- _build/assignments/html/: the site built from the released notebooks, with every solution
  dropdown removed and the lesson cells' outputs (which nbgrader clears) put back from the
  checked chapter; exercise cells stay without outputs. sphinx-exercise's `hide_solutions`
  guards against any solution left over (it crashes on gated solutions, so it cannot do it alone).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

import exercises

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "assignments"
COURSE_ID = "convolutions-for-images"
CHAPTER_PATTERN = "[0-9][0-9]_*"  # the assignments make_assignments (re)releases: NN_name, as the chapters
CONFIG = f'''# nbgrader configuration of this course (written by `make assignments`; yours to edit).
import os

c = get_config()
c.CourseDirectory.course_id = "{COURSE_ID}"
# Where release_assignment, fetch_assignment, submit and collect meet. On a JupyterHub, point
# this at the shared exchange every user can reach (nbgrader's default: /srv/nbgrader/exchange).
c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange")
# Seconds a cell may run when autograding: a student's endless loop stops here, and the
# submission is graded as far as it got. No cell of a chapter needs a minute.
c.ExecutePreprocessor.timeout = 300
'''


def run_nbgrader(course, *arguments, cwd=None, timeout=None):
    """nbgrader's command line, from this Python's environment, run in `cwd` (else `course`): the finished process.

    The grading tests (tests/test_grading.py) run the instructor's commands through it too.
    """
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs alembic from there on a new gradebook
    environment = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run(
        [os.path.join(bin_dir, "nbgrader"), *arguments],
        cwd=cwd or course,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def nbgrader(course, *arguments):
    """Run nbgrader's command line in `course`; stop with its own message if it fails."""
    result = run_nbgrader(course, *arguments)
    if result.returncode:
        sys.exit(f"error: `nbgrader {' '.join(arguments)}` failed in {course}:\n{result.stdout}{result.stderr}")


def release(course, chapters):
    """Lay out `course` (config, source/) and release every chapter with generate_assignment."""
    course.mkdir(parents=True, exist_ok=True)
    (course / "exchange").mkdir(exist_ok=True)
    if not (course / "nbgrader_config.py").exists():
        (course / "nbgrader_config.py").write_text(CONFIG)
    for path in chapters:
        source = course / "source" / path.stem
        source.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, source / path.name)
    nbgrader(course, "generate_assignment", CHAPTER_PATTERN, "--force")  # one call for all: 3 times faster


def with_lesson_outputs(released, chapter):
    """The released notebook with its lesson cells' outputs taken from the chapter (matched by cell id)."""
    outputs = {cell.id: cell for cell in chapter.cells if cell.cell_type == "code"}
    for cell in released.cells:
        if cell.cell_type == "code" and "nbgrader" not in cell.metadata:
            cell.outputs = outputs[cell.id].outputs
            cell.execution_count = outputs[cell.id].execution_count
    return released


def build_student_site(book):
    """Build the site from the notebooks in `book`, with solutions hidden, into OUT/html."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] += " (student edition)"
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    (book / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())  # students get the chapters, not the instructors' guide
    toc["parts"] = [part for part in toc["parts"] if not part["chapters"][0]["file"].startswith("instructors/")]
    (book / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    for name in ("intro.md", "execution.md", "_ext", "_static", "_templates"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, book / name)
    (book / "tools").mkdir(exist_ok=True)  # _ext/site_address.py reads the site's address from tools/book.py
    shutil.copy(ROOT / "tools" / "book.py", book / "tools" / "book.py")
    subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", "-W", "-n", "--keep-going", "--quiet", str(book)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(OUT / "html", ignore_errors=True)
    shutil.move(book / "_build" / "html", OUT / "html")


def main(course):
    chapters = sorted((ROOT / "chapters").glob("*.ipynb"))
    release(course, chapters)
    shutil.rmtree(OUT, ignore_errors=True)
    book = OUT / "book"
    (book / "chapters").mkdir(parents=True)
    (OUT / "student").mkdir()
    for path in chapters:
        released = course / "release" / path.stem / path.name
        shutil.copy(released, OUT / "student" / path.name)
        notebook = with_lesson_outputs(nbformat.read(released, as_version=4), nbformat.read(path, as_version=4))
        nbformat.write(exercises.without_solution_dropdowns(notebook), book / "chapters" / path.name)
    build_student_site(book)
    shutil.rmtree(book)
    print(
        f"nbgrader course: {course} (source/ and release/ for every chapter)\n"
        f"student notebooks: {OUT / 'student'}\nstudent site: {OUT / 'html' / 'index.html'}"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "_build" / "course").resolve())
