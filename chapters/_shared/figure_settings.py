# Figures as SVG text with fixed ids and no date, so re-running a chapter reproduces them exactly.
from matplotlib_inline.backend_inline import set_matplotlib_formats

set_matplotlib_formats("svg", metadata={"Date": None})
plt.rcParams.update({"svg.hashsalt": "convolutions-for-images", "svg.fonttype": "none"})
