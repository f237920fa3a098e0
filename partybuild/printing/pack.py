"""The PDFs of an inspection pack (``services.pack``), painted in memory as the print preview
paints them: sign-in sheets, the branch's roster and the year's summary."""

from __future__ import annotations

from partybuild import __version__
from partybuild.printing import data
from partybuild.printing.layout import Document
from partybuild.printing.pdf import pdf_bytes
from partybuild.printing.render import render

CREATOR = f"partybuild {__version__}"


def _document_pdf(document: Document) -> bytes:
    content, _pages = pdf_bytes(
        lambda writer: render(document, writer), title=document.title, creator=CREATOR
    )
    return content


class PackPdfs:
    """:class:`partybuild.services.pack.PdfMaker` on the printing package (needs a
    QGuiApplication and the bundled font)."""

    def activity_signin(self, activity_id: int) -> bytes:
        return _document_pdf(data.activity_signin(activity_id))

    def training_signin(self, training_id: int) -> bytes:
        return _document_pdf(data.training_signin(training_id))

    def roster(self, branch_id: int, unmasked: bool) -> bytes:
        return _document_pdf(data.branch_roster(branch_id, unmasked=unmasked))

    def summary(self, year: int) -> bytes:
        from partybuild.printing import annual_report
        from partybuild.services.report import build_summary

        summary = build_summary(year)
        html_text = annual_report.summary_html(summary)

        def paint(writer: object) -> int:
            writer.setPageLayout(annual_report.a4_layout())  # type: ignore[attr-defined]
            return annual_report.render(html_text, writer, annual_report.PDF_RESOLUTION)  # type: ignore[arg-type]

        content, _pages = pdf_bytes(
            paint, title=summary.title, creator=CREATOR, resolution=annual_report.PDF_RESOLUTION
        )
        return content
