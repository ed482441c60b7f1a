# Explorables: figures you can operate in the page, made from this chapter's
# arrays. Each call returns HTML holding a still figure of the starting state
# (what a PDF, a print-out or a page without JavaScript shows) and a small
# script, with no library and no network, that turns it into the live figure.
import base64
import hashlib
import html
import json
import struct
import zlib

from IPython.display import HTML

EXPLORABLE_STYLE = """
.cfi{background:#fff;color:#1b1b1b;border:1px solid #767676;
border-radius:6px;padding:.6rem;margin:.8rem 0;max-width:100%;
box-sizing:border-box;font-size:.95rem;line-height:1.4;overflow-wrap:anywhere}
.cfi *{box-sizing:border-box}
.cfi figure{margin:0}
.cfi img{max-width:100%;height:auto;filter:none!important}
.cfi p,.cfi li,.cfi label,.cfi legend{color:#1b1b1b!important}
.cfi figcaption{font-size:.9rem;color:#3b3b3b!important}
.cfi .cfi-msg{color:#b00020!important}
.cfi-on>.cfi-still{display:none}
.cfi-row{display:flex;flex-wrap:wrap;gap:.8rem;align-items:flex-start}
.cfi fieldset{border:1px solid #767676;border-radius:4px;margin:0;
padding:.3rem .5rem;min-width:0}
.cfi legend{font-weight:600;padding:0 .2rem}
.cfi-grid{display:grid;gap:2px;justify-content:start}
.cfi-grid>*{min-width:2.4rem;height:2.1rem;text-align:center;
border:1px solid #767676;background:#fff;color:#1b1b1b;font:inherit;
padding:0;display:flex;align-items:center;justify-content:center}
.cfi-grid input{display:block;width:2.9rem;line-height:2rem}
.cfi-small span{display:block;min-width:0;width:1.1rem;height:1.1rem;
border:1px solid #767676;background:#fff}
.cfi .cfi-win{background:#ffd54f;border-color:#1b1b1b}
.cfi .cfi-cur{background:#9fd0ff;border-color:#1b1b1b}
.cfi [aria-invalid=true]{border:2px solid #b00020;background:#fff0f0}
.cfi-msg{font-size:.9rem;margin:.2rem 0;min-height:1.2em}
.cfi input,.cfi select,.cfi button{font:inherit;color:#1b1b1b;
background:#fff;border:1px solid #595959;border-radius:3px}
.cfi button{padding:.15rem .6rem}
.cfi :focus-visible{outline:3px solid #0b57d0;outline-offset:1px}
.cfi-out{font-family:monospace;margin:.4rem 0}
.cfi canvas{width:100%;max-width:256px;image-rendering:pixelated;
border:1px solid #767676}
.cfi label{margin-right:.5rem;white-space:nowrap}
.cfi label input{width:3.2rem}
@media print{.cfi-live{display:none!important}
.cfi-still{display:block!important}}
"""

# Shared by every explorable: number formatting and checked fields. The part
# of each kind defines build(root, data); EXPLORABLE_TAIL starts each one.
EXPLORABLE_HEAD = r"""(function () {
"use strict";
function fmt(v) {
  if (Object.is(v, -0)) v = 0;
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(parseFloat(v.toPrecision(6)));
}
function factor(v) { return v < 0 ? "(" + fmt(v) + ")" : fmt(v); }
function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const key in attrs || {}) node.setAttribute(key, attrs[key]);
  if (text !== undefined) node.textContent = text;
  return node;
}
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
function parse(text, low, high, integer) {
  const s = text.trim();
  const hint = ": type a number such as 2 or -0.5";
  if (s === "") return {error: "empty" + hint};
  if (!NUMBER.test(s))
    return {error: "\u201c" + s + "\u201d is not a number" + hint};
  const v = Number(s);
  if (!isFinite(v) || v < low || v > high)
    return {error: s + " is outside " + low + " to " + high};
  if (integer && !Number.isInteger(v))
    return {error: s + " is not a whole number"};
  return {value: v};
}
// A field that calls accept(value) with each valid entry; accept returns an
// error text to refuse it. A refused entry leaves the last valid state.
function field(label, value, message, low, high, integer, accept) {
  const input = el("input", {type: "text", inputmode: "decimal",
                             "aria-label": label, value: fmt(value)});
  input.addEventListener("input", function () {
    const r = parse(input.value, low, high, integer);
    const error = r.error || accept(r.value);
    input.setAttribute("aria-invalid", error ? "true" : "false");
    if (error) {
      input.setAttribute("aria-describedby", message.id);
      message.textContent = label + ": " + error + "; the figure keeps " +
        "the last valid value.";
    } else {
      input.removeAttribute("aria-describedby");
      message.textContent = "";
    }
  });
  return input;
}
function corr(X, K) {
  const kh = K.length, kw = K[0].length;
  const oh = X.length - kh + 1, ow = X[0].length - kw + 1, Y = [];
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
"""

