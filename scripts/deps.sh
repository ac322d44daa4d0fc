#!/bin/sh
# Checks the build's dependencies with pkg-config.  When one is missing and
# we run as root, installs it with apt-get; otherwise prints the exact
# command to run and fails.
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
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
for pair in $need; do
    mod=${pair%%:*}
    pkg=${pair#*:}
    if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$mod"; then
        missing="$missing $pkg"
    fi
done
for cmd in "$@"; do
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
