"""Re-execute chapters in the current environment and store their outputs.

Usage: python tools/refresh.py chapters/01_cross_correlation.ipynb [...]

Before executing, it redraws the diagrams in figures/ and embeds each one into the
markdown cells that show it (an <img> whose data-source names the SVG), so a chapter
opened alone in Colab still has its figures; and it writes the code several chapters share
into the cells that carry it: a code cell tagged `shared-NAME` gets chapters/_shared/NAME.py
(tools/shared_code.py), so each notebook stands alone and no copy is kept by hand; the explorables'
cell gets the helpers of the kinds the chapter calls and their JavaScript (chapters/_shared/explorables/).
After executing, it normalises the notebook metadata, so a refresh with no content change leaves git clean.
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

import exercises
import shared_code

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


def normalise(notebook):
    notebook.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)


def write_shared_code(notebook, name):
    """Set every cell tagged `shared-NAME` to its source (tools/shared_code.py): shared code has one source."""
    for cell in notebook.cells:
        for snippet in shared_code.tags(cell):
            try:
                cell.source = shared_code.source(snippet, notebook)
            except shared_code.SharedCodeError as error:
                sys.exit(f"error: {name}: {error}")
            if snippet == shared_code.SETUP:  # folded on the page under one line
                cell.metadata.update(nbformat.from_dict(shared_code.SETUP_METADATA))
                cell.metadata.tags = sorted(set(cell.metadata.tags) | {"hide-cell"})


def refresh(path):
    notebook = nbformat.read(path, as_version=4)
    embed_figures(notebook)
    write_shared_code(notebook, path)
    exercises.split_solution_directives(notebook)
    try:
        exercises.mark_for_nbgrader(notebook, path)  # once, before running: a malformed exercise stops at once
    except exercises.ConventionError as error:
        sys.exit(f"error: {error}")
    client = NotebookClient(
        notebook,
        timeout=1200,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
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
