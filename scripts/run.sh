#!/bin/sh
# The main job on the shipped defaults, run by `make run`: check the shipped
# presets and networks, summarize ResNet-50's training kernels, and evaluate
# the reference 3x3 convolution mapping on the 16-PE architecture.
set -eu
bin=${1:-build/trainmap}
echo "== shipped architectures and networks"
"$bin" check arch/presets/*.json workloads/nets/*.json
echo
echo "== ResNet-50 training step (batch 32): MACs per kernel"
"$bin" kernels -w workloads/nets/resnet50.json | sed -n '/^total MACs/,$p'
echo
echo "== conv3x3 fwd on validation-16pe, the reference mapping"
"$bin" eval -a arch/presets/validation-16pe.json \
    -w tests/validation/conv3x3_fwd/workload.json --layer conv3x3 -k fwd \
    -m tests/validation/conv3x3_fwd/mapping.json
