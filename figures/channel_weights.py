"""Draw chapter 5's picture of a layer's weights into figures/channel_weights.svg.

Left: the (c_out, c_in, kh, kw) = (2, 3, 3, 3) kernel block, one row of c_in kernels per output
channel. Right: a 1 x 1 kernel at one pixel, mixing the c_in = 3 values of that pixel into
c_out = 2, a small dense layer applied to every pixel alike. Run `make refresh` after changing
it (the chapter embeds the SVG inline, for Colab); `python channel_weights.py OUT.svg` writes
elsewhere.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, Rectangle  # noqa: E402

OUTPUT = Path(__file__).with_suffix(".svg")
# Okabe-Ito colours, one per input channel: distinct for every common colour-vision type
CHANNELS = ["#E69F00", "#56B4E9", "#009E73"]
OUTPUTS = 2


def kernel_block(ax):
    for o in range(OUTPUTS):
        y = 4.6 - 4.2 * o
        ax.text(-0.4, y - 1.5, f"K[{o}]: output\nchannel {o}", ha="right", va="center", fontsize=9)
        for c, colour in enumerate(CHANNELS):
            x = 4 * c
            for a in range(3):
                for b in range(3):
                    ax.add_patch(
                        Rectangle(
                            (x + b, y - a - 1), 1, 1, facecolor=colour, alpha=0.55, edgecolor="black", linewidth=0.8
                        )
                    )
            if o == 0:
                ax.text(x + 1.5, y + 0.3, f"c = {c}", ha="center", va="bottom", fontsize=9)
    ax.text(5.5, 5.9, "input channel c", ha="center", va="bottom", fontsize=9)
    ax.text(5.5, -4.6, "shape (c_out, c_in, kh, kw) = (2, 3, 3, 3)", ha="center", va="center", fontsize=10)
    ax.set_xlim(-3.2, 11.4)
    ax.set_ylim(-5.2, 6.8)


def one_by_one(ax):
    inputs = [(0, 2 - c) for c in range(3)]
    outputs = [(4, 1.5 - o) for o in range(OUTPUTS)]
    for x0, y0 in inputs:
        for x1, y1 in outputs:
            ax.plot([x0 + 0.35, x1 - 0.35], [y0, y1], color="#555555", linewidth=1)
    for c, ((x, y), colour) in enumerate(zip(inputs, CHANNELS)):
        ax.add_patch(Circle((x, y), 0.35, facecolor=colour, edgecolor="black"))
        ax.text(x - 0.55, y, f"X[{c}, i, j]", ha="right", va="center", fontsize=9)
    for o, (x, y) in enumerate(outputs):
        ax.add_patch(Circle((x, y), 0.35, facecolor="white", edgecolor="black"))
        ax.text(x + 0.55, y, f"Y[{o}, i, j]", ha="left", va="center", fontsize=9)
    ax.text(2, 3.1, "1 x 1 kernel at pixel (i, j)", ha="center", va="bottom", fontsize=10)
    ax.text(2, -1.1, "weight of each line: K[o, c, 0, 0]", ha="center", va="center", fontsize=9)
    ax.set_xlim(-2.4, 6.6)
    ax.set_ylim(-1.6, 3.8)


def main(path=OUTPUT):
    plt.rcParams["svg.hashsalt"] = "channel-weights"
    plt.rcParams["svg.fonttype"] = "none"
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.4), gridspec_kw={"width_ratios": [1.5, 1]})
    kernel_block(left)
    one_by_one(right)
    for ax in (left, right):
        ax.set_aspect("equal")
        ax.axis("off")
    fig.savefig(path, bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)


if __name__ == "__main__":
    main(*sys.argv[1:])
