"""The self-check questions (chapters/_shared/self_check.py) on the built site, answered with the keyboard.

Each question is answered as a reader would: arrow keys to a choice (or typing a number), Tab to
"Check", Enter. Every choice of every question is tried: the right one must be accepted with its
explanation, each wrong one refused with its own. A number is accepted at the answer and refused
just outside the tolerance on both sides, and a non-number gets a message. Without JavaScript
(and in the PDF) the question shows as text, and the answers the chapter's answers section
gives, on the site and in the PDF, are the ones the page accepts.
"""

import json
import re

import pytest
from bs4 import BeautifulSoup

from conftest import AXE, ROOT, SITE, plain, toc_files  # and the fixture `book`: the PDF's text

CHAPTERS = [f.removeprefix("chapters/") for f in toc_files() if f.startswith("chapters/")]


def self_check():
    """A fresh copy of the snippet, as a chapter's kernel runs it."""
    namespace = {}
    exec((ROOT / "chapters" / "_shared" / "self_check.py").read_text(), namespace)
    return namespace


@pytest.mark.static
def test_a_question_is_the_same_on_every_run_and_keeps_its_number():
    runs = []
    for _ in range(2):
        ask = self_check()
        first = ask["ask_number"]("How many?", 24, "Because.")
        second = ask["ask_choice"]("Which?", {"this": None, "that": "misses it"}, "Why.")
        again = ask["ask_number"]("How many?", 24, "Because.")  # a re-run cell keeps its number
        runs.append((first.data, second.data, ask["self_check_answers"]().data))
        assert again.data == first.data and "Question 1." in first.data and "Question 2." in second.data
    assert runs[0] == runs[1], "a question's HTML differs between two runs: nbval would fail"
    assert "Answer: 24. Because." in runs[0][2] and "that: misses it" in runs[0][2]


@pytest.mark.static
@pytest.mark.parametrize("choices", [{"a": None, "b": None}, {"a": "x", "b": "y"}, {"a": None}])
def test_a_choice_question_needs_one_right_choice_among_two_or_more(choices):
    with pytest.raises(ValueError, match="exactly one of them mapped to None"):
        self_check()["ask_choice"]("Which?", choices, "Why.")


def questions_in(chapter):
    """Each question's data, as the page's script reads it."""
    html = (SITE / "chapters" / f"{chapter}.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    return [json.loads(tag.get_text()) for tag in soup.select(".cfi-q .cfi-q-data")]


def answers_in(chapter):
    """{question number: the answer text} of the chapter's answers section on the site."""
    soup = BeautifulSoup((SITE / "chapters" / f"{chapter}.html").read_text(), "html.parser")
    (section,) = soup.select(".cfi-q-answers")
    texts = [" ".join(p.get_text().split()) for p in section.find_all("p")]
    return {
        int(re.match(r"Question (\d+)\.", question).group(1)): answer.removeprefix("Answer: ")
        for question, answer in zip(texts, texts[1:])
        if question.startswith("Question ") and answer.startswith("Answer: ")
    }


@pytest.fixture
def chapter_page(browser, server):
    """A chapter page; afterwards, fail on console errors and requests to other hosts."""
    opened = []

    def open_page(chapter, **options):
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
        page = context.new_page()
        problems = []
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"error: {e}"))
        page.on("request", lambda r: r.url.startswith((server, "data:")) or problems.append(f"request: {r.url}"))
        page.goto(f"{server}/chapters/{chapter}.html", wait_until="load")
        opened.append((context, problems, chapter))
        if options.get("java_script_enabled", True):
            page.wait_for_selector(".cfi-q.cfi-q-on", state="attached")
        return page

    yield open_page
    for context, problems, chapter in opened:
        context.close()
        assert not problems, f"{chapter}'s self-check questions: {problems}"


def answer(question, keys=(), text=None):
    """Press `keys` in the question's first field (arrows to a choice), or replace its text with `text`;
    then Tab to Check and press Enter. Returns what the feedback says."""
    first = question.locator("input").first
    first.focus()
    for key in keys:
        first.page.keyboard.press(key)
    if text is not None:
        first.page.keyboard.press("Control+A")
        first.page.keyboard.press("Backspace")
        first.page.keyboard.type(text)
    question.page.keyboard.press("Tab")
    focused = question.page.evaluate("document.activeElement.textContent")
    assert focused == "Check", f"Tab from the answer reaches {focused!r}, not the Check button"
    question.page.keyboard.press("Enter")
    return " ".join(question.locator("[role=status]").inner_text().split())


