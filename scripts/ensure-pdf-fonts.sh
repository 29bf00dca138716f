#!/bin/sh
# Make sure a CJK font (WeasyPrint prints Chinese as empty boxes, without an error, when none is
# installed) and poppler-utils (`pdftotext`, which the tests use to read the PDF summary of an
# evidence pack back) are installed. Idempotent: does nothing when both are there.
#
#   scripts/ensure-pdf-fonts.sh          # as root, or with sudo available
set -eu

PACKAGES="fonts-wqy-microhei poppler-utils"

has_font() {
    command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "wqy"
}

if has_font && command -v pdftotext >/dev/null 2>&1; then
    echo "PDF fonts and pdftotext already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "ensure-pdf-fonts: a CJK font or pdftotext is missing and this is not root (no sudo either)." >&2
    echo "ensure-pdf-fonts: install them with: apt-get install -y $PACKAGES" >&2
    exit 1
fi

apt_install() {
    # shellcheck disable=SC2086  # PACKAGES is a word list on purpose
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PACKAGES
}

# The package lists are only refreshed when installing from the current ones fails.
if ! apt_install; then
    echo "ensure-pdf-fonts: install failed; refreshing package lists and retrying" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
    apt_install
fi

if ! has_font || ! command -v pdftotext >/dev/null 2>&1; then
    echo "ensure-pdf-fonts: apt-get finished but the font or pdftotext is still missing" >&2
    exit 1
fi
echo "PDF fonts and pdftotext installed"
