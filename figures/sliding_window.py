"""Draw the sliding-window diagram of chapter 1 into figures/sliding_window.svg.

Run `make refresh` after changing it: the chapter embeds the SVG inline, so it shows in
Colab where only the notebook is present. `python sliding_window.py OUT.svg` writes elsewhere.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

OUTPUT = Path(__file__).with_suffix(".svg")
WINDOW = "#E69F00"  # Okabe-Ito orange: distinct for every common colour-vision type
RESULT = "#56B4E9"  # Okabe-Ito sky blue


def draw_grid(ax, values, x0, y0, highlight=None, colour=WINDOW, title=""):
    """Draw `values` as a grid of labelled cells with top-left corner (x0, y0)."""
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            inside = (
                highlight
                and highlight[0] <= r < highlight[0] + highlight[2]
                and highlight[1] <= c < highlight[1] + highlight[3]
            )
            ax.add_patch(
                Rectangle(
                    (x0 + c, y0 - r - 1), 1, 1, edgecolor="black", facecolor=colour if inside else "white", linewidth=1
                )
            )
            ax.text(x0 + c + 0.5, y0 - r - 0.5, f"{values[r, c]:g}", ha="center", va="center", fontsize=11)
    ax.text(x0 + cols / 2, y0 + 0.35, title, ha="center", va="bottom", fontsize=10)


def main(path=OUTPUT):
    image = np.arange(9).reshape(3, 3)
    kernel = np.arange(4).reshape(2, 2)
    output = np.array([[19, 25], [37, 43]])
    plt.rcParams["svg.hashsalt"] = "sliding-window"
    plt.rcParams["svg.fonttype"] = "none"
    fig, axes = plt.subplots(2, 2, figsize=(9, 4.6))
    for ax, (i, j) in zip(axes.ravel(), [(0, 0), (0, 1), (1, 0), (1, 1)]):
        draw_grid(ax, image, 0, 3, highlight=(i, j, 2, 2), title="input")
        ax.text(3.5, 1.5, "⋆", ha="center", va="center", fontsize=16)
        draw_grid(ax, kernel, 4, 2.5, title="kernel")
        ax.text(6.5, 1.5, "=", ha="center", va="center", fontsize=16)
        draw_grid(ax, output, 7, 2.5, highlight=(i, j, 1, 1), colour=RESULT, title="output")
        window = image[i : i + 2, j : j + 2].ravel()
        terms = " + ".join(f"{x}·{k}" for x, k in zip(window, kernel.ravel()))
        ax.text(4.5, -0.7, f"{terms} = {output[i, j]}", ha="center", va="center", fontsize=10)
        ax.set_xlim(-0.2, 9.2)
        ax.set_ylim(-1.1, 3.8)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.savefig(path, bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)


if __name__ == "__main__":
    main(*sys.argv[1:])
