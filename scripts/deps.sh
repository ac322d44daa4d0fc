#!/bin/sh
# Checks the build's dependencies with pkg-config and the tools trainmap
# runs with command -v.  When one is missing and we run as root, installs it
# with apt-get; otherwise prints the exact command to run and fails (a
# missing tool only warns: trainmap runs without it, see tools below).
#
# Usage: scripts/deps.sh [NAME:PACKAGE...]
# Each extra argument is a tool the caller needs beyond the plain build
# (the fuzz and tsan targets pass theirs) and the Debian package that
# provides it: NAME is a command looked up in PATH, or, when it contains a
# '/', a file glob that must match an existing file (a library with no
# command of its own, such as clang's libFuzzer runtime).
set -eu

# pkg-config module -> Debian package
need="libcjson:libcjson-dev libpcre2-8:libpcre2-dev check:check"
need="$need libprotobuf-c:libprotobuf-c-dev"
# tools the build runs, files it reads -> Debian package (required)
build_tools="protoc-c:protobuf-c-compiler"
files="/usr/include/onnx/onnx.proto:libonnx-dev"
# command -> Debian package: tools trainmap runs but can do without
# (--plot writes the gnuplot scripts and data even when gnuplot is absent;
# gnuplot-nox has the svg and pdfcairo terminals)
tools="gnuplot:gnuplot-nox"
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
for cmd in $build_tools "$@"; do
    c=${cmd%%:*}
    p=${cmd#*:}
    case $c in
    */*)
        found=""
        for f in $c; do [ -e "$f" ] && found=1 && break; done
        [ -n "$found" ] || missing="$missing $p" ;;
    *)
        command -v "$c" >/dev/null 2>&1 || missing="$missing $p" ;;
    esac
done
optional=""
for pair in $tools; do
    c=${pair%%:*}
    p=${pair#*:}
    command -v "$c" >/dev/null 2>&1 || optional="$optional $p"
done
[ -z "$missing$optional" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing missing dependencies:$missing$optional" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # shellcheck disable=SC2086
    apt-get install -y -qq $missing $optional >&2
    exit 0
fi
if [ -n "$optional" ]; then
    echo "optional tools missing:$optional (plots are written as gnuplot scripts" \
         "but not rendered); install with: sudo apt-get install -y$optional" >&2
fi
[ -z "$missing" ] && exit 0
echo "missing dependencies:$missing" >&2
echo "install them with: sudo apt-get install -y$missing" >&2
exit 1
