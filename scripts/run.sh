#!/bin/sh
# The main job on the shipped defaults, run by `make run`.
set -eu
bin=${1:-build/trainmap}
"$bin" kernels -w workloads/nets/resnet50.json
