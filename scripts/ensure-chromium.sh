#!/bin/sh
# Make sure Debian's chromium (driven by the Playwright e2e tests in tests/e2e) and a CJK font
# (so Chinese pages render, not tofu) are installed. Idempotent: does nothing when
# /usr/bin/chromium is already there. Never downloads Playwright's own browsers.
#
#   scripts/ensure-chromium.sh          # as root, or with sudo available
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
fi
sh "$(dirname "$0")/apt-install.sh" ensure-chromium chromium fonts-wqy-microhei
if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
