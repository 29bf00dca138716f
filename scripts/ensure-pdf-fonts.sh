#!/bin/sh
# Make sure Pango (WeasyPrint's text layout library), a CJK font (WeasyPrint prints Chinese as
# empty boxes, without an error, when none is installed) and poppler-utils (`pdftotext`, which the tests use to read the PDF summary of an
# evidence pack back) are installed. Idempotent: does nothing when both are there.
#
#   scripts/ensure-pdf-fonts.sh          # as root, or with sudo available
set -eu

has_pdf_tools() {
    command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "wqy" \
        && command -v pdftotext >/dev/null 2>&1 \
        && /sbin/ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0"
}

if has_pdf_tools; then
    echo "Pango, PDF fonts and pdftotext already installed"
    exit 0
fi
sh "$(dirname "$0")/apt-install.sh" ensure-pdf-fonts fonts-wqy-microhei poppler-utils libpango-1.0-0 libpangoft2-1.0-0
if ! has_pdf_tools; then
    echo "ensure-pdf-fonts: apt-get finished but Pango, the font or pdftotext is still missing" >&2
    exit 1
fi
echo "Pango, PDF fonts and pdftotext installed"
