"""What this build of the site contains and did, said on its pages (a local Sphinx extension).

- ``{offline-copies}`` holds a Markdown list of links to the offline copies (the PDF, the slides).
  `make site` adds each copy to the HTML output folder before the HTML build only when it could
  build it (a Chromium prints the PDF, npm installs reveal.js), so an item is kept only if the file
  it links to is there: the site never links to a file it does not contain. With no item left, the
  directive shows its ``:none:`` text.
- ``{execution-report}`` shows the record of the check (nbval) that `make site` ran, read from the
  file the Makefile names in $EXECUTION_REPORT (tools/execution_report.py writes it). A build the
  Makefile did not run, such as a plain `jupyter-book build .`, ran no check: the directive shows
  its own content instead, which says so.

Both pages depend on more than their source, so Sphinx re-reads them on every build.
"""

import os
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


class BuildDirective(SphinxDirective):
    has_content = True

    def parse(self, text, source):
        self.env.note_reread()
        container = nodes.container()
        self.state.nested_parse(StringList(text.splitlines(), source), self.content_offset, container)
        return container


class OfflineCopies(BuildDirective):
    option_spec = {"none": directives.unchanged_required}

    def run(self):
        container = self.parse("\n".join(self.content), self.env.docname)
        for item in list(container.findall(nodes.list_item)):
            links = [link for raw in item.findall(nodes.raw) for link in re.findall(r'href="([^"#?]+)', raw.astext())]
            if not links or not all((Path(self.env.app.outdir) / link).is_file() for link in links):
                item.parent.remove(item)
        if not any(container.findall(nodes.list_item)):
            return [nodes.paragraph(text=self.options.get("none", ""))]
        return container.children


class ExecutionReport(BuildDirective):
    def run(self):
        report = Path(os.environ.get("EXECUTION_REPORT") or "/nonexistent")
        if not report.is_file():
            return self.parse("\n".join(self.content), self.env.docname).children
        self.env.note_dependency(str(report))
        return self.parse(report.read_text(), str(report)).children


def setup(app):
    app.add_directive("offline-copies", OfflineCopies)
    app.add_directive("execution-report", ExecutionReport)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
