import { el, factor, field, fmt, start } from "./common.js";

// W, the matrix of cross-correlation with K on an h x w input, beside X:
// choose an output (a row of W) and its window lights up on X; type g, an
// output-shaped array, and see W^T vec(g), the kernel scaled by each g[i, j]
// and added into the window of output (i, j).
function build(live, d, id) {
  const K = d.K,
    X = d.X,
    kh = K.length,
    kw = K[0].length;
  const h = X.length,
    w = X[0].length,
    oh = h - kh + 1,
    ow = w - kw + 1;
  const W = [...Array(oh * ow)].map((_, r) =>
    [...Array(h * w)].map((_, p) => {
      const a = Math.floor(p / w) - Math.floor(r / ow),
        b = (p % w) - (r % ow);
      return a >= 0 && a < kh && b >= 0 && b < kw ? K[a][b] : 0;
    }),
  );
  const g = d.g.map((r) => r.slice());
  let row = d.row;
  const inWindow = (r, p) => {
    const a = Math.floor(p / w) - Math.floor(r / ow),
      b = (p % w) - (r % ow);
    return a >= 0 && a < kh && b >= 0 && b < kw;
  };
  function grid(parent, title, columns, cells) {
    const figure = parent.appendChild(el("figure"));
    const box = figure.appendChild(
      el("div", {
        class: "cfi-grid",
        role: "img",
        style: `grid-template-columns:repeat(${columns},auto)`,
      }),
    );
    figure.appendChild(el("figcaption", {}, title));
    for (let n = 0; n < cells; n++) {
      const cell = box.appendChild(el("span"));
      cell.style.minWidth = "1.9rem";
      cell.style.height = "1.9rem";
    }
    return box;
  }
  const top = live.appendChild(el("div", { class: "cfi-row" }));
  const wGrid = grid(
    top,
    `W, ${oh * ow} \u00d7 ${h * w}`,
    h * w,
    W.length * h * w,
  );
  const xGrid = grid(top, `X, ${h} \u00d7 ${w}`, w, h * w);
  const controls = live.appendChild(el("div", { class: "cfi-row" }));
  const label = controls.appendChild(el("label", {}, "Row of W "));
  const slider = label.appendChild(
    el("input", { type: "range", min: 0, max: W.length - 1, step: 1 }),
  );
  slider.value = row;
  slider.addEventListener("input", () => {
    row = Number(slider.value);
    render();
  });
  const forward = live.appendChild(
    el("p", { class: "cfi-out cfi-forward", "aria-live": "polite" }),
  );
  const bottom = live.appendChild(el("div", { class: "cfi-row" }));
  const box = bottom.appendChild(el("fieldset"));
  box.appendChild(el("legend", {}, "g, one weight per output"));
  const gGrid = box.appendChild(
    el("div", {
      class: "cfi-grid",
      style: `grid-template-columns:repeat(${ow},auto)`,
    }),
  );
  const message = el("p", { class: "cfi-msg", id: `${id}-g` });
  g.forEach((r, i) => {
    r.forEach((v, j) => {
      gGrid.appendChild(
        field(`g[${i}, ${j}]`, v, message, -1e6, 1e6, false, (value) => {
          g[i][j] = value;
          render();
        }),
      );
    });
  });
  box.appendChild(message);
  const backGrid = grid(
    bottom,
    `W\u1d40 vec(g), reshaped to ${h} \u00d7 ${w}`,
    w,
    h * w,
  );
  const backward = live.appendChild(
    el("p", { class: "cfi-out cfi-backward", "aria-live": "polite" }),
  );
  function render() {
    const i = Math.floor(row / ow),
      j = row % ow;
    slider.setAttribute(
      "aria-valuetext",
      `row ${row} of W: output (${i}, ${j})`,
    );
    [...wGrid.children].forEach((cell, n) => {
      const r = Math.floor(n / (h * w));
      cell.textContent = fmt(W[r][n % (h * w)]);
      cell.className = r === row ? "cfi-cur" : "";
    });
    const terms = [];
    let y = 0;
    [...xGrid.children].forEach((cell, p) => {
      const v = X[Math.floor(p / w)][p % w];
      cell.textContent = fmt(v);
      cell.className = inWindow(row, p) ? "cfi-win" : "";
      if (inWindow(row, p)) {
        terms.push(`${factor(W[row][p])}\u00d7${factor(v)}`);
        y += W[row][p] * v;
      }
    });
    const window = X.flat().filter((_, p) => inWindow(row, p));
    wGrid.setAttribute(
      "aria-label",
      `W, row ${row} chosen: ${W[row].map(fmt).join(" ")}`,
    );
    xGrid.setAttribute(
      "aria-label",
      `X, the window of output (${i}, ${j}) lit: ${window.map(fmt).join(" ")}`,
    );
    forward.textContent =
      `Row ${row} of W is output (${i}, ${j}): Y[${i}, ${j}] = ` +
      `${terms.join(" + ")} = ${fmt(y)}, the window of X it lights up ` +
      "times the kernel.";
    // W^T vec(g): column p of W^T is row p of the transpose; add up
    // g[r] W[r][p] over the outputs r
    const back = [...Array(h * w)].map((_, p) =>
      W.reduce((s, Wr, r) => s + Wr[p] * g[Math.floor(r / ow)][r % ow], 0),
    );
    [...backGrid.children].forEach((cell, p) => {
      cell.textContent = fmt(back[p]);
      cell.className = inWindow(row, p) ? "cfi-win" : "";
    });
    backGrid.setAttribute(
      "aria-label",
      `W transpose times vec(g): ${back.map(fmt).join(" ")}`,
    );
    const copy = K.map((r) => r.map((v) => fmt(v * g[i][j])).join(", "));
    backward.textContent =
      `W\u1d40 vec(g) puts g[${i}, ${j}] \u00d7 K = [${copy.join("; ")}] ` +
      `into the window of output (${i}, ${j}) (lit), and a scaled kernel ` +
      `into every other window; where windows overlap the copies add up: ` +
      `[${back.map(fmt).join(", ")}].`;
  }
  render();
}

start("matrix", build);