EXPLORABLE_TAIL = r"""
document.querySelectorAll(".cfi[data-cfi=" + KIND + "]:not(.cfi-on)")
  .forEach(function (root) {
    const data = JSON.parse(root.querySelector(".cfi-data").textContent);
    const live = root.querySelector(".cfi-live");
    build(live, data, root.id);
    live.hidden = false;
    root.classList.add("cfi-on");
  });
})();
"""

EXPLORABLE_SCRIPTS = {}

EXPLORABLE_SCRIPTS["sliding"] = r"""
const KIND = "sliding";
function build(live, d, id) {
  const X = d.X.map(r => r.slice()), K = d.K.map(r => r.slice());
  const kh = K.length, kw = K[0].length;
  const oh = X.length - kh + 1, ow = X[0].length - kw + 1;
  let pos = 0;
  const row = live.appendChild(el("div", {class: "cfi-row"}));
  const xCells = [], kCells = [], yCells = [];
  function grid(name, A, cells, editable) {
    const box = row.appendChild(el("fieldset"));
    box.appendChild(el("legend", {}, name));
    const g = box.appendChild(el("div", {class: "cfi-grid", style:
      "grid-template-columns:repeat(" + A[0].length + ",auto)"}));
    const message = el("p", {class: "cfi-msg", id: id + "-" + name[0]});
    A.forEach(function (r, i) {
      cells.push([]);
      r.forEach(function (v, j) {
        const label = name[0] + "[" + i + ", " + j + "]";
        const cell = editable ? field(label, v, message, -1e6, 1e6, false,
          function (value) { A[i][j] = value; render(); })
          : el("output", {"aria-label": label});
        g.appendChild(cell);
        cells[i].push(cell);
      });
    });
    box.appendChild(message);
  }
  grid("X, the input", X, xCells, true);
  grid("K, the kernel", K, kCells, true);
  grid("Y, the output", [...Array(oh)].map(() => Array(ow).fill(0)),
       yCells, false);
  const controls = live.appendChild(el("div", {class: "cfi-row"}));
  const label = controls.appendChild(el("label", {}, "Kernel position "));
  const slider = label.appendChild(el("input", {type: "range", min: 0,
    max: oh * ow - 1, step: 1, value: 0}));
  const back = controls.appendChild(el("button", {type: "button"},
                                       "Previous"));
  const next = controls.appendChild(el("button", {type: "button"}, "Next"));
  const sum = live.appendChild(el("p", {class: "cfi-out cfi-sum",
                                        "aria-live": "polite"}));
  function go(p) { pos = (p + oh * ow) % (oh * ow); render(); }
  slider.addEventListener("input", () => go(Number(slider.value)));
  back.addEventListener("click", () => go(pos - 1));
  next.addEventListener("click", () => go(pos + 1));
  function render() {
    const Y = corr(X, K), i = Math.floor(pos / ow), j = pos % ow;
    slider.value = pos;
    slider.setAttribute("aria-valuetext", "row " + i + ", column " + j);
    xCells.forEach((r, a) => r.forEach(function (c, b) {
      c.classList.toggle("cfi-win", a >= i && a < i + kh &&
                                    b >= j && b < j + kw);
    }));
    yCells.forEach((r, a) => r.forEach(function (c, b) {
      c.textContent = fmt(Y[a][b]);
      c.classList.toggle("cfi-cur", a === i && b === j);
    }));
    const terms = [];
    for (let a = 0; a < kh; a++)
      for (let b = 0; b < kw; b++)
        terms.push(factor(X[i + a][j + b]) + "\u00d7" + factor(K[a][b]));
    sum.textContent = "Y[" + i + ", " + j + "] = " + terms.join(" + ") +
      " = " + fmt(Y[i][j]);
  }
  render();
}
"""

