import { corr, el, field, fmt, start } from "./common.js";

function build(live, d, id) {
  const X = d.X,
    Y = d.Y,
    box = d.box;
  let rate = d.rate,
    steps = d.steps;
  function loss(w) {
    const P = corr(X, [w]);
    let s = 0;
    P.forEach((r, i) => {
      r.forEach((v, j) => {
        s += (v - Y[i][j]) ** 2;
      });
    });
    return s;
  }
  function gradient(w) {
    const P = corr(X, [w]),
      g = [0, 0];
    P.forEach((r, i) => {
      r.forEach((v, j) => {
        g[0] += 2 * (v - Y[i][j]) * X[i][j];
        g[1] += 2 * (v - Y[i][j]) * X[i][j + 1];
      });
    });
    return g;
  }
  function descend() {
    let w = d.start.slice();
    const path = [w],
      losses = [];
    for (let t = 0; t < steps; t++) {
      losses.push(loss(w));
      const g = gradient(w);
      w = [w[0] - rate * g[0], w[1] - rate * g[1]];
      path.push(w);
    }
    return { path: path, losses: losses };
  }
  const row = live.appendChild(el("div", { class: "cfi-row" }));
  const controls = row.appendChild(el("fieldset"));
  controls.appendChild(el("legend", {}, "Gradient descent"));
  const message = el("p", { class: "cfi-msg", id: `${id}-m` });
  const rl = controls.appendChild(el("label", {}, "Learning rate "));
  const slider = rl.appendChild(
    el("input", {
      type: "range",
      min: 0.001,
      max: 0.06,
      step: 0.001,
      value: rate,
    }),
  );
  const typed = field(
    "Learning rate (typed)",
    rate,
    message,
    1e-4,
    1,
    false,
    (v) => {
      rate = v;
      slider.value = v;
      draw();
    },
  );
  controls.appendChild(el("label", {}, "or type it ")).appendChild(typed);
  const sl = controls.appendChild(el("label", {}, "Steps "));
  sl.appendChild(
    field("Steps", steps, message, 1, 100, true, (v) => {
      steps = v;
      draw();
    }),
  );
  controls.appendChild(message);
  slider.addEventListener("input", () => {
    rate = Number(slider.value);
    typed.value = fmt(rate);
    typed.setAttribute("aria-invalid", "false");
    message.textContent = "";
    draw();
  });
  const figure = row.appendChild(el("figure"));
  const canvas = figure.appendChild(
    el("canvas", { role: "img", width: 240, height: 240 }),
  );
  figure.appendChild(
    el(
      "figcaption",
      {},
      "loss over the two weights " +
        "(lighter is lower), the path from the start; x: K[0, 0], y: K[0, 1]",
    ),
  );
  const said = live.appendChild(
    el("p", { class: "cfi-out cfi-descent", "aria-live": "polite" }),
  );
  const table = live.appendChild(el("p", { class: "cfi-out cfi-losses" }));
  // the loss surface, once: grey levels of log(loss)
  const size = 240,
    shade = document.createElement("canvas");
  shade.width = shade.height = size;
  const sc = shade.getContext("2d"),
    img = sc.createImageData(size, size);
  const at = (p) => box[0] + ((box[1] - box[0]) * p) / (size - 1);
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) {
      const v = Math.log(1 + loss([at(j), at(size - 1 - i)]));
      const g = Math.max(0, Math.min(255, 255 - 40 * v));
      img.data.set([g, g, 255, 255], 4 * (i * size + j));
    }
  sc.putImageData(img, 0, 0);
  function draw() {
    const r = descend(),
      c = canvas.getContext("2d");
    c.drawImage(shade, 0, 0);
    const px = (v) => ((v - box[0]) / (box[1] - box[0])) * (size - 1);
    c.strokeStyle = "#b00020";
    c.fillStyle = "#b00020";
    c.lineWidth = 2;
    c.beginPath();
    r.path.forEach((w, t) => {
      const x = px(w[0]),
        y = size - 1 - px(w[1]);
      if (t === 0) c.moveTo(x, y);
      else c.lineTo(x, y);
    });
    c.stroke();
    r.path.forEach((w) => {
      c.fillRect(px(w[0]) - 2, size - 1 - px(w[1]) - 2, 4, 4);
    });
    const last = r.path[r.path.length - 1],
      end = loss(last);
    // the text's rule: each step multiplies the error along an
    // eigenvector of the Hessian by 1 - rate * curvature
    const f = Math.max(...d.curvatures.map((c) => Math.abs(1 - rate * c)));
    const verdict =
      Math.abs(f - 1) <= 1e-9
        ? "oscillates without converging"
        : f < 1
          ? "converges"
          : "diverges";
    const text =
      "Rate " +
      fmt(rate) +
      ", " +
      steps +
      " steps: loss " +
      fmt(r.losses[0]) +
      " at the start, " +
      fmt(end) +
      " after the last " +
      "step; kernel [" +
      fmt(last[0]) +
      ", " +
      fmt(last[1]) +
      "]. " +
      "Largest |1 \u2212 rate \u00d7 curvature| = " +
      fmt(f) +
      ", so it " +
      verdict +
      ".";
    canvas.setAttribute("aria-label", text);
    said.textContent = text;
    const losses = r.losses.map(fmt).join(", ");
    table.textContent = `Loss before each step: ${losses}`;
  }
  draw();
}

start("descent", build);
