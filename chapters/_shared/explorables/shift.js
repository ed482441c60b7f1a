import { corr, el, field, fmt, start } from "./common.js";

// X moved s columns to the right, as jnp.roll(X, s, axis=1) moves it: what
// leaves on the right comes back on the left.
function roll(X, s) {
  const w = X[0].length;
  return X.map((r) => r.map((_, j) => r[(((j - s) % w) + w) % w]));
}

// Max pooling with a k x k window and a stride, no padding (nnx.max_pool's
// default, "VALID").
function maxPool(E, k, stride) {
  const h = Math.floor((E.length - k) / stride) + 1;
  const w = Math.floor((E[0].length - k) / stride) + 1;
  return [...Array(h)].map((_, i) =>
    [...Array(w)].map((_, j) => {
      let m = -Infinity;
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++)
          m = Math.max(m, E[i * stride + a][j * stride + b]);
      return m;
    }),
  );
}

// The columns in which a map holds its largest response anywhere.
function columns(P, value) {
  const found = P[0].map((_, j) => P.some((r) => r[j] === value));
  const list = found.flatMap((on, j) => (on ? [j] : []));
  return list.length ? list.join(", ") : "none";
}

function build(live, d, id) {
  const state = { shift: d.shift, window: d.window, stride: d.stride };
  const controls = live.appendChild(el("fieldset"));
  controls.appendChild(el("legend", {}, "Shift and pooling"));
  const message = el("p", { class: "cfi-msg", id: `${id}-m` });
  const sl = controls.appendChild(el("label", {}, "Shift "));
  const slider = sl.appendChild(
    el("input", { type: "range", min: 0, max: 3, step: 1, value: d.shift }),
  );
  const typed = field("Shift (typed)", d.shift, message, 0, 3, true, (v) => {
    state.shift = v;
    slider.value = v;
    render();
  });
  controls.appendChild(el("label", {}, "or type it ")).appendChild(typed);
  slider.addEventListener("input", () => {
    state.shift = Number(slider.value);
    typed.value = fmt(state.shift);
    typed.setAttribute("aria-invalid", "false");
    message.textContent = "";
    render();
  });
  const width = d.X[0].length - d.K[0].length + 1;
  const height = d.X.length - d.K.length + 1;
  for (const [name, low, high] of [
    ["window", 1, 4],
    ["stride", 1, 3],
  ]) {
    const label = controls.appendChild(el("label", {}, `Pooling ${name} `));
    label.appendChild(
      field(`Pooling ${name}`, state[name], message, low, high, true, (v) => {
        const k = name === "window" ? v : state.window;
        if (k > Math.min(width, height))
          return `a ${k} \u00d7 ${k} window does not fit the edge map`;
        state[name] = v;
        render();
        return "";
      }),
    );
  }
  controls.appendChild(message);
  const row = live.appendChild(el("div", { class: "cfi-row" }));
  function grid(title) {
    const figure = row.appendChild(el("figure"));
    const g = figure.appendChild(
      el("div", { class: "cfi-grid cfi-shift", role: "img" }),
    );
    figure.appendChild(el("figcaption", {}, title));
    return g;
  }
  const grids = [
    grid("the image, shifted"),
    grid("its edge map"),
    grid("pooled, unshifted"),
    grid("pooled, shifted"),
  ];
  const said = live.appendChild(
    el("p", { class: "cfi-out cfi-shift-said", "aria-live": "polite" }),
  );
  function show(g, name, A, marked) {
    g.style.gridTemplateColumns = `repeat(${A[0].length},auto)`;
    g.replaceChildren(
      ...A.flatMap((r, i) =>
        r.map((v, j) =>
          el("span", { class: marked?.(i, j) ? "cfi-cur" : "" }, fmt(v)),
        ),
      ),
    );
    const rows = A.map((r, i) => `row ${i}: ${r.map(fmt).join(" ")}`);
    g.setAttribute("aria-label", `${name}, ${rows.join("; ")}`);
  }
  function render() {
    const { shift, window: k, stride } = state;
    const X = roll(d.X, shift);
    const E = corr(X, d.K);
    const before = maxPool(corr(d.X, d.K), k, stride);
    const after = maxPool(E, k, stride);
    const differs = (i, j) => before[i][j] !== after[i][j];
    let count = 0;
    after.forEach((r, i) => {
      r.forEach((_, j) => {
        if (differs(i, j)) count += 1;
      });
    });
    show(grids[0], `the image moved ${shift} to the right`, X);
    show(grids[1], "its edge map", E);
    show(grids[2], "the unshifted edge map pooled", before);
    show(grids[3], "the shifted edge map pooled", after, differs);
    const top = Math.max(...before.flat());
    const h = after.length,
      w = after[0].length;
    said.textContent =
      `Shift ${shift}, window ${k} \u00d7 ${k}, stride ${stride}: pooled ` +
      `map ${h} \u00d7 ${w}; ${count} of ${h * w} positions differ from ` +
      `the unshifted pooled map (marked); its largest response, ` +
      `${fmt(top)}, is in columns ${columns(after, top)} (unshifted: ` +
      `${columns(before, top)}).`;
  }
  render();
}

start("shift", build);
