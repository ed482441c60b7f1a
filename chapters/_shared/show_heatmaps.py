def show_heatmaps(arrays, titles):
    """Draw 2-D arrays side by side as heatmaps, each cell labelled with its
    value.
    """
    fig, axes = plt.subplots(
        1, len(arrays), figsize=(2.6 * len(arrays), 2.6), squeeze=False
    )
    for ax, array, title in zip(axes[0], arrays, titles):
        array = np.asarray(array)
        image = ax.imshow(array, cmap="cividis")
        if array.size <= 100:
            for (row, col), value in np.ndenumerate(array):
                colour = "white" if image.norm(value) < 0.5 else "black"
                ax.text(
                    col,
                    row,
                    f"{value:.3g}",
                    ha="center",
                    va="center",
                    color=colour,
                )
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    plt.show()
