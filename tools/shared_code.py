"""Code several chapters share: one source each, chapters/_shared/NAME.py.

A chapter's code cell tagged `shared-NAME` holds NAME.py as it is, with one exception: the set-up
cell (`shared-setup`, each chapter's first code cell) lists, for pip in Colab, the packages this
chapter imports that a Colab runtime may lack, each at least the version `make colab-check` runs
the chapters with (requirements-colab.in). The set-up cell is folded on the page under one line.
`make refresh` writes the cells (tools/refresh.py); tests/test_shared_code.py checks them.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / "chapters" / "_shared"
TAG = "shared-"
SETUP = "setup"
# import name: the distribution pip installs (jax, numpy and matplotlib are what Colab is built on)
COLAB_MAY_LACK = {"flax": "flax", "optax": "optax", "skimage": "scikit-image", "sklearn": "scikit-learn"}
PACKAGES = re.compile(r"^packages = \[\]", re.M)
IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", re.M)
# myst-nb folds a cell tagged hide-cell under this line on the page and in the PDF
SETUP_METADATA = {
    "mystnb": {"code_prompt_show": "Set-up: installs in Colab, figure settings", "code_prompt_hide": "Hide the set-up"}
}


class SharedCodeError(ValueError):
    """A cell names a snippet that does not exist."""


def tags(cell):
    """The snippet names a cell's `shared-NAME` tags give."""
    return [t.removeprefix(TAG) for t in cell.get("metadata", {}).get("tags", []) if t.startswith(TAG)]


def colab_versions():
    """Colab's own versions, as requirements-colab.in pins them: {distribution: version}."""
    lines = (ROOT / "requirements-colab.in").read_text().splitlines()
    return dict(line.split("==") for line in lines if "==" in line and not line.startswith("#"))


def colab_packages(notebook):
    """What the set-up cell asks pip for in Colab: the chapter's imports Colab may lack, at Colab's version."""
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code" and not tags(c))
    imported = set(IMPORT.findall(code))
    versions = colab_versions()
    return [f"{dist}>={versions[dist]}" for module, dist in COLAB_MAY_LACK.items() if module in imported]


def source(name, notebook):
    """The code a cell tagged shared-NAME must hold in this notebook."""
    path = SHARED / f"{name}.py"
    if not path.exists():
        raise SharedCodeError(f"a cell is tagged {TAG}{name}, but {path.relative_to(ROOT)} does not exist")
    text = path.read_text().strip()
    if name == SETUP:
        text = PACKAGES.sub(lambda _: f"packages = {colab_packages(notebook)!r}".replace("'", '"'), text)
    return text
