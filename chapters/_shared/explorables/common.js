// Shared by every explorable: number formatting, checked fields, corr2d.
export function fmt(v) {
  if (Object.is(v, -0)) v = 0;
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(parseFloat(v.toPrecision(6)));
}
export function factor(v) {
  return v < 0 ? `(${fmt(v)})` : fmt(v);
}
export function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const key in attrs || {}) node.setAttribute(key, attrs[key]);
  if (text !== undefined) node.textContent = text;
  return node;
}
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
export function parse(text, low, high, integer) {
  const s = text.trim();
  const hint = ": type a number such as 2 or -0.5";
  if (s === "") return { error: `empty${hint}` };
  if (!NUMBER.test(s))
    return { error: `\u201c${s}\u201d is not a number${hint}` };
  const v = Number(s);
  if (!Number.isFinite(v) || v < low || v > high)
    return { error: `${s} is outside ${low} to ${high}` };
  if (integer && !Number.isInteger(v))
    return { error: `${s} is not a whole number` };
  return { value: v };
}
// A field that calls accept(value) with each valid entry; accept returns an
// error text to refuse it. A refused entry leaves the last valid state.
export function field(label, value, message, low, high, integer, accept) {
  const input = el("input", {
    type: "text",
    inputmode: "decimal",
    "aria-label": label,
    value: fmt(value),
  });
  input.addEventListener("input", () => {
    const r = parse(input.value, low, high, integer);
    const error = r.error || accept(r.value);
    input.setAttribute("aria-invalid", error ? "true" : "false");
    if (error) {
      input.setAttribute("aria-describedby", message.id);
      const keeps = "the figure keeps the last valid value";
      message.textContent = `${label}: ${error}; ${keeps}.`;
    } else {
      input.removeAttribute("aria-describedby");
      message.textContent = "";
    }
  });
  return input;
}
export function corr(X, K) {
  const kh = K.length,
    kw = K[0].length;
  const oh = X.length - kh + 1,
    ow = X[0].length - kw + 1,
    Y = [];
  for (let i = 0; i < oh; i++) {
    Y.push([]);
    for (let j = 0; j < ow; j++) {
      let s = 0;
      for (let a = 0; a < kh; a++)
        for (let b = 0; b < kw; b++) s += X[i + a][j + b] * K[a][b];
      Y[i].push(s);
    }
  }
  return Y;
}

// Each kind's file ends with start(KIND, build): every explorable of that
// kind on the page not yet live gets its live figure, and its still one
// is hidden.
export function start(kind, build) {
  document
    .querySelectorAll(`.cfi[data-cfi=${kind}]:not(.cfi-on)`)
    .forEach((root) => {
      const data = JSON.parse(root.querySelector(".cfi-data").textContent);
      const live = root.querySelector(".cfi-live");
      build(live, data, root.id);
      live.hidden = false;
      root.classList.add("cfi-on");
    });
}