EXPLORABLE_SCRIPTS["playground"] = r"""
const KIND = "playground";
function build(live, d, id) {
  const K = d.presets[d.initial].map(r => r.slice()), cells = [];
  const row = live.appendChild(el("div", {class: "cfi-row"}));
  const box = row.appendChild(el("fieldset"));
  box.appendChild(el("legend", {}, "Kernel K"));
  const label = box.appendChild(el("label", {}, "Preset "));
  const preset = label.appendChild(el("select"));
  for (const name in d.presets)
    preset.appendChild(el("option", {value: name}, name));
  preset.value = d.initial;
  const g = box.appendChild(el("div", {class: "cfi-grid", style:
    "grid-template-columns:repeat(3,auto);margin-top:.4rem"}));
  const message = el("p", {class: "cfi-msg", id: id + "-k"});
  K.forEach((r, i) => r.forEach(function (v, j) {
    const input = field("K[" + i + ", " + j + "]", v, message, -1e6, 1e6,
      false, function (value) { K[i][j] = value; render(); });
    cells.push(input);
    g.appendChild(input);
  }));
  box.appendChild(message);
  const pictures = row.appendChild(el("div", {class: "cfi-row"}));
  const photo = pictures.appendChild(el("figure"));
  const source = photo.appendChild(
    document.querySelector("#" + id + " .cfi-photo").cloneNode());
  photo.appendChild(el("figcaption", {}, "the photograph X"));
  const result = pictures.appendChild(el("figure"));
  const canvas = result.appendChild(el("canvas", {role: "img"}));
  const caption = result.appendChild(el("figcaption"));
  const status = live.appendChild(el("p", {class: "cfi-out cfi-range",
                                           "aria-live": "polite"}));
  let X = null;
  preset.addEventListener("change", function () {
    const P = d.presets[preset.value];
    P.forEach((r, i) => r.forEach(function (v, j) {
      K[i][j] = v;
      cells[3 * i + j].value = fmt(v);
      cells[3 * i + j].setAttribute("aria-invalid", "false");
    }));
    message.textContent = "";
    render();
  });
  function render() {
    if (!X) return;
    const Y = corr(X, K), h = Y.length, w = Y[0].length;
    let low = Infinity, high = -Infinity;
    Y.forEach(r => r.forEach(function (v) {
      low = Math.min(low, v); high = Math.max(high, v);
    }));
    canvas.width = w; canvas.height = h;
    const c = canvas.getContext("2d"), image = c.createImageData(w, h);
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const v = high > low ?
          Math.round(255 * (Y[i][j] - low) / (high - low)) : 128;
        image.data.set([v, v, v, 255], 4 * (i * w + j));
      }
    c.putImageData(image, 0, 0);
    const text = "Y = corr2d(X, K), " + h + " \u00d7 " + w +
      ": values from " + fmt(low) + " (black) to " + fmt(high) + " (white)";
    canvas.setAttribute("aria-label", "the filtered photograph. " + text);
    caption.textContent = "the filtered photograph Y";
    status.textContent = text;
  }
  source.decode().then(function () {
    const c = el("canvas", {width: d.size[1], height: d.size[0]});
    const g = c.getContext("2d", {willReadFrequently: true});
    g.drawImage(source, 0, 0);
    const px = g.getImageData(0, 0, d.size[1], d.size[0]).data;
    X = [...Array(d.size[0])].map((_, i) => [...Array(d.size[1])]
      .map((_, j) => px[4 * (i * d.size[1] + j)]));
    render();
  });
}
"""

