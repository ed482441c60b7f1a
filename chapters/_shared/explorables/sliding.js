import { corr, el, factor, field, fmt, start } from "./common.js";

function build(live, d, id) {
  const X = d.X.map((r) => r.slice()),
    K = d.K.map((r) => r.slice());
  const kh = K.length,
    kw = K[0].length;
  const oh = X.length - kh + 1,
    ow = X[0].length - kw + 1;
  let pos = 0;
  const row = live.appendChild(el("div", { class: "cfi-row" }));
  const xCells = [],
    kCells = [],
    yCells = [];
  function grid(name, A, cells, editable) {
    const box = row.appendChild(el("fieldset"));
    box.appendChild(el("legend", {}, name));
    const g = box.appendChild(
      el("div", {
        class: "cfi-grid",
        style: `grid-template-columns:repeat(${A[0].length},auto)`,
      }),
    );
    const message = el("p", { class: "cfi-msg", id: `${id}-${name[0]}` });
    A.forEach((r, i) => {
      cells.push([]);
      r.forEach((v, j) => {
        const label = `${name[0]}[${i}, ${j}]`;
        const cell = editable
          ? field(label, v, message, -1e6, 1e6, false, (value) => {
              A[i][j] = value;
              render();
            })
          : el("output", { "aria-label": label });
        g.appendChild(cell);
        cells[i].push(cell);
      });
    });
    box.appendChild(message);
  }
  grid("X, the input", X, xCells, true);
  grid("K, the kernel", K, kCells, true);
  grid(
    "Y, the output",
    [...Array(oh)].map(() => Array(ow).fill(0)),
    yCells,
    false,
  );
  const controls = live.appendChild(el("div", { class: "cfi-row" }));
  const label = controls.appendChild(el("label", {}, "Kernel position "));
  const slider = label.appendChild(
    el("input", {
      type: "range",
      min: 0,
      max: oh * ow - 1,
      step: 1,
      value: 0,
    }),
  );
  const back = controls.appendChild(
    el("button", { type: "button" }, "Previous"),
  );
  const next = controls.appendChild(el("button", { type: "button" }, "Next"));
  const sum = live.appendChild(
    el("p", { class: "cfi-out cfi-sum", "aria-live": "polite" }),
  );
  function go(p) {
    pos = (p + oh * ow) % (oh * ow);
    render();
  }
  slider.addEventListener("input", () => go(Number(slider.value)));
  back.addEventListener("click", () => go(pos - 1));
  next.addEventListener("click", () => go(pos + 1));
  function render() {
    const Y = corr(X, K),
      i = Math.floor(pos / ow),
      j = pos % ow;
    slider.value = pos;
    slider.setAttribute("aria-valuetext", `row ${i}, column ${j}`);
    xCells.forEach((r, a) => {
      r.forEach((c, b) => {
        c.classList.toggle(
          "cfi-win",
          a >= i && a < i + kh && b >= j && b < j + kw,
        );
      });
    });
    yCells.forEach((r, a) => {
      r.forEach((c, b) => {
        c.textContent = fmt(Y[a][b]);
        c.classList.toggle("cfi-cur", a === i && b === j);
      });
    });
    const terms = [];
    for (let a = 0; a < kh; a++)
      for (let b = 0; b < kw; b++)
        terms.push(`${factor(X[i + a][j + b])}\u00d7${factor(K[a][b])}`);
    sum.textContent = `Y[${i}, ${j}] = ${terms.join(" + ")} = ${fmt(Y[i][j])}`;
  }
  render();
}

start("sliding", build);
