#!/usr/bin/env bash
# Build a local Debian base image with Python for Docker builds that cannot
# reach an image registry (this project's CI, air-gapped machines).
#
#   scripts/base_image.sh SUITE IMAGE     e.g. bookworm mlfolio-base:py3.11
#
# The Debian mirror is read from apt's own sources, and the host's extra CA
# certificates (/usr/local/share/ca-certificates) are installed in the image,
# so pip and uv inside a build trust the same network as the host. Needs root,
# mmdebstrap and a running Docker engine. Does nothing if IMAGE exists.
set -euo pipefail
SUITE="$1"
IMAGE="$2"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "base image $IMAGE already exists"
    exit 0
fi

mirror() {
    # deb822 sources first (Debian 12+), then the one-line format.
    local uri
    uri=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    if [ -z "$uri" ]; then
        uri=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
MIRROR=$(mirror)
echo "building $IMAGE from Debian $SUITE ($MIRROR)"
mmdebstrap --quiet --variant=minbase \
    --include=python3,python3-venv,python3-pip,python-is-python3,ca-certificates,passwd \
    --customize-hook='copy-in /usr/local/share/ca-certificates /usr/local/share' \
    --customize-hook='chroot "$1" update-ca-certificates' \
    "$SUITE" "$WORK/rootfs.tar" "deb $MIRROR $SUITE main"
# Debian marks its Python "externally managed"; images install into venvs,
# but the Dockerfile's first `pip install uv` goes to the system Python.
docker import \
    --change 'ENV PIP_BREAK_SYSTEM_PACKAGES=1' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["python3"]' \
    "$WORK/rootfs.tar" "$IMAGE" >/dev/null
docker run --rm "$IMAGE" python --version
