# Set-up. In Colab, install what this chapter imports that Colab may lack.
# Everywhere, draw figures as SVG text with fixed ids and no date, so that
# running the chapter again reproduces them exactly.
import subprocess
import sys

import matplotlib.pyplot as plt
from matplotlib_inline.backend_inline import set_matplotlib_formats

# This chapter's imports that a Colab runtime may lack:
packages = []
if "google.colab" in sys.modules and packages:
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + packages, check=True)

set_matplotlib_formats("svg", metadata={"Date": None})
plt.rcParams["svg.hashsalt"] = "convolutions-for-images"
plt.rcParams["svg.fonttype"] = "none"