EXPLORABLE_SCRIPTS["fields"] = r"""
const KIND = "fields";
const KINDS = ["convolution", "max pooling", "average pooling"];
function build(live, d, id) {
  const state = {n: d.n, count: d.layers.length,
                 layers: d.layers.map(l => l.slice())};
  while (state.layers.length < 3) state.layers.push(["convolution", 3, 1, 0]);
  let focus = [0, 0];
  function sizes(s) {
    const out = [s.n];
    for (const [, k, stride, pad] of s.layers.slice(0, s.count)) {
      const n = out[out.length - 1];
      if (n + 2 * pad < k) return {error: "the window, " + k + " wide, " +
        "does not fit the " + n + " \u00d7 " + n + " map padded by " + pad};
      out.push(Math.floor((n + 2 * pad - k) / stride) + 1);
    }
    return {sizes: out};
  }
  // try a change on a copy; keep it only if every layer still fits
  function attempt(change) {
    const copy = {n: state.n, count: state.count,
                  layers: state.layers.map(l => l.slice())};
    change(copy);
    const r = sizes(copy);
    if (r.error) return r.error;
    Object.assign(state, copy);
    render();
    return "";
  }
  const top = live.appendChild(el("div", {class: "cfi-row"}));
  const general = top.appendChild(el("fieldset"));
  general.appendChild(el("legend", {}, "Network"));
  const gm = el("p", {class: "cfi-msg", id: id + "-n"});
  const nl = general.appendChild(el("label", {}, "Input size "));
  nl.appendChild(field("Input size", state.n, gm, 1, 16, true,
    v => attempt(s => { s.n = v; })));
  const cl = general.appendChild(el("label", {}, "Layers "));
  const count = cl.appendChild(el("select"));
  [1, 2, 3].forEach(c => count.appendChild(el("option", {value: c}, c)));
  count.value = state.count;
  count.addEventListener("change", function () {
    gm.textContent = attempt(s => { s.count = Number(count.value); });
  });
  general.appendChild(gm);
  const boxes = state.layers.map(function (layer, l) {
    const box = top.appendChild(el("fieldset"));
    box.appendChild(el("legend", {}, "Layer " + (l + 1)));
    const m = el("p", {class: "cfi-msg", id: id + "-l" + l});
    const kl = box.appendChild(el("label", {}, "Kind "));
    const kind = kl.appendChild(el("select", {"aria-label":
      "Layer " + (l + 1) + " kind"}));
    KINDS.forEach(k => kind.appendChild(el("option", {value: k}, k)));
    kind.value = layer[0];
    kind.addEventListener("change", () => attempt(s => {
      s.layers[l][0] = kind.value; }));
    [["window", 1, 1, 7], ["stride", 2, 1, 4], ["padding", 3, 0, 3]]
      .forEach(function ([name, at, low, high]) {
        const lab = box.appendChild(el("label", {}, name + " "));
        lab.appendChild(field("Layer " + (l + 1) + " " + name, layer[at],
          m, low, high, true, v => attempt(s => { s.layers[l][at] = v; })));
      });
    box.appendChild(m);
    return box;
  });
  const shapes = live.appendChild(el("ol", {class: "cfi-out"}));
  const maps = live.appendChild(el("div", {class: "cfi-row"}));
  const inputBox = maps.appendChild(el("figure"));
  const inputGrid = inputBox.appendChild(el("div", {class:
    "cfi-grid cfi-small", role: "img"}));
  inputBox.appendChild(el("figcaption", {}, "input: the receptive field " +
                                            "of the chosen output cell"));
  const outputBox = maps.appendChild(el("figure"));
  const outputGrid = outputBox.appendChild(el("div", {class:
    "cfi-grid cfi-small", role: "grid", "aria-label": "output cells: " +
    "arrow keys choose one"}));
  outputBox.appendChild(el("figcaption", {}, "output: choose a cell with " +
                                             "the arrow keys"));
  const said = live.appendChild(el("p", {class: "cfi-out cfi-field",
                                         "aria-live": "polite"}));
  // the input pixels output index i depends on, along one axis
  function field1d(i) {
    let on = new Set([i]);
    const s = sizes(state).sizes;
    for (let l = state.count - 1; l >= 0; l--) {
      const [, k, stride, pad] = state.layers[l], next = new Set();
      on.forEach(function (o) {
        for (let a = 0; a < k; a++) {
          const p = o * stride - pad + a;
          if (p >= 0 && p < s[l]) next.add(p);
        }
      });
      on = next;
    }
    return [...on].sort((a, b) => a - b);
  }
  function span(list) {
    const run = list.length && list[list.length - 1] - list[0] + 1 ===
      list.length;
    if (!list.length) return "none (only padding)";
    return run ? list[0] + " to " + list[list.length - 1] : list.join(", ");
  }
  let outputCells = [];
  function render(keepFocus) {
    const s = sizes(state).sizes, n = s[0], m = s[s.length - 1];
    focus = [Math.min(focus[0], m - 1), Math.min(focus[1], m - 1)];
    boxes.forEach((b, l) => { b.hidden = l >= state.count; });
    shapes.replaceChildren(...state.layers.slice(0, state.count).map(
      ([kind, k, stride, pad], l) => el("li", {}, "layer " + (l + 1) + ", " +
        kind + ": \u230a(" + s[l] + " + 2\u00d7" + pad + " \u2212 " + k +
        ") / " + stride + "\u230b + 1 = " + s[l + 1] + ", a " + s[l + 1] +
        " \u00d7 " + s[l + 1] + " map")));
    const rows = field1d(focus[0]), cols = field1d(focus[1]);
    inputGrid.style.gridTemplateColumns = "repeat(" + n + ",auto)";
    inputGrid.replaceChildren(...[...Array(n * n)].map(function (_, p) {
      const on = rows.includes(Math.floor(p / n)) && cols.includes(p % n);
      return el("span", {class: on ? "cfi-win" : ""});
    }));
    const text = "Output (" + focus[0] + ", " + focus[1] + ") of the " + m +
      " \u00d7 " + m + " output sees input rows " + span(rows) +
      " and columns " + span(cols) + ": " + rows.length + " \u00d7 " +
      cols.length + " of the " + n + " \u00d7 " + n + " pixels.";
    inputGrid.setAttribute("aria-label", text);
    outputGrid.style.gridTemplateColumns = "repeat(" + m + ",auto)";
    outputCells = [...Array(m * m)].map(function (_, p) {
      const i = Math.floor(p / m), j = p % m;
      const here = i === focus[0] && j === focus[1];
      const cell = el("span", {role: "gridcell", class: here ? "cfi-cur" : "",
        tabindex: here ? 0 : -1, "aria-label": "output (" + i + ", " + j +
        ")", "aria-selected": here ? "true" : "false"});
      cell.addEventListener("click", () => move(i, j));
      return cell;
    });
    const lines = [];
    for (let i = 0; i < m; i++)
      lines.push(el("div", {role: "row", style: "display:contents"}));
    outputCells.forEach((c, p) => lines[Math.floor(p / m)].appendChild(c));
    outputGrid.replaceChildren(...lines);
    said.textContent = text;
    if (keepFocus) outputCells[focus[0] * m + focus[1]].focus();
  }
  function move(i, j) {
    const m = sizes(state).sizes.slice(-1)[0];
    focus = [Math.max(0, Math.min(m - 1, i)), Math.max(0, Math.min(m - 1, j))];
    render(true);
  }
  const STEPS = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1],
                 ArrowRight: [0, 1]};
  outputGrid.addEventListener("keydown", function (event) {
    const step = STEPS[event.key];
    if (!step) return;
    event.preventDefault();
    move(focus[0] + step[0], focus[1] + step[1]);
  });
  render(false);
}
"""

