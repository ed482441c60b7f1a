import { corr, el, field, fmt, start } from "./common.js";

// The 99th percentile, as numpy's: linear between the two nearest ranks.
function percentile99(values) {
  const a = Float64Array.from(values).sort(),
    at = 0.99 * (a.length - 1),
    below = Math.floor(at);
  if (below + 1 >= a.length) return a[below];
  return a[below] + (a[below + 1] - a[below]) * (at - below);
}

// The chapter's grey scale: -limit black, 0 mid-grey, limit white, clipped.
function grey(v, limit) {
  if (!(limit > 0)) return 128;
  const level = Math.floor((256 * (v + limit)) / (2 * limit));
  return Math.max(0, Math.min(255, level));
}

function build(live, d, id) {
  const K = d.presets[d.initial].map((r) => r.slice()),
    cells = [];
  const row = live.appendChild(el("div", { class: "cfi-row" }));
  const box = row.appendChild(el("fieldset"));
  box.appendChild(el("legend", {}, "Kernel K"));
  const label = box.appendChild(el("label", {}, "Preset "));
  const preset = label.appendChild(el("select"));
  for (const name in d.presets)
    preset.appendChild(el("option", { value: name }, name));
  preset.value = d.initial;
  const g = box.appendChild(
    el("div", {
      class: "cfi-grid",
      style: "grid-template-columns:repeat(3,auto);margin-top:.4rem",
    }),
  );
  const message = el("p", { class: "cfi-msg", id: `${id}-k` });
  K.forEach((r, i) => {
    r.forEach((v, j) => {
      const input = field(
        `K[${i}, ${j}]`,
        v,
        message,
        -1e6,
        1e6,
        false,
        (value) => {
          K[i][j] = value;
          render();
        },
      );
      cells.push(input);
      g.appendChild(input);
    });
  });
  box.appendChild(message);
  const pictures = row.appendChild(el("div", { class: "cfi-row" }));
  const photo = pictures.appendChild(el("figure"));
  const source = photo.appendChild(
    document.querySelector(`#${id} .cfi-photo`).cloneNode(),
  );
  photo.appendChild(el("figcaption", {}, "the photograph X"));
  const result = pictures.appendChild(el("figure"));
  const canvas = result.appendChild(el("canvas", { role: "img" }));
  const caption = result.appendChild(el("figcaption"));
  const status = live.appendChild(
    el("p", { class: "cfi-out cfi-range", "aria-live": "polite" }),
  );
  let X = null;
  preset.addEventListener("change", () => {
    const P = d.presets[preset.value];
    P.forEach((r, i) => {
      r.forEach((v, j) => {
        K[i][j] = v;
        cells[3 * i + j].value = fmt(v);
        cells[3 * i + j].setAttribute("aria-invalid", "false");
      });
    });
    message.textContent = "";
    render();
  });
  function render() {
    if (!X) return;
    const Y = corr(X, K),
      h = Y.length,
      w = Y[0].length;
    const values = Y.flat(),
      low = Math.min(...values),
      high = Math.max(...values),
      limit = percentile99(values.map(Math.abs));
    canvas.width = w;
    canvas.height = h;
    const c = canvas.getContext("2d"),
      image = c.createImageData(w, h);
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const v = grey(Y[i][j], limit);
        image.data.set([v, v, v, 255], 4 * (i * w + j));
      }
    c.putImageData(image, 0, 0);
    const text =
      `Y = corr2d(X, K), ${h} \u00d7 ${w}: values from ${fmt(low)} to ` +
      `${fmt(high)}; grey from \u2212${fmt(limit)} (black) through 0 ` +
      `(mid-grey) to ${fmt(limit)} (white), ${fmt(limit)} the 99th ` +
      "percentile of |Y|";
    canvas.setAttribute("aria-label", `the filtered photograph. ${text}`);
    caption.textContent = "the filtered photograph Y";
    status.textContent = text;
  }
  source.decode().then(() => {
    const c = el("canvas", { width: d.size[1], height: d.size[0] });
    const g = c.getContext("2d", { willReadFrequently: true });
    g.drawImage(source, 0, 0);
    const px = g.getImageData(0, 0, d.size[1], d.size[0]).data;
    X = [...Array(d.size[0])].map((_, i) =>
      [...Array(d.size[1])].map((_, j) => px[4 * (i * d.size[1] + j)]),
    );
    render();
  });
}

start("playground", build);