def typed(value):
    """A number as a reader would type it."""
    return repr(round(value, 9)).removesuffix(".0")


def pick(i):
    """The keys that select choice i from the first one: Space checks it, an arrow moves and checks."""
    return ["ArrowDown"] * i if i else [" "]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_choice_gets_its_own_feedback_and_numbers_their_tolerance(chapter_page, chapter):
    data = questions_in(chapter)
    assert 4 <= len(data) <= 6, f"{chapter} has {len(data)} self-check questions, not 4 to 6"
    page = chapter_page(chapter)
    roots = page.locator(".cfi-q")
    assert roots.count() == len(data)
    for index, q in enumerate(data):
        root = roots.nth(index)
        assert root.locator("fieldset legend").inner_text() == q["legend"], f"{chapter}: no fieldset for {q['legend']}"
        if q["kind"] == "choice":
            assert len(q["choices"]) >= 2 and all(q["wrong"][i] for i in range(len(q["choices"])) if i != q["right"])
            for i in range(len(q["choices"])):
                said = answer(root, pick(i))
                if i == q["right"]:
                    assert said.startswith("✓") and " ".join(q["why"].split()) in said, (
                        f"{chapter}, {q['legend']}: the right choice {q['choices'][i]!r} got {said!r}"
                    )
                else:
                    assert said.startswith("✗") and " ".join(q["wrong"][i].split()) in said, (
                        f"{chapter}, {q['legend']}: choice {q['choices'][i]!r} got {said!r}, not its own explanation"
                    )
        else:
            right, tolerance = q["answer"], q["tolerance"]
            outside = tolerance + 0.01 * max(tolerance, abs(right) * 0.01, 0.01)
            said = answer(root, text=typed(right))
            assert said.startswith("✓"), f"{chapter}, {q['legend']}: {right} got {said!r}"
            for wrong in (right + outside, right - outside):
                said = answer(root, text=typed(wrong))
                assert said.startswith("✗"), f"{chapter}, {q['legend']}: {wrong}, outside ±{tolerance}, got {said!r}"
            said = answer(root, text="twelve")
            assert "is not a number" in said, f"{chapter}, {q['legend']}: 'twelve' got {said!r}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_questions_fit_a_phone_and_pass_axe(chapter_page, scheme):
    page = chapter_page("01_cross_correlation", viewport={"width": 390, "height": 844}, color_scheme=scheme)
    answer(page.locator(".cfi-q").first, text="1")  # a wrong answer: its message is audited too
    wide = page.evaluate(
        "[...document.querySelectorAll('.cfi-q')].filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert wide == 0, f"{wide} questions are wider than a 390 px screen"
    page.add_script_tag(path=str(AXE / "axe.min.js"))
    findings = page.evaluate("async () => (await axe.run('.cfi-q', {resultTypes: ['violations']})).violations")
    assert not findings, f"axe-core ({scheme}): {[(f['id'], f['help']) for f in findings]}"


def test_without_javascript_the_question_shows_as_text(chapter_page):
    page = chapter_page("01_cross_correlation", java_script_enabled=False)
    still = page.locator(".cfi-q-still").first
    assert still.is_visible() and "Question 1." in still.inner_text()
    assert not page.locator(".cfi-q-live").first.is_visible(), "the form shows without the script that runs it"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_answers_the_book_gives_are_the_ones_the_page_accepts(chapter_page, book, chapter):
    data, answers = questions_in(chapter), answers_in(chapter)
    assert sorted(answers) == list(range(1, len(data) + 1)), f"{chapter}'s answers section: {sorted(answers)}"
    page = chapter_page(chapter)
    pdf = plain(" ".join(book["pages"]))
    for index, q in enumerate(data):
        given = answers[index + 1]
        root = page.locator(".cfi-q").nth(index)
        if q["kind"] == "choice":
            (i,) = [i for i, choice in enumerate(q["choices"]) if given.startswith(f"{choice}. ")]
            value, said = q["choices"][i], answer(root, pick(i))
        else:
            value = re.match(r"-?[\d.]+(e-?\d+)?", given).group(0)
            said = answer(root, text=value)
        assert plain(f"Answer: {value}") in pdf, f"the PDF lacks {chapter}'s answer {value!r} to {q['legend']}"
        assert said.startswith("✓"), f"{chapter}: the book's answer {given!r} to {q['legend']} gets {said!r}"
