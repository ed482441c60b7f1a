"""Draw chapter 6's padded grid with its stride-2 windows into figures/padded_stride.svg.

A 5 x 5 input padded by 1 on every side, and a 3 x 3 window that moves 2 cells at a time:
three of its nine positions are outlined, each with the output cell it fills. Run
`make refresh` after changing it (the chapter embeds the SVG inline, for Colab);
`python padded_stride.py OUT.svg` writes elsewhere.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

OUTPUT = Path(__file__).with_suffix(".svg")
# Okabe-Ito orange, blue and bluish green: distinct for every common colour-vision type
WINDOWS = {(0, 0): "#E69F00", (0, 1): "#0072B2", (1, 0): "#009E73"}
SIZE, PAD, WINDOW, STRIDE = 5, 1, 3, 2


def cell(ax, x, y, face="white", edge="black", width=1.0, hatch=None):
    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=face, edgecolor=edge, linewidth=width, hatch=hatch))


def main(path=OUTPUT):
    plt.rcParams["svg.hashsalt"] = "padded-stride"
    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["hatch.color"] = "#9a9a9a"
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    side = SIZE + 2 * PAD
    for row in range(side):
        for col in range(side):
            padding = not (PAD <= row < PAD + SIZE and PAD <= col < PAD + SIZE)
            cell(
                ax,
                col,
                side - 1 - row,
                face="#f2f2f2" if padding else "white",
                edge="#777777",
                hatch="//" if padding else None,
            )
    for (i, j), colour in WINDOWS.items():
        top, left = i * STRIDE, j * STRIDE
        ax.add_patch(
            Rectangle(
                (left + 0.06, side - top - WINDOW + 0.06),
                WINDOW - 0.12,
                WINDOW - 0.12,
                fill=False,
                edgecolor=colour,
                linewidth=3,
            )
        )
    out = (SIZE + 2 * PAD - WINDOW) // STRIDE + 1
    x0 = side + 2.2
    for i in range(out):
        for j in range(out):
            cell(ax, x0 + j, side - 2 - i, face=WINDOWS.get((i, j), "white"), edge="black")
    ax.text(side / 2, side + 0.35, "input 5 x 5, padded by 1 (hatched)", ha="center", va="bottom", fontsize=10)
    ax.text(x0 + out / 2, side - 1 + 0.35, "output 3 x 3", ha="center", va="bottom", fontsize=10)
    ax.text(x0 + out / 2, side - out - 2.6, "(5 + 2 - 3) // 2 + 1 = 3", ha="center", va="center", fontsize=10)
    ax.annotate(
        "",
        xy=(x0 - 0.3, side - 2.5),
        xytext=(side + 0.2, side - 2.5),
        arrowprops={"arrowstyle": "->", "color": "black"},
    )
    ax.text((side + x0) / 2 - 0.05, side - 1.9, "3 x 3, stride 2", ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.2, x0 + out + 0.4)
    ax.set_ylim(-0.3, side + 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.savefig(path, bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)


if __name__ == "__main__":
    main(*sys.argv[1:])
