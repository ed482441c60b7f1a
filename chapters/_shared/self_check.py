# Self-check questions, for readers who do not run the code. Each question
# is HTML: the question and its choices as text (what a PDF, a print-out or
# an untrusted notebook shows), and a small script, with no library and no
# network, that turns it into a form that says whether an answer is right
# and, for a wrong choice, what that choice misses. `self_check_answers()`
# lists every question of the chapter with its answer and explanations.
import html
import json

from IPython.display import HTML

SELF_CHECK_STYLE = """
.cfi-q{background:#fff;color:#1b1b1b;border:1px solid #767676;
border-radius:6px;padding:.6rem;margin:.8rem 0;max-width:100%;
box-sizing:border-box;font-size:.95rem;line-height:1.4;
overflow-wrap:anywhere}
.cfi-q fieldset{border:0;margin:0;padding:0;min-width:0}
.cfi-q legend,.cfi-q p,.cfi-q li,.cfi-q label{color:#1b1b1b!important}
.cfi-q legend{font-weight:600;padding:0;margin-bottom:.3rem}
.cfi-q label{display:block;margin:.2rem 0}
.cfi-q input,.cfi-q button{font:inherit;color:#1b1b1b;background:#fff;
border:1px solid #595959;border-radius:3px}
.cfi-q input[type=text]{width:7rem}
.cfi-q button{padding:.15rem .6rem;margin-top:.3rem}
.cfi-q :focus-visible{outline:3px solid #0b57d0;outline-offset:1px}
.cfi-q-right{color:#1b5e20!important}
.cfi-q-wrong{color:#b00020!important}
.cfi-q-on .cfi-q-still{display:none}
@media print{.cfi-q-live{display:none!important}
.cfi-q-still{display:block!important}}
"""

SELF_CHECK_SCRIPT = r"""(function () {
"use strict";
function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const key in attrs || {}) node.setAttribute(key, attrs[key]);
  if (text !== undefined) node.textContent = text;
  return node;
}
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
function choice(form, q, say) {
  const name = form.id + "-choice";
  q.choices.forEach(function (text, i) {
    const label = form.appendChild(el("label"));
    label.appendChild(el("input", {type: "radio", name: name, value: i}));
    label.appendChild(document.createTextNode(" " + text));
  });
  return function () {
    const picked = form.querySelector("input:checked");
    if (!picked) return say(false, "Pick one of the answers first.");
    const i = Number(picked.value);
    if (i === q.right) return say(true, "Right. " + q.why);
    say(false, "Not this one. " + q.wrong[i]);
  };
}
function number(form, q, say) {
  const label = form.appendChild(el("label", {}, "Your answer "));
  const input = label.appendChild(el("input", {type: "text",
                                               inputmode: "decimal"}));
  if (q.unit) label.appendChild(document.createTextNode(" " + q.unit));
  return function () {
    const s = input.value.trim();
    if (!NUMBER.test(s)) {
      input.setAttribute("aria-invalid", "true");
      return say(false, "\u201c" + s + "\u201d is not a number: type " +
                 "one such as 12 or 0.03.");
    }
    input.setAttribute("aria-invalid", "false");
    if (Math.abs(Number(s) - q.answer) <= q.tolerance)
      return say(true, "Right. " + q.why);
    say(false, "Not quite: " + s + " is not it. " + q.hint);
  };
}
document.querySelectorAll(".cfi-q:not(.cfi-q-on)").forEach(function (root) {
  const q = JSON.parse(root.querySelector(".cfi-q-data").textContent);
  const form = root.querySelector(".cfi-q-live");
  const fields = form.appendChild(el("fieldset"));
  fields.appendChild(el("legend", {}, q.legend));
  const feedback = el("p", {role: "status", class: "cfi-q-feedback"});
  function say(right, text) {
    feedback.className = "cfi-q-feedback " +
      (right ? "cfi-q-right" : "cfi-q-wrong");
    feedback.textContent = (right ? "\u2713 " : "\u2717 ") + text;
  }
  const check = (q.kind === "choice" ? choice : number)(fields, q, say);
  fields.appendChild(el("button", {type: "submit"}, "Check"));
  fields.appendChild(feedback);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    check();
  });
  form.hidden = false;
  root.classList.add("cfi-q-on");
});
})();
"""

