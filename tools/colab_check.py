"""Execute chapters with the package versions Google Colab preinstalls (no output comparison).

Run by `make colab-check` inside .venv-colab (requirements-colab.txt). Prints each chapter's
run time and anything it wrote to stderr (a warning a Colab learner would see), and stops with
a clear message naming the chapter and cell if one fails. Writes _build/colab-check.json.

Usage: python tools/colab_check.py chapters/*.ipynb
"""

import json
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["jax", "flax", "optax", "numpy", "matplotlib", "scikit-image", "scikit-learn"]


def run(name):
    """Execute one chapter; returns its report row, or the error message if a cell fails."""
    notebook = nbformat.read(name, as_version=4)
    start = time.perf_counter()
    try:
        NotebookClient(notebook, timeout=1200, kernel_name="python3",
                       resources={"metadata": {"path": str(Path(name).parent)}}).execute()
    except CellExecutionError as error:
        return str(error)
    warnings = ["".join(o.text).strip() for c in notebook.cells for o in c.get("outputs", [])
                if o.get("name") == "stderr"]
    return {"chapter": Path(name).stem, "seconds": round(time.perf_counter() - start, 1), "stderr": warnings}


def main(paths):
    versions = {"python": platform.python_version(), **{name: version(name) for name in PACKAGES}}
    print("Colab versions:", ", ".join(f"{name} {v}" for name, v in versions.items()), flush=True)
    with ProcessPoolExecutor(max_workers=2) as pool:  # two chapters at a time, like `make site`
        results = list(pool.map(run, paths))
    for name, result in zip(paths, results):
        if isinstance(result, str):
            sys.exit(f"error: {name} fails with Colab's package versions ({versions}):\n{result}")
        warnings = result["stderr"]
        print(f"{name}: ran in {result['seconds']:.1f} s" + (f", {len(warnings)} stderr outputs:" if warnings else ""))
        for text in warnings:
            print("   ", text[:300].replace("\n", "\n    "))
    report = ROOT / "_build" / "colab-check.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps({"versions": versions, "chapters": results}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
