#!/bin/sh
# Make sure Debian's chromium (driven by the Playwright e2e tests in tests/e2e) and a CJK font
# (so Chinese pages render, not tofu) are installed. Idempotent: does nothing when
# /usr/bin/chromium is already there. Never downloads Playwright's own browsers.
#
#   scripts/ensure-chromium.sh          # as root, or with sudo available
set -eu

CHROMIUM=/usr/bin/chromium
PACKAGES="chromium fonts-wqy-microhei"

if [ -x "$CHROMIUM" ]; then
    echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "ensure-chromium: $CHROMIUM is missing and this is not root (no sudo either)." >&2
    echo "ensure-chromium: install it with: apt-get install -y $PACKAGES" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_install() {
    # shellcheck disable=SC2086  # PACKAGES is a word list on purpose
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PACKAGES
}

# The package lists are only refreshed when installing from the current ones fails.
if ! apt_install; then
    echo "ensure-chromium: install failed; refreshing package lists and retrying" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
    apt_install
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
