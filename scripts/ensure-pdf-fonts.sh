#!/bin/sh
# Make sure a CJK font (WeasyPrint prints Chinese as empty boxes, without an error, when none is
# installed) and poppler-utils (`pdftotext`, which the tests use to read the PDF summary of an
# evidence pack back) are installed. Idempotent: does nothing when both are there.
#
#   scripts/ensure-pdf-fonts.sh          # as root, or with sudo available
set -eu

has_font_and_pdftotext() {
    command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "wqy" \
        && command -v pdftotext >/dev/null 2>&1
}

if has_font_and_pdftotext; then
    echo "PDF fonts and pdftotext already installed"
    exit 0
fi
sh "$(dirname "$0")/apt-install.sh" ensure-pdf-fonts fonts-wqy-microhei poppler-utils
if ! has_font_and_pdftotext; then
    echo "ensure-pdf-fonts: apt-get finished but the font or pdftotext is still missing" >&2
    exit 1
fi
echo "PDF fonts and pdftotext installed"
