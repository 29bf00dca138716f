"""The PDF summary, printed by WeasyPrint from pack/summary.html.

Deterministic: the creation and modification dates come from the template's `dcterms.created` /
`dcterms.modified` meta elements (set to `as_of`) and WeasyPrint writes no random document id.
Chinese needs a CJK font on the machine (scripts/ensure-pdf-fonts.sh): without one WeasyPrint
prints empty boxes without an error.
"""

from __future__ import annotations

import logging

from audit_export.pack.html import Report, render_summary

# WeasyPrint reports every CSS property it does not support at WARNING; that is noise here.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_summary(report)).write_pdf()
    return pdf
