"""Check the book's structure before anything runs; stop with one clear message if it is broken.

- every chapter in chapters/ is a valid notebook (JSON and nbformat schema);
- every file _toc.yml lists exists, and every chapter is listed in _toc.yml;
- _config.yml and _toc.yml are valid YAML.

Usage: python tools/check_book.py [BOOK_ROOT]
"""

import json
import sys
from pathlib import Path

import nbformat
import yaml


def toc_files(root):
    """The files _toc.yml lists, in order, without their extension."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    return [toc["root"]] + [entry["file"] for part in toc["parts"] for entry in part["chapters"]]


def problems(root):
    for name in ("_config.yml", "_toc.yml"):
        try:
            yaml.safe_load((root / name).read_text())
        except FileNotFoundError:
            yield f"{name} is missing"
        except yaml.YAMLError as error:
            yield f"{name} is not valid YAML ({error}): fix it or restore it with `git checkout {name}`"
    try:
        listed = toc_files(root)
    except (FileNotFoundError, yaml.YAMLError, KeyError, TypeError):
        yield (
            "_toc.yml must have a `root` and `parts`, each with `chapters` entries "
            "of the form `- file: chapters/NN_name`"
        )
        return
    for entry in listed:
        if not any((root / entry).with_suffix(suffix).exists() for suffix in (".ipynb", ".md")):
            yield (
                f"_toc.yml lists `{entry}`, but neither {entry}.ipynb nor {entry}.md exists: "
                "fix the entry or add the file"
            )
    for path in sorted((root / "chapters").glob("*.ipynb")):
        name = path.relative_to(root)
        if f"chapters/{path.stem}" not in listed:
            yield f"{name} is not in _toc.yml, so it would not be on the site: add `- file: chapters/{path.stem}`"
        try:
            nbformat.validate(json.loads(path.read_text()))
        except json.JSONDecodeError as error:
            yield f"{name} is not valid JSON ({error}): fix it, or restore it with `git checkout {name}`"
        except nbformat.ValidationError as error:
            yield f"{name} is not a valid notebook ({error.message}): fix it, or restore it with `git checkout {name}`"


def main(root):
    found = list(problems(Path(root)))
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
