"""Draw chapter 1's fast form of cross-correlation into figures/shifted_slices.svg.

The 3 x 3 input and 2 x 2 kernel of the chapter: for each kernel weight K[a, b], the slice of
the input shifted by (a, b) (shaded), times that weight; the four weighted slices add up to
the output. Run `make refresh` after changing it (the chapter embeds the SVG inline, for
Colab); `python shifted_slices.py OUT.svg` writes elsewhere.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

OUTPUT = Path(__file__).with_suffix(".svg")
SLICE = "#E69F00"  # Okabe-Ito orange, as in sliding_window.svg
RESULT = "#56B4E9"  # Okabe-Ito sky blue
BLOCK = 4.6  # width of one term of the sum, in cells


def draw_grid(ax, values, x0, y0, shaded=None, colour=SLICE, title=""):
    """`values` as labelled cells with top-left corner (x0, y0); `shaded(r, c)` picks the filled ones."""
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            fill = colour if shaded and shaded(r, c) else "white"
            ax.add_patch(Rectangle((x0 + c, y0 - r - 1), 1, 1, edgecolor="black", facecolor=fill, linewidth=1))
            ax.text(x0 + c + 0.5, y0 - r - 0.5, f"{values[r, c]:g}", ha="center", va="center", fontsize=11)
    ax.text(x0 + cols / 2, y0 + 0.3, title, ha="center", va="bottom", fontsize=10)


def main(path=OUTPUT):
    image = np.arange(9).reshape(3, 3)
    kernel = np.arange(4).reshape(2, 2)
    plt.rcParams["svg.hashsalt"] = "shifted-slices"
    plt.rcParams["svg.fonttype"] = "none"
    fig, ax = plt.subplots(figsize=(10, 3.6))
    output = np.zeros((2, 2), dtype=int)
    for t, (a, b) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        x0 = t * BLOCK
        in_slice = lambda r, c, a=a, b=b: a <= r < a + 2 and b <= c < b + 2
        draw_grid(ax, image, x0, 6.2, in_slice, title=f"X[{a}:{a + 2}, {b}:{b + 2}]")
        weighted = kernel[a, b] * image[a : a + 2, b : b + 2]
        output += weighted
        draw_grid(ax, weighted, x0 + 0.5, 2, title=f"K[{a}, {b}] = {kernel[a, b]} times it")
        ax.annotate("", xy=(x0 + 1.5, 2.75), xytext=(x0 + 1.5, 3.1), arrowprops={"arrowstyle": "->"})
        if t:
            ax.text(x0 - 0.8, 1, "+", ha="center", va="center", fontsize=16)
    ax.text(4 * BLOCK - 0.8, 1, "=", ha="center", va="center", fontsize=16)
    draw_grid(ax, output, 4 * BLOCK, 2, lambda r, c: True, RESULT, title="Y = corr2d(X, K)")
    ax.set_xlim(-0.2, 4 * BLOCK + 2.4)
    ax.set_ylim(-0.2, 7.0)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.savefig(path, bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)


if __name__ == "__main__":
    main(*sys.argv[1:])