EXPLORABLE_SCRIPTS["descent"] = r"""
const KIND = "descent";
function build(live, d, id) {
  const X = d.X, Y = d.Y, box = d.box;
  let rate = d.rate, steps = d.steps;
  function loss(w) {
    const P = corr(X, [w]);
    let s = 0;
    P.forEach((r, i) => r.forEach(function (v, j) {
      s += (v - Y[i][j]) ** 2;
    }));
    return s;
  }
  function gradient(w) {
    const P = corr(X, [w]), g = [0, 0];
    P.forEach((r, i) => r.forEach(function (v, j) {
      g[0] += 2 * (v - Y[i][j]) * X[i][j];
      g[1] += 2 * (v - Y[i][j]) * X[i][j + 1];
    }));
    return g;
  }
  function descend() {
    let w = d.start.slice();
    const path = [w], losses = [];
    for (let t = 0; t < steps; t++) {
      losses.push(loss(w));
      const g = gradient(w);
      w = [w[0] - rate * g[0], w[1] - rate * g[1]];
      path.push(w);
    }
    return {path: path, losses: losses};
  }
  const row = live.appendChild(el("div", {class: "cfi-row"}));
  const controls = row.appendChild(el("fieldset"));
  controls.appendChild(el("legend", {}, "Gradient descent"));
  const message = el("p", {class: "cfi-msg", id: id + "-m"});
  const rl = controls.appendChild(el("label", {}, "Learning rate "));
  const slider = rl.appendChild(el("input", {type: "range", min: 0.001,
    max: 0.06, step: 0.001, value: rate}));
  const typed = field("Learning rate (typed)", rate, message, 1e-4, 1,
    false,
    function (v) { rate = v; slider.value = v; draw(); });
  controls.appendChild(el("label", {}, "or type it ")).appendChild(typed);
  const sl = controls.appendChild(el("label", {}, "Steps "));
  sl.appendChild(field("Steps", steps, message, 1, 100, true,
    function (v) { steps = v; draw(); }));
  controls.appendChild(message);
  slider.addEventListener("input", function () {
    rate = Number(slider.value);
    typed.value = fmt(rate);
    typed.setAttribute("aria-invalid", "false");
    message.textContent = "";
    draw();
  });
  const figure = row.appendChild(el("figure"));
  const canvas = figure.appendChild(el("canvas", {role: "img",
    width: 240, height: 240}));
  figure.appendChild(el("figcaption", {}, "loss over the two weights " +
    "(lighter is lower), the path from the start; x: K[0, 0], y: K[0, 1]"));
  const said = live.appendChild(el("p", {class: "cfi-out cfi-descent",
                                         "aria-live": "polite"}));
  const table = live.appendChild(el("p", {class: "cfi-out cfi-losses"}));
  // the loss surface, once: grey levels of log(loss)
  const size = 240, shade = document.createElement("canvas");
  shade.width = shade.height = size;
  const sc = shade.getContext("2d"), img = sc.createImageData(size, size);
  const at = p => box[0] + (box[1] - box[0]) * p / (size - 1);
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) {
      const v = Math.log(1 + loss([at(j), at(size - 1 - i)]));
      const g = Math.max(0, Math.min(255, 255 - 40 * v));
      img.data.set([g, g, 255, 255], 4 * (i * size + j));
    }
  sc.putImageData(img, 0, 0);
  function draw() {
    const r = descend(), c = canvas.getContext("2d");
    c.drawImage(shade, 0, 0);
    const px = v => (v - box[0]) / (box[1] - box[0]) * (size - 1);
    c.strokeStyle = "#b00020"; c.fillStyle = "#b00020"; c.lineWidth = 2;
    c.beginPath();
    r.path.forEach(function (w, t) {
      const x = px(w[0]), y = size - 1 - px(w[1]);
      if (t === 0) c.moveTo(x, y); else c.lineTo(x, y);
    });
    c.stroke();
    r.path.forEach(function (w) {
      c.fillRect(px(w[0]) - 2, size - 1 - px(w[1]) - 2, 4, 4);
    });
    const last = r.path[r.path.length - 1], end = loss(last);
    // the text's rule: each step multiplies the error along an
    // eigenvector of the Hessian by 1 - rate * curvature
    const f = Math.max(...d.curvatures.map(c => Math.abs(1 - rate * c)));
    const verdict = Math.abs(f - 1) <= 1e-9 ?
      "oscillates without converging" : f < 1 ? "converges" : "diverges";
    const text = "Rate " + fmt(rate) + ", " + steps + " steps: loss " +
      fmt(r.losses[0]) + " at the start, " + fmt(end) + " after the last " +
      "step; kernel [" + fmt(last[0]) + ", " + fmt(last[1]) + "]. " +
      "Largest |1 \u2212 rate \u00d7 curvature| = " + fmt(f) + ", so it " +
      verdict + ".";
    canvas.setAttribute("aria-label", text);
    said.textContent = text;
    table.textContent = "Loss before each step: " +
      r.losses.map(fmt).join(", ");
  }
  draw();
}
"""


