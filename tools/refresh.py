"""Re-execute chapters in the current environment and store their outputs.

Usage: python tools/refresh.py chapters/01_cross_correlation.ipynb [...]

Before executing, it redraws the diagrams in figures/ and embeds each one into the
markdown cells that show it (an <img> whose data-source names the SVG), so a chapter
opened alone in Colab still has its figures. After executing, it normalises the notebook
metadata, so a refresh with no content change leaves git clean.
"""

import base64
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
EMBEDDED_FIGURE = re.compile(r'src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]*" data-source="([^"]+)"')


def redraw_figures():
    for script in sorted((ROOT / "figures").glob("*.py")):
        subprocess.run([sys.executable, str(script)], check=True)


def embed_figures(notebook):
    def inline(match):
        svg = (ROOT / match.group(1)).read_bytes()
        return f'src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}" data-source="{match.group(1)}"'

    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = EMBEDDED_FIGURE.sub(inline, cell.source)


SOLUTION_DIRECTIVE = re.compile(r"(```\{solution-start\}[^\n]*\n(?::[^\n]*\n)*```|```\{solution-end\}\n```)")


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


def mark_exercises_for_nbgrader(notebook):
    """Give exercise cells the nbgrader metadata that makes the chapter an nbgrader source notebook.

    Every cell inside a solution dropdown (between the `solution-start` and `solution-end`
    directives) is a solution cell; the code cell right after a dropdown that calls a
    `check_...` function is an autograded test cell worth one point.
    """
    label, in_solution, after_solution, part = None, False, False, 0
    for cell in notebook.cells:
        source = cell.source.lstrip()
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "markdown" and source.startswith("```{exercise-start}"):
            label = re.search(r":label:\s*(\S+)", source).group(1)
        elif cell.cell_type == "markdown" and source.startswith("```{solution-start}"):
            in_solution, part = True, 0
        elif cell.cell_type == "markdown" and source.startswith("```{solution-end}"):
            in_solution, after_solution = False, True
            continue
        elif in_solution:
            part += 1
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": f"{label}-answer-{part}",
                                         "locked": False, "schema_version": 3, "solution": True, "task": False}
        elif after_solution and cell.cell_type == "code" and source.startswith("check_"):
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": f"{label}-check", "locked": True,
                                         "points": 1, "schema_version": 3, "solution": False, "task": False}
        after_solution = False


def normalise(notebook):
    notebook.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
    mark_exercises_for_nbgrader(notebook)


def refresh(path):
    notebook = nbformat.read(path, as_version=4)
    embed_figures(notebook)
    split_solution_directives(notebook)
    client = NotebookClient(notebook, timeout=1200, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        sys.exit(f"error: {path} did not run to the end, so its stored outputs were left as they were.\n{error}")
    notebook, _ = CoalesceStreamsPreprocessor().preprocess(notebook, {})  # one output per stream, however timed
    normalise(notebook)
    nbformat.write(notebook, path)
    print(f"{path}: {len(notebook.cells)} cells executed in {time.perf_counter() - start:.1f} s")


def main(paths):
    if not paths:
        sys.exit("usage: python tools/refresh.py chapters/NN_name.ipynb [...]")
    redraw_figures()
    for name in paths:
        refresh(Path(name))


if __name__ == "__main__":
    main(sys.argv[1:])
