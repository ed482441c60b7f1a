"""Numbers in the prose come from the code: every glued name is recorded by its chapter and shows on the page.

A chapter's markdown says {glue:text}`name` (or {glue:text}`name:.1f`) where it quotes a computed or
measured value; a code cell records it with glue("name", value, display=False) (chapters/_shared/glue.py).
"""

import ast
import json
import re
from collections import Counter

import nbformat
import pytest
from bs4 import BeautifulSoup

import book
import exercises  # tools/, on sys.path through pytest.ini's pythonpath
from conftest import CHAPTERS, SITE

NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`]+)`")
# Chapters whose prose must quote every measured or computed number through glue.
GLUED_CHAPTERS = ["07_how_fast_is_a_convolution", "08_from_kernels_to_a_network"]
# A number with a unit of time, size, rate or ratio, or any decimal number: what a measurement looks like.
HAND_TYPED = re.compile(
    r"(?<![\w.])\d[\d,]*(?:\.\d+)?\s?(?:%|(?:ms|µs|ns|s|seconds?|minutes?|hours?|[KMG]B|GB/s|"
    r"[MG]FLOP(?:/s)?|times|points?)\b)|(?<![\w.])\d+\.\d+(?![\w.])"
)


def cells(path):
    return json.loads(path.read_text())["cells"]


def references(path):
    """(cell index, name, format spec) of every glue role in the chapter's markdown."""
    found = []
    for index, cell in enumerate(cells(path)):
        if cell["cell_type"] == "markdown":
            for content in ROLE.findall("".join(cell["source"])):
                name, _, spec = content.partition(":")
                found.append((index, name, spec))
    return found


def glued(path):
    """{name: (cell index, stored text/plain)} of every value the chapter's code cells recorded."""
    values = {}
    for index, cell in enumerate(cells(path)):
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                text = output["data"].get(record["mime_prefix"] + "text/plain")
                values[record["name"]] = (index, "".join(text) if isinstance(text, list) else text)
    return values


def rendered(text, spec):
    """What myst-nb's {glue:text} shows for a stored text/plain value and format spec."""
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    return format(value, spec) if spec else str(value)


def solution_cells(path):
    notebook = nbformat.read(path, as_version=4)
    return {index for exercise in exercises.exercises(notebook, path.name) for index in exercise.solution}


def prose(path):
    """(cell index, text) of the markdown a learner reads as the chapter's own statements: exercise
    questions (which set a problem's sizes), code spans, maths, glue roles and directives left out."""
    for index, cell in enumerate(cells(path)):
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown" or source.lstrip().startswith("```{exercise-start}"):
            continue
        source = re.sub(r"^```.*$|^:\w+:.*$", "", source, flags=re.M)
        source = re.sub(r"\$\$.*?\$\$|\$[^$]+\$|`[^`]*`|\{glue(?::\w+)?\}`[^`]+`", " ", source, flags=re.S)
        yield index, source


def hand_typed_numbers(path):
    return [
        f"cell {index}: {match.group(0)!r} in ...{text[max(0, match.start() - 40) : match.end() + 20]!r}..."
        for index, text in prose(path)
        for match in HAND_TYPED.finditer(text)
    ]


@pytest.mark.static
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_glued_name_is_recorded_by_the_chapter(path):
    values = glued(path)
    missing = sorted({name for _, name, _ in references(path)} - set(values))
    assert not missing, (
        f"{path.name} quotes {missing} with {{glue:text}}, but no code cell records them: "
        "add glue(name, value, display=False) where the value is computed, and `make refresh`"
    )


@pytest.mark.static
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_outside_solutions_quotes_no_value_a_solution_computes(path):
    """A student's notebook has no solution code, so text outside the solutions cannot use its values."""
    values, inside = glued(path), solution_cells(path)
    leaks = sorted(
        {
            name
            for index, name, _ in references(path)
            if index not in inside and name in values and values[name][0] in inside
        }
    )
    assert not leaks, f"{path.name}: text outside the solutions quotes {leaks}, which only solution code records"


@pytest.mark.static
@pytest.mark.parametrize("stem", GLUED_CHAPTERS)
def test_no_hand_typed_measurement_in_the_prose(stem):
    found = hand_typed_numbers(CHAPTERS / f"{stem}.ipynb")
    assert not found, (
        f"{stem}: these numbers are typed into the text; glue them from the code that computes "
        "them (or write the sentence so that it holds for any run):\n" + "\n".join(found)
    )


@pytest.mark.static
@pytest.mark.parametrize("stem", [path.stem for path in sorted(CHAPTERS.glob("*.ipynb"))])
def test_no_glue_role_on_a_slide(stem):
    """The slide decks render plain Markdown: a glue role on a slide would show as raw text."""
    on_slides = [
        index
        for index, cell in enumerate(cells(CHAPTERS / f"{stem}.ipynb"))
        if cell["cell_type"] == "markdown" and ROLE.search("".join(cell["source"])) and book.on_slide(cell)
    ]
    assert not on_slides, (
        f"{stem}: markdown cells {on_slides} are on the slides and quote glued values, which "
        "the decks show raw: word them without the numbers, or take them off the slides"
    )


@pytest.mark.static
def test_the_hand_typed_number_test_finds_a_planted_number(tmp_path):
    """The test above can fail: a measured value typed into a sentence, in any of the usual forms, is found."""
    for planted in [
        "about 7.4 MB per image",
        "49 times the input",
        "0.592 ms",
        "between 1 and 2 points",
        "reads 97.8% of them",
        "runs at 95 GFLOP/s",
        "a ratio of 12.3",
    ]:
        notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": f"It is {planted}, $3.5$ `0.1`."}]}
        path = tmp_path / "planted.ipynb"
        path.write_text(json.dumps(notebook))
        assert len(hand_typed_numbers(path)) == 1, planted


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if references(p)], ids=lambda p: p.stem)
def test_every_glued_value_shows_on_the_page(path):
    page = SITE / "chapters" / f"{path.stem}.html"
    if not page.exists():
        pytest.skip(f"{page} is missing: build the site first with `make site` (`make test` does)")
    soup = BeautifulSoup(page.read_text(), "html.parser")
    main = soup.find("main") or soup
    assert "{glue" not in main.get_text(), f"{page.name} shows a glue role unrendered"
    values = glued(path)
    expected = Counter(rendered(values[name][1], spec) for _, name, spec in references(path))
    # Sphinx's smart quotes turn a pasted ' into ’ on the page
    shown = Counter(span.get_text().replace("\u2019", "'") for span in main.select("span.pasted-text"))
    assert shown == expected, (
        f"{page.name}: the pasted values differ from the stored ones; missing "
        f"{dict(expected - shown)}, unexpected {dict(shown - expected)}"
    )
