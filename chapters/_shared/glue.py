# Numbers the text quotes come from the code: `glue(name, value)` records a
# value, and the text shows it where it says {glue:text}`name`. The site is
# built with myst-nb, whose glue this is; without it (in Colab), the same
# record is written by hand.
try:
    from myst_nb import glue
except ImportError:
    from IPython.core.formatters import format_display_data
    from IPython.display import display as _display

    def glue(name, value, display=True):
        """Record `value` for the text under `name` (and show it)."""
        bundle, metadata = format_display_data(value)
        prefix = "" if display else "application/papermill.record/"
        metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
        bundle = {prefix + key: data for key, data in bundle.items()}
        _display(bundle, raw=True, metadata=metadata)