_questions = {}  # prompt: (number, answer text, explanations) for the answers


def _ask(prompt, data, answer, explanations):
    number = _questions.get(prompt, (len(_questions) + 1,))[0]
    _questions[prompt] = (number, answer, explanations)
    key = f"{len(prompt)}-{sum(map(ord, prompt)) % 10007}"
    legend = f"Question {number}. {prompt}"
    data = {"legend": legend, **data}
    still = data.get("choices", [])
    items = "".join(f"<li>{html.escape(c)}</li>" for c in still)
    listed = f'<ol type="a">{items}</ol>' if still else ""
    payload = json.dumps(data).replace("<", "\\u003c")  # safe in <script>
    return HTML(
        f"<style>{SELF_CHECK_STYLE}</style>"
        f'<div class="cfi-q" id="cfi-q-{key}">'
        f'<div class="cfi-q-still"><p><strong>{html.escape(legend)}'
        f"</strong></p>{listed}<p>The answer is in the chapter's last "
        "section, \u201cAnswers to the self-check questions\u201d.</p>"
        "</div>"
        f'<form class="cfi-q-live" id="cfi-q-{key}-form" hidden></form>'
        '<script type="application/json" class="cfi-q-data">'
        f"{payload}</script>"
        f"<script>{SELF_CHECK_SCRIPT}</script></div>"
    )


def ask_choice(prompt, choices, why):
    """A multiple-choice question. `choices` maps each choice's text to
    None for the right one, or to what a reader who picks it misses."""
    right = [text for text, miss in choices.items() if miss is None]
    if len(right) != 1 or len(choices) < 2:
        raise ValueError(
            f"{prompt!r} has {len(right)} right choices among "
            f"{len(choices)}: give two or more choices, exactly one of "
            "them mapped to None, each other to what it misses"
        )
    texts = list(choices)
    turn = len(prompt) % len(texts)  # the right choice is not always first
    texts = texts[turn:] + texts[:turn]
    data = {
        "kind": "choice",
        "choices": texts,
        "right": texts.index(right[0]),
        "why": why,
        "wrong": [choices[text] or "" for text in texts],
    }
    wrong = [f"{text}: {miss}" for text, miss in choices.items() if miss]
    return _ask(prompt, data, f"{right[0]}. {why}", wrong)


def ask_number(prompt, answer, why, tolerance=0, unit=""):
    """A question whose answer is a number, right within `tolerance`."""
    answer = round(float(answer), 6)
    shown = f"{answer:g}" + (f" {unit}" if unit else "")
    within = f" (within {tolerance:g})" if tolerance else ""
    hint = f"Give it{within}" if tolerance else "Give the exact number"
    data = {
        "kind": "number",
        "answer": answer,
        "tolerance": tolerance,
        "unit": unit,
        "why": why,
        "hint": hint + "; the chapter works it out.",
    }
    return _ask(prompt, data, f"{shown}{within}. {why}", [])


def self_check_answers():
    """Every question asked so far, with its answer and explanations."""
    items = []
    for prompt, (number, answer, wrong) in sorted(
        _questions.items(), key=lambda item: item[1][0]
    ):
        misses = "".join(f"<li>{html.escape(w)}</li>" for w in wrong)
        items.append(
            f"<p><strong>Question {number}.</strong> {html.escape(prompt)}"
            f"</p><p>Answer: {html.escape(answer)}</p>"
            + (f"<p>The other choices:</p><ul>{misses}</ul>" if wrong else "")
        )
    return HTML(f'<div class="cfi-q-answers">{"".join(items)}</div>')