def _fmt(value):
    """A number as the explorables write it: integers exactly, others to 6
    significant digits.
    """
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def _png(grey):
    """A 2-D array of integers 0 to 255 as a greyscale PNG data URI."""
    grey = np.asarray(grey, dtype=np.uint8)
    h, w = grey.shape

    def chunk(kind, data):
        body = kind + data
        crc = struct.pack(">I", zlib.crc32(body))
        return struct.pack(">I", len(data)) + body + crc

    rows = b"".join(b"\0" + bytes(row) for row in grey)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _svg_uri(width, height, body, alt):
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="14">'
        f"<title>{html.escape(alt)}</title>"
        f'<rect width="{width}" height="{height}" fill="#fff"/>{body}</svg>'
    )
    return (
        "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    )


def _svg_grid(A, x, y, size, title, marked=lambda i, j: False, fill="#ffd54f"):
    """SVG of a grid of numbers, the cells where marked(i, j) filled."""
    parts = [f'<text x="{x}" y="{y - 6}">{html.escape(title)}</text>']
    for (i, j), value in np.ndenumerate(np.asarray(A)):
        left, top = x + j * size, y + i * size
        colour = fill if marked(i, j) else "#fff"
        label = value if isinstance(value, str) else _fmt(value)
        parts.append(
            f'<rect x="{left}" y="{top}" width="{size}" height="{size}" '
            f'fill="{colour}" stroke="#1b1b1b"/>'
        )
        if label:
            parts.append(
                f'<text x="{left + size / 2}" y="{top + size / 2 + 5}" '
                f'text-anchor="middle">{label}</text>'
            )
    return "".join(parts)


def _explorable(kind, data, still, caption):
    """The HTML of one explorable: a still figure, its data and its script."""
    state = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    name = f"cfi-{kind}-{hashlib.sha1(state.encode()).hexdigest()[:8]}"
    script = EXPLORABLE_HEAD + EXPLORABLE_SCRIPTS[kind] + EXPLORABLE_TAIL
    return HTML(
        f'<div class="cfi" id="{name}" data-cfi="{kind}">'
        f"<style>{EXPLORABLE_STYLE.strip()}</style>"
        f'<figure class="cfi-still">{still}<figcaption>{caption}'
        "</figcaption></figure>"
        '<div class="cfi-live" hidden></div>'
        f'<script type="application/json" class="cfi-data">{state}</script>'
        f"<script>{script}</script></div>"
    )


def _as_lists(A):
    return [[float(_fmt(v)) for v in row] for row in np.asarray(A).tolist()]


def sliding_window_explorable(X, K, Y):
    """The kernel K sliding over the input X, step by step; Y = corr2d(X, K)
    is the chapter's own result, which the figure starts from.
    """
    X, K, Y = _as_lists(X), _as_lists(K), _as_lists(Y)
    kh, kw = len(K), len(K[0])
    terms = " + ".join(
        f"{_fmt(X[a][b])}×{_fmt(K[a][b])}"
        for a in range(kh)
        for b in range(kw)
    )
    first = f"Y[0, 0] = {terms} = {_fmt(Y[0][0])}"
    size, width = 44, 44 * (len(X[0]) + len(K[0]) + len(Y[0]) + 2) + 20
    body = (
        _svg_grid(X, 10, 30, size, "input X", lambda i, j: i < kh and j < kw)
        + _svg_grid(K, 10 + size * (len(X[0]) + 1), 30, size, "kernel K")
        + _svg_grid(
            Y,
            10 + size * (len(X[0]) + len(K[0]) + 2),
            30,
            size,
            "output Y",
            lambda i, j: i == 0 and j == 0,
            "#9fd0ff",
        )
    )
    alt = (
        f"The kernel K on the top-left window of the input X (shaded): "
        f"{first}, the shaded first cell of the output Y."
    )
    height = 40 + size * max(len(X), len(K), len(Y))
    still = (
        f'<img src="{_svg_uri(width, height, body, alt)}" '
        f'alt="{html.escape(alt)}" width="{width}" height="{height}">'
    )
    caption = f"{html.escape(first)}. Step the kernel and edit the numbers."
    return _explorable("sliding", {"X": X, "K": K}, still, caption)


def _grey(Y):
    """Map values linearly onto 0 (the smallest) to 255 (the largest)."""
    Y = np.asarray(Y, dtype=np.float64)
    low, high = Y.min(), Y.max()
    if high == low:
        return np.full(Y.shape, 128)
    return np.floor(255 * (Y - low) / (high - low) + 0.5)


def kernel_playground(image, presets, initial, filtered):
    """A 3 x 3 kernel to edit, and the photograph `image` (integers 0 to 255)
    filtered with it; `filtered` = corr2d(image, presets[initial]), the
    chapter's own result, is the still figure.
    """
    image = np.asarray(image)
    if image.min() < 0 or image.max() > 255 or (image % 1).any():
        raise ValueError("the photograph must hold integers 0 to 255")
    presets = {name: _as_lists(kernel) for name, kernel in presets.items()}
    filtered = np.asarray(filtered)
    low, high = _fmt(filtered.min()), _fmt(filtered.max())
    h, w = filtered.shape
    text = (
        f"Y = corr2d(X, K), {h} × {w}: values from {low} (black) to "
        f"{high} (white)"
    )
    kernel = "; ".join(
        ", ".join(_fmt(v) for v in row) for row in presets[initial]
    )
    alt = f"the photograph filtered with the {initial} kernel [{kernel}]"
    photo_alt = "the {} by {} photograph X, before filtering".format(
        *image.shape
    )
    still = (
        f'<img class="cfi-photo" src="{_png(image)}" alt="{photo_alt}" '
        f'width="{image.shape[1]}" height="{image.shape[0]}"> '
        f'<img src="{_png(_grey(filtered))}" alt="{html.escape(alt)}" '
        f'width="{w}" height="{h}">'
    )
    caption = html.escape(f"{initial} kernel [{kernel}]. {text}.")
    data = {"size": list(image.shape), "presets": presets, "initial": initial}
    return _explorable("playground", data, still, caption)


def _field_1d(i, sizes, layers):
    """The input indices output index i depends on, along one axis."""
    on = {i}
    for n, (_, k, stride, pad) in reversed(list(zip(sizes, layers))):
        on = {
            o * stride - pad + a
            for o in on
            for a in range(k)
            if 0 <= o * stride - pad + a < n
        }
    return sorted(on)


def receptive_field_explorable(n, layers, sizes):
    """A stack of layers, each (kind, window, stride, padding), on an n x n
    input; `sizes` are the map sizes the chapter's library calls gave, which
    must agree with the formula.
    """
    formula = [n]
    for _, k, stride, pad in layers:
        formula.append((formula[-1] + 2 * pad - k) // stride + 1)
    if formula != list(sizes):
        raise ValueError(f"the formula gives sizes {formula}, not {sizes}")
    rows = _field_1d(0, sizes, layers)
    m, cell = sizes[-1], 18
    body = _svg_grid(
        np.full((n, n), ""),
        10,
        30,
        cell,
        f"input, {n} x {n}",
        lambda i, j: i in rows and j in rows,
    )
    body += _svg_grid(
        np.full((m, m), ""),
        30 + n * cell,
        30,
        cell,
        f"output, {m} x {m}",
        lambda i, j: i == 0 and j == 0,
        "#9fd0ff",
    )
    width, height = 40 + (n + m) * cell + 60, 40 + n * cell
    alt = (
        f"Output (0, 0) of the {m} x {m} output sees input rows and columns "
        f"{rows[0]} to {rows[-1]} of the {n} x {n} input (shaded)."
    )
    steps = "; ".join(
        f"layer {number}, {kind}: ⌊({a} + 2×{pad} − {k}) / {stride}⌋ + 1 = {b}"
        for number, ((kind, k, stride, pad), a, b) in enumerate(
            zip(layers, sizes, sizes[1:]), 1
        )
    )
    still = (
        f'<img src="{_svg_uri(width, height, body, alt)}" '
        f'alt="{html.escape(alt)}" width="{width}" height="{height}">'
    )
    caption = html.escape(f"{alt} {steps}.")
    data = {"n": n, "layers": [list(layer) for layer in layers]}
    return _explorable("fields", data, still, caption)


def descent_explorable(X, Y, start, rate, steps, curvatures):
    """Gradient descent for a 1 x 2 kernel from `start` on the loss
    sum((corr2d(X, K) - Y) ** 2); `curvatures` are the eigenvalues of its
    Hessian, from which the figure says whether a rate converges. The still
    figure shows the losses before each of `steps` steps at `rate`.
    """
    start = [float(_fmt(v)) for v in np.ravel(start)]
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
    w, losses = np.array(start), []
    for _ in range(steps):  # the page's descent, in the page's float64
        R = w[0] * X[:, :-1] + w[1] * X[:, 1:] - Y
        losses.append(float((R**2).sum()))
        w = w - rate * 2 * np.array(
            [(R * X[:, :-1]).sum(), (R * X[:, 1:]).sum()]
        )
    shown = ", ".join(f"{v:.4g}" for v in losses)
    alt = (
        f"Gradient descent at rate {_fmt(rate)} from the kernel "
        f"[{_fmt(start[0])}, {_fmt(start[1])}]: the loss before each of its "
        f"{len(losses)} steps is {shown}."
    )
    top = np.log1p(max(losses))
    points = " ".join(
        f"{20 + 380 * i / max(len(losses) - 1, 1):.1f},"
        f"{200 - 180 * np.log1p(v) / top:.1f}"
        for i, v in enumerate(losses)
    )
    body = (
        '<path d="M20 20V200H400" fill="none" stroke="#1b1b1b"/>'
        f'<polyline points="{points}" fill="none" stroke="#b00020" '
        'stroke-width="2"/><text x="30" y="16">log(1 + loss), '
        f"{len(losses)} steps</text>"
    )
    still = (
        f'<img src="{_svg_uri(420, 220, body, alt)}" '
        f'alt="{html.escape(alt)}" width="420" height="220">'
    )
    data = {
        "X": _as_lists(X),
        "Y": _as_lists(Y),
        "start": start,
        "rate": float(_fmt(rate)),
        "steps": int(steps),
        "curvatures": [float(c) for c in np.ravel(curvatures)],
        "box": [-1.5, 2.5],
    }
    return _explorable("descent", data, still, html.escape(alt))
