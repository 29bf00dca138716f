#!/bin/sh
# Install Debian packages (as root, or with sudo). The package lists are only refreshed when
# installing from the current ones fails. Used by the ensure-*.sh scripts.
#
#   scripts/apt-install.sh NAME PACKAGE...     # NAME prefixes the messages
set -eu

NAME="$1"
shift

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "$NAME: not root (no sudo either); install with: apt-get install -y $*" >&2
    exit 1
fi

apt_install() {
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

if ! apt_install "$@"; then
    echo "$NAME: install failed; refreshing package lists and retrying" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
    apt_install "$@"
fi
