"""The chapters are clean, complete notebooks: run top to bottom, no errors, listed in the book.

That their stored outputs are what the code computes is checked by nbval in `make site`.
"""

import base64
import json
import re
import subprocess
import sys

import pytest

from conftest import CHAPTERS, ROOT

pytestmark = pytest.mark.static  # executes no chapter: part of `make check`

NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
EMBEDDED_FIGURE = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]*)" data-source="([^"]+)"')


def cells(path, kind=None):
    notebook = json.loads(path.read_text())
    return [cell for cell in notebook["cells"] if kind is None or cell["cell_type"] == kind]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_executed_top_to_bottom(path):
    counts = [cell["execution_count"] for cell in cells(path, "code")]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1, 2, 3, ...: run `make refresh`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_error_or_stderr_outputs(path):
    for number, cell in enumerate(cells(path)):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"{path.name} cell {number} stored an error: {output.get('ename')}"
            assert output.get("name") != "stderr", (
                f"{path.name} cell {number} wrote to stderr: {''.join(output['text'])[:200]!r}"
            )


def test_one_kernel_for_all_chapters():
    specs = {json.dumps(json.loads(p.read_text())["metadata"].get("kernelspec"), sort_keys=True) for p in NOTEBOOKS}
    assert len(specs) == 1 and '"name": "python3"' in specs.pop(), "chapters must all use the python3 kernel"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_set_up_cell_installs_only_in_colab_and_prints_nothing(path):
    """The set-up cell (tests/test_shared_code.py checks it is the first) is silent outside Colab."""
    first = cells(path, "code")[0]
    assert 'if "google.colab" in sys.modules' in "".join(first["source"]), f"{path.name}: no Colab guard"
    assert first["outputs"] == [], f"{path.name}: the set-up cell printed something outside Colab"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_figures_are_svg_so_nbval_compares_them(path):
    for number, cell in enumerate(cells(path, "code")):
        for output in cell["outputs"]:
            images = {"image/png", "image/jpeg"} & set(output.get("data", {}))
            assert not images, f"{path.name} code cell {number} stores {images}, which nbval does not compare"


def test_embedded_diagrams_match_figures_folder(tmp_path):
    """Each diagram embedded in a chapter is the current output of its script in figures/."""
    found = 0
    for path in NOTEBOOKS:
        for cell in cells(path, "markdown"):
            for data, source in EMBEDDED_FIGURE.findall("".join(cell["source"])):
                found += 1
                assert base64.b64decode(data) == (ROOT / source).read_bytes(), (
                    f"{path.name} embeds an outdated {source}: run `make refresh`"
                )
    assert found, "no embedded diagram found: chapter 1 should show figures/sliding_window.svg"
    for script in sorted((ROOT / "figures").glob("*.py")):
        redrawn = tmp_path / script.with_suffix(".svg").name
        subprocess.run([sys.executable, str(script), str(redrawn)], check=True)
        assert redrawn.read_bytes() == script.with_suffix(".svg").read_bytes(), (
            f"{script.name} no longer draws the committed SVG: run `make refresh`"
        )
