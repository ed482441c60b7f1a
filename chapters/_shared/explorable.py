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
.cfi-grid.cfi-shift>*{min-width:1.9rem;height:1.9rem}
.cfi label{margin-right:.5rem;white-space:nowrap}
.cfi label input{width:3.2rem}
@media print{.cfi-live{display:none!important}
.cfi-still{display:block!important}}
"""

# The JavaScript of each kind is chapters/_shared/explorables/KIND.js, which
# imports from common.js; `make refresh` writes both here, for the kinds this
# chapter uses, as classic scripts (tools/shared_code.py).
EXPLORABLE_COMMON = ""
EXPLORABLE_SCRIPTS = {}


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


def _svg_img(width, height, body, alt):
    """An <img> of the SVG drawing `body`, with `alt` as its text."""
    return (
        f'<img src="{_svg_uri(width, height, body, alt)}" '
        f'alt="{html.escape(alt)}" width="{width}" height="{height}">'
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
    if kind not in EXPLORABLE_SCRIPTS:
        raise ValueError(
            f"this notebook carries no script for the {kind} explorable: "
            "run `make refresh` on it (it writes the kinds a chapter calls)"
        )
    script = (
        '(() => {\n"use strict";\n'
        + EXPLORABLE_COMMON
        + EXPLORABLE_SCRIPTS[kind]
        + "})();"
    )
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
    still = _svg_img(width, height, body, alt)
    caption = f"{html.escape(first)}. Step the kernel and edit the numbers."
    return _explorable("sliding", {"X": X, "K": K}, still, caption)


def _grey(Y, limit):
    """The chapter's grey scale: -limit black, 0 mid-grey, limit white."""
    if not limit > 0:
        return np.full(np.shape(Y), 128)
    level = np.floor(256 * (np.asarray(Y, np.float64) + limit) / (2 * limit))
    return np.clip(level, 0, 255)


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
    limit = float(np.percentile(np.abs(np.asarray(filtered, np.float64)), 99))
    h, w = filtered.shape
    text = (
        f"Y = corr2d(X, K), {h} × {w}: values from {low} to {high}; grey "
        f"from −{_fmt(limit)} (black) through 0 (mid-grey) to "
        f"{_fmt(limit)} (white), {_fmt(limit)} the 99th percentile of |Y|"
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
        f'<img src="{_png(_grey(filtered, limit))}" alt="{html.escape(alt)}" '
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
    still = _svg_img(width, height, body, alt)
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
    still = _svg_img(420, 220, body, alt)
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


def _max_pool(E, k, stride):
    """Max pooling with a k x k window, no padding, in NumPy."""
    h, w = (
        (np.shape(E)[0] - k) // stride + 1,
        (np.shape(E)[1] - k) // stride + 1,
    )
    return np.array(
        [
            [
                np.max(
                    E[i * stride : i * stride + k, j * stride : j * stride + k]
                )
                for j in range(w)
            ]
            for i in range(h)
        ]
    )


def shift_pooling_explorable(X, K, shift, window, stride, pooled):
    """The image X moved 0 to 3 pixels to the right (jnp.roll along the
    columns), its edge map corr2d(X, K), and that map max-pooled, unshifted
    and shifted. `pooled` holds the chapter's two library results for the
    starting state, [unshifted, moved by `shift`], which must agree with the
    page's arithmetic; the still figure shows them.
    """
    X, K = np.asarray(X, np.float64), np.asarray(K, np.float64)
    kh, kw = K.shape
    h, w = X.shape[0] - kh + 1, X.shape[1] - kw + 1

    def edges(image):
        return sum(
            K[a, b] * image[a : a + h, b : b + w]
            for a in range(kh)
            for b in range(kw)
        )

    moved = np.roll(X, shift, axis=1)
    before, after = (
        _max_pool(edges(image), window, stride) for image in (X, moved)
    )
    for name, ours, theirs in zip(
        ["unshifted", "shifted"], [before, after], pooled
    ):
        if np.shape(theirs) != ours.shape or not np.allclose(ours, theirs):
            raise ValueError(
                f"the {name} pooled map given differs from max pooling the "
                f"edge map with a {window} x {window} window, stride {stride}"
            )
    differ = before != after
    cell = 24
    left = [10]
    for A in (moved, edges(moved), before):
        left.append(left[-1] + cell * (A.shape[1] + 1))
    titles = [
        f"moved {shift} right",
        "edge map",
        "pooled, unshifted",
        "pooled, shifted",
    ]
    body = "".join(
        _svg_grid(A, x, 30, cell, title, marked, "#9fd0ff")
        for A, x, title, marked in zip(
            (moved, edges(moved), before, after),
            left,
            titles,
            (
                lambda i, j: False,
                lambda i, j: False,
                lambda i, j: False,
                lambda i, j: differ[i, j],
            ),
        )
    )
    width = left[-1] + cell * after.shape[1] + 10
    height = 40 + cell * X.shape[0]
    top = before.max()

    def columns(P):
        found = [j for j in range(P.shape[1]) if (P[:, j] == top).any()]
        return ", ".join(map(str, found)) or "none"

    hh, ww = after.shape
    text = (
        f"Shift {shift}, window {window} × {window}, stride {stride}: "
        f"pooled map {hh} × {ww}; {int(differ.sum())} of {hh * ww} positions "
        "differ from the unshifted pooled map (marked); its largest "
        f"response, {_fmt(top)}, is in columns {columns(after)} (unshifted: "
        f"{columns(before)})."
    )
    still = _svg_img(width, height, body, text)
    data = {
        "X": _as_lists(X),
        "K": _as_lists(K),
        "shift": int(shift),
        "window": int(window),
        "stride": int(stride),
    }
    return _explorable("shift", data, still, html.escape(text))


def conv_matrix_explorable(X, K, W, g, back, row=0):
    """W, the matrix of cross-correlation with K on inputs shaped like X,
    beside X: a row of W lights up its window on X; and W^T vec(g) for an
    output-shaped g. `W` and `back` = W^T vec(g) are the chapter's own
    results, which must agree with the page's arithmetic; the still figure
    shows them, with row `row` chosen.
    """
    X, K = np.asarray(X, np.float64), np.asarray(K, np.float64)
    W, g = np.asarray(W, np.float64), np.asarray(g, np.float64)
    (h, w), (kh, kw) = X.shape, K.shape
    oh, ow = h - kh + 1, w - kw + 1
    ours = np.zeros((oh, ow, h, w))
    for i in range(oh):
        for j in range(ow):
            ours[i, j, i : i + kh, j : j + kw] = K
    ours = ours.reshape(oh * ow, h * w)
    if W.shape != ours.shape or not np.allclose(W, ours):
        raise ValueError("W is not the matrix of cross-correlation with K")
    if not np.allclose(np.ravel(back), W.T @ g.ravel()):
        raise ValueError("back is not W.T @ vec(g)")
    i, j = divmod(row, ow)
    lit = np.zeros((h, w), bool)
    lit[i : i + kh, j : j + kw] = True
    terms = " + ".join(
        f"{_fmt(K[a, b])}×{_fmt(X[i + a, j + b])}"
        for a in range(kh)
        for b in range(kw)
    )
    y = _fmt(W[row] @ X.ravel())
    text = (
        f"Row {row} of W is output ({i}, {j}): Y[{i}, {j}] = {terms} = {y}, "
        "the window of X it lights up times the kernel. W transposed times "
        f"vec(g), g = {_as_lists(g)}: {_as_lists(np.reshape(back, (h, w)))}."
    )
    cell = 24
    left = [10, 10 + cell * (w * h + 1), 10 + cell * (w * h + w + 2)]
    body = (
        _svg_grid(W, left[0], 30, cell, "W", lambda r, p: r == row, "#9fd0ff")
        + _svg_grid(X, left[1], 30, cell, "X", lambda a, b: lit[a, b])
        + _svg_grid(
            np.reshape(back, (h, w)),
            left[2],
            30,
            cell,
            "W^T vec(g)",
            lambda a, b: lit[a, b],
        )
    )
    width = left[2] + cell * w + 10
    height = 40 + cell * max(W.shape[0], h)
    still = _svg_img(width, height, body, text)
    data = {"X": _as_lists(X), "K": _as_lists(K), "g": _as_lists(g)}
    data["row"] = int(row)
    return _explorable("matrix", data, still, html.escape(text))
