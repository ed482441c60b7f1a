import { el, field, start } from "./common.js";

const KINDS = ["convolution", "max pooling", "average pooling"];
function build(live, d, id) {
  const state = {
    n: d.n,
    count: d.layers.length,
    layers: d.layers.map((l) => l.slice()),
  };
  while (state.layers.length < 3) state.layers.push(["convolution", 3, 1, 0]);
  let focus = [0, 0];
  function sizes(s) {
    const out = [s.n];
    for (const [, k, stride, pad] of s.layers.slice(0, s.count)) {
      const n = out[out.length - 1];
      if (n + 2 * pad < k)
        return {
          error:
            "the window, " +
            k +
            " wide, " +
            "does not fit the " +
            n +
            " \u00d7 " +
            n +
            " map padded by " +
            pad,
        };
      out.push(Math.floor((n + 2 * pad - k) / stride) + 1);
    }
    return { sizes: out };
  }
  // try a change on a copy; keep it only if every layer still fits
  function attempt(change) {
    const copy = {
      n: state.n,
      count: state.count,
      layers: state.layers.map((l) => l.slice()),
    };
    change(copy);
    const r = sizes(copy);
    if (r.error) return r.error;
    Object.assign(state, copy);
    render();
    return "";
  }
  const top = live.appendChild(el("div", { class: "cfi-row" }));
  const general = top.appendChild(el("fieldset"));
  general.appendChild(el("legend", {}, "Network"));
  const gm = el("p", { class: "cfi-msg", id: `${id}-n` });
  const nl = general.appendChild(el("label", {}, "Input size "));
  nl.appendChild(
    field("Input size", state.n, gm, 1, 16, true, (v) =>
      attempt((s) => {
        s.n = v;
      }),
    ),
  );
  const cl = general.appendChild(el("label", {}, "Layers "));
  const count = cl.appendChild(el("select"));
  for (const c of [1, 2, 3]) count.appendChild(el("option", { value: c }, c));
  count.value = state.count;
  count.addEventListener("change", () => {
    gm.textContent = attempt((s) => {
      s.count = Number(count.value);
    });
  });
  general.appendChild(gm);
  const boxes = state.layers.map((layer, l) => {
    const box = top.appendChild(el("fieldset"));
    box.appendChild(el("legend", {}, `Layer ${l + 1}`));
    const m = el("p", { class: "cfi-msg", id: `${id}-l${l}` });
    const kl = box.appendChild(el("label", {}, "Kind "));
    const kind = kl.appendChild(
      el("select", { "aria-label": `Layer ${l + 1} kind` }),
    );
    for (const k of KINDS) kind.appendChild(el("option", { value: k }, k));
    kind.value = layer[0];
    kind.addEventListener("change", () =>
      attempt((s) => {
        s.layers[l][0] = kind.value;
      }),
    );
    [
      ["window", 1, 1, 7],
      ["stride", 2, 1, 4],
      ["padding", 3, 0, 3],
    ].forEach(([name, at, low, high]) => {
      const lab = box.appendChild(el("label", {}, `${name} `));
      lab.appendChild(
        field(`Layer ${l + 1} ${name}`, layer[at], m, low, high, true, (v) =>
          attempt((s) => {
            s.layers[l][at] = v;
          }),
        ),
      );
    });
    box.appendChild(m);
    return box;
  });
  const shapes = live.appendChild(el("ol", { class: "cfi-out" }));
  const maps = live.appendChild(el("div", { class: "cfi-row" }));
  const inputBox = maps.appendChild(el("figure"));
  const inputGrid = inputBox.appendChild(
    el("div", { class: "cfi-grid cfi-small", role: "img" }),
  );
  inputBox.appendChild(
    el(
      "figcaption",
      {},
      "input: the receptive field " + "of the chosen output cell",
    ),
  );
  const outputBox = maps.appendChild(el("figure"));
  const outputGrid = outputBox.appendChild(
    el("div", {
      class: "cfi-grid cfi-small",
      role: "grid",
      "aria-label": "output cells: " + "arrow keys choose one",
    }),
  );
  outputBox.appendChild(
    el("figcaption", {}, "output: choose a cell with " + "the arrow keys"),
  );
  const said = live.appendChild(
    el("p", { class: "cfi-out cfi-field", "aria-live": "polite" }),
  );
  // the input pixels output index i depends on, along one axis
  function field1d(i) {
    let on = new Set([i]);
    const s = sizes(state).sizes;
    for (let l = state.count - 1; l >= 0; l--) {
      const [, k, stride, pad] = state.layers[l],
        next = new Set();
      on.forEach((o) => {
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
    const run =
      list.length && list[list.length - 1] - list[0] + 1 === list.length;
    if (!list.length) return "none (only padding)";
    return run ? `${list[0]} to ${list[list.length - 1]}` : list.join(", ");
  }
  let outputCells = [];
  function render(keepFocus) {
    const s = sizes(state).sizes,
      n = s[0],
      m = s[s.length - 1];
    focus = [Math.min(focus[0], m - 1), Math.min(focus[1], m - 1)];
    boxes.forEach((b, l) => {
      b.hidden = l >= state.count;
    });
    shapes.replaceChildren(
      ...state.layers
        .slice(0, state.count)
        .map(([kind, k, stride, pad], l) =>
          el(
            "li",
            {},
            "layer " +
              (l + 1) +
              ", " +
              kind +
              ": \u230a(" +
              s[l] +
              " + 2\u00d7" +
              pad +
              " \u2212 " +
              k +
              ") / " +
              stride +
              "\u230b + 1 = " +
              s[l + 1] +
              ", a " +
              s[l + 1] +
              " \u00d7 " +
              s[l + 1] +
              " map",
          ),
        ),
    );
    const rows = field1d(focus[0]),
      cols = field1d(focus[1]);
    inputGrid.style.gridTemplateColumns = `repeat(${n},auto)`;
    inputGrid.replaceChildren(
      ...[...Array(n * n)].map((_, p) => {
        const on = rows.includes(Math.floor(p / n)) && cols.includes(p % n);
        return el("span", { class: on ? "cfi-win" : "" });
      }),
    );
    const text =
      "Output (" +
      focus[0] +
      ", " +
      focus[1] +
      ") of the " +
      m +
      " \u00d7 " +
      m +
      " output sees input rows " +
      span(rows) +
      " and columns " +
      span(cols) +
      ": " +
      rows.length +
      " \u00d7 " +
      cols.length +
      " of the " +
      n +
      " \u00d7 " +
      n +
      " pixels.";
    inputGrid.setAttribute("aria-label", text);
    outputGrid.style.gridTemplateColumns = `repeat(${m},auto)`;
    outputCells = [...Array(m * m)].map((_, p) => {
      const i = Math.floor(p / m),
        j = p % m;
      const here = i === focus[0] && j === focus[1];
      const cell = el("span", {
        role: "gridcell",
        class: here ? "cfi-cur" : "",
        tabindex: here ? 0 : -1,
        "aria-label": `output (${i}, ${j})`,
        "aria-selected": here ? "true" : "false",
      });
      cell.addEventListener("click", () => move(i, j));
      return cell;
    });
    const lines = [];
    for (let i = 0; i < m; i++)
      lines.push(el("div", { role: "row", style: "display:contents" }));
    outputCells.forEach((c, p) => {
      lines[Math.floor(p / m)].appendChild(c);
    });
    outputGrid.replaceChildren(...lines);
    said.textContent = text;
    if (keepFocus) outputCells[focus[0] * m + focus[1]].focus();
  }
  function move(i, j) {
    const m = sizes(state).sizes.slice(-1)[0];
    focus = [Math.max(0, Math.min(m - 1, i)), Math.max(0, Math.min(m - 1, j))];
    render(true);
  }
  const STEPS = {
    ArrowUp: [-1, 0],
    ArrowDown: [1, 0],
    ArrowLeft: [0, -1],
    ArrowRight: [0, 1],
  };
  outputGrid.addEventListener("keydown", (event) => {
    const step = STEPS[event.key];
    if (!step) return;
    event.preventDefault();
    move(focus[0] + step[0], focus[1] + step[1]);
  });
  render(false);
}

start("fields", build);
