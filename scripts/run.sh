#!/bin/sh
# The main job on the shipped defaults, run by `make run`: check the shipped
# presets and networks, evaluate the reference 3x3 convolution mapping on the
# 16-PE architecture, and map a whole ResNet-50 training step (batch 32) on
# the Eyeriss-like preset, writing the report to build/resnet50-eyeriss.json;
# then compare the Eyeriss-like preset with the 16-PE arch on the training
# step of ResNet-18's last stage (build/compare-resnet18.{json,md} and plots
# in build/compare-resnet18-plots/).
set -eu
bin=${1:-build/trainmap}
echo "== shipped architectures and networks"
"$bin" check arch/presets/*.json workloads/nets/*.json
echo
echo "== conv3x3 fwd on validation-16pe, the reference mapping"
"$bin" eval -a arch/presets/validation-16pe.json \
    -w tests/validation/conv3x3_fwd/workload.json --layer conv3x3 -k fwd \
    -m tests/validation/conv3x3_fwd/mapping.json
echo
echo "== ResNet-50 training step on the Eyeriss-like preset (annealing search)"
"$bin" map -a arch/presets/eyeriss.json -w workloads/nets/resnet50.json \
    -s anneal -o build/resnet50-eyeriss.json
echo
echo "== Eyeriss-like preset vs the 16-PE validation arch: ResNet-18's last stage, training step"
"$bin" compare -a arch/presets/eyeriss.json -a arch/presets/validation-16pe.json \
    -w workloads/nets/resnet18.json --layers '^layer4' -s anneal \
    -o build/compare-resnet18.json --md build/compare-resnet18.md \
    --plot build/compare-resnet18-plots
