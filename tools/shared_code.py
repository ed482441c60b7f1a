"""Code several chapters share: one source each, chapters/_shared/NAME.py.

A chapter's code cell tagged `shared-NAME` holds NAME.py as it is, with one exception: the set-up
cell (`shared-setup`, each chapter's first code cell) lists, for pip in Colab, the packages this
chapter imports that a Colab runtime may lack, each at least the version `make colab-check` runs
the chapters with (requirements-colab.in). The set-up cell is folded on the page under one line.
The explorables' cell (`shared-explorable`) is the other exception: explorable.py carries only the
helpers of the kinds this chapter calls, and the JavaScript of those kinds, read from
chapters/_shared/explorables/KIND.js and common.js (ES modules that Biome lints: their `import` lines
are dropped and `export` words removed, so they run as one classic script in the page).
`make refresh` writes the cells (tools/refresh.py); tests/test_shared_code.py checks them.
"""

import ast
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


EXPLORABLE = "explorable"
SCRIPTS = SHARED / "explorables"
MODULE_IMPORT = re.compile(r"^import [^;]*;\n+", re.M)
EXPORT = re.compile(r"^export ", re.M)


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
    if name == EXPLORABLE:
        text = explorable_source(kinds_called(notebook, text))
    if name == SETUP:
        text = PACKAGES.sub(lambda _: f"packages = {colab_packages(notebook)!r}".replace("'", '"'), text)
    return text


def classic_script(path):
    """A module of chapters/_shared/explorables as code a classic <script> runs (after common.js)."""
    text = EXPORT.sub("", MODULE_IMPORT.sub("", path.read_text()))
    if "</" in text or '"""' in text or text.endswith("\\"):
        raise SharedCodeError(f"{path.relative_to(ROOT)} holds </, three quotes or a final backslash")
    return text


def explorable_kinds(helper_source):
    """{public function: the explorable kind it draws} for explorable.py: the kind is the first
    argument of its call to _explorable."""
    kinds = {}
    for node in ast.parse(helper_source).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "_explorable":
                    kinds[node.name] = call.args[0].value
    return kinds


def kinds_called(notebook, helper_source):
    """The explorable kinds a notebook's own code cells call."""
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code" and not tags(c))
    return sorted({k for name, k in explorable_kinds(helper_source).items() if re.search(rf"\b{name}\(", code)})


def _prune(text, drop):
    """The top-level statements of `text` but the definitions named in `drop`, each with the comments and
    blank lines before it; then, until none is left, the private functions and imports nothing kept uses."""
    lines = text.splitlines(keepends=True)
    parts, start = [], 0
    for node in ast.parse(text).body:
        removable = isinstance(node, (ast.Import, ast.ImportFrom)) or (
            isinstance(node, ast.FunctionDef) and node.name.startswith("_")
        )
        names = [a.asname or a.name for a in node.names] if hasattr(node, "names") else [getattr(node, "name", "")]
        if not set(names) & set(drop):
            parts.append((names, removable, "".join(lines[start : node.end_lineno])))
        start = node.end_lineno
    while True:
        kept = "".join(part for _, _, part in parts)

        def used(names, part):
            return any(re.search(rf"\b{re.escape(n)}\b", kept.replace(part, "")) for n in names)

        unused = [part for names, removable, part in parts if removable and not used(names, part)]
        if not unused:
            return kept
        parts = [entry for entry in parts if entry[2] not in unused]


def explorable_source(kinds):
    """explorable.py with the helpers and the JavaScript of `kinds` only."""
    text = (SHARED / f"{EXPLORABLE}.py").read_text()
    unused = [name for name, kind in explorable_kinds(text).items() if kind not in kinds]
    text = _prune(text, unused).strip()
    common = classic_script(SCRIPTS / "common.js")
    scripts = "".join(f'    "{kind}": r"""\n{classic_script(SCRIPTS / f"{kind}.js")}""",\n' for kind in kinds)
    text = text.replace('EXPLORABLE_COMMON = ""', f'EXPLORABLE_COMMON = r"""\n{common}"""', 1)
    return text.replace(
        "EXPLORABLE_SCRIPTS = {}", f"EXPLORABLE_SCRIPTS = {{\n{scripts}}}" if kinds else "EXPLORABLE_SCRIPTS = {}", 1
    )
