#!/bin/sh
# Regenerates the example outputs under docs/examples/ from real runs on
# tiny inputs (a few tenths of a second): the JSON report, CSV and Markdown
# of a three-layer network mapped on a 4-PE arch and on the same arch with
# every energy halved, and the comparison of the two.  Run from the
# repository root after `make`:  sh scripts/examples.sh [build/trainmap]
# The reports differ from run to run only in search_s (the search times).
set -eu
bin=${1:-build/trainmap}
out=docs/examples
mkdir -p "$out"
"$bin" map -a tests/data/map/tiny_4pe.json -w tests/data/map/twins.json -j 2 \
    -o "$out/report-twins-tiny-4pe.json" --csv "$out/report-twins-tiny-4pe.csv" \
    --md "$out/report-twins-tiny-4pe.md" >/dev/null
"$bin" map -a tests/data/compare/tiny_4pe_half.json -w tests/data/map/twins.json -j 2 \
    -o "$out/report-twins-tiny-4pe-half.json" >/dev/null
"$bin" compare --from "$out/report-twins-tiny-4pe.json" \
    --from "$out/report-twins-tiny-4pe-half.json" -o "$out/compare-twins.json" \
    --csv "$out/compare-twins.csv" --md "$out/compare-twins.md" >/dev/null
echo "examples written to $out/"
