#!/bin/sh
# Checks the build's dependencies with pkg-config.  When one is missing and
# we run as root, installs it with apt-get; otherwise prints the exact
# command to run and fails.  Usage: scripts/deps.sh [extra-debian-package...]
set -eu

# pkg-config module -> Debian package
need="libcjson:libcjson-dev libpcre2-8:libpcre2-dev check:check"
need="$need libprotobuf-c:libprotobuf-c-dev"
# tools the build runs, files it reads -> Debian package
tools="protoc-c:protobuf-c-compiler"
files="/usr/include/onnx/onnx.proto:libonnx-dev"
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
for pair in $need; do
    mod=${pair%%:*}
    pkg=${pair#*:}
    if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$mod"; then
        missing="$missing $pkg"
    fi
done
for f in $files; do
    [ -e "${f%%:*}" ] || missing="$missing ${f#*:}"
done
for cmd in $tools "$@"; do
    # extra arguments are "command:package" pairs for tools
    c=${cmd%%:*}
    p=${cmd#*:}
    command -v "$c" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing missing dependencies:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # shellcheck disable=SC2086
    apt-get install -y -qq $missing >&2
    exit 0
fi
echo "missing dependencies:$missing" >&2
echo "install them with: sudo apt-get install -y$missing" >&2
exit 1
