#!/usr/bin/env bash
# TruncatedTL's finding on these tasks (issue 11) and bf16 inference's accuracy cost (issue 17):
#   docs/results/analyses.sh [train|similarity|bf16|guided|transferability|search]...   (default: all, in that order)
# EfficientNet-Lite0 ImageNet weights fully fine-tuned at 64×64 (the recipe of README.md here: Adam 1e-3,
# cosine, batch 64, best epoch by validation AUROC; 10 epochs, 3 on PneumoniaMNIST), seeds 0, 1, 2.
# Runs go to runs/analyses/; analyses.md records the outputs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scripts/setup >/dev/null
scalpel=${SCALPEL:-.build/release/scalpel}
[[ -n ${SCALPEL:-} ]] || swift build -c release --product scalpel >/dev/null
out=runs/analyses
mkdir -p "$out"
read -ra datasets <<<"${DATASETS:-breastmnist retinamnist pneumoniamnist}"   # DATASETS="…" for some of them
epochs() { [[ $1 == pneumoniamnist ]] && echo 3 || echo 10; }
recipe=(--model efficientnet_lite0 --weights imagenet --image-size 64 --batch-size 64 --lr 0.001 --schedule cosine --monitor auroc)

train() {  # three seeds of full fine-tuning per data set
  for d in "${datasets[@]}"; do
    for seed in 0 1 2; do
      "$scalpel" train --data "$d" "${recipe[@]}" --epochs "$(epochs "$d")" --seed "$seed" \
        --output "$out/$d-full-s$seed" --resume --quiet
    done
  done
}

similarity() {  # per cut point: pretrained vs fine-tuned features of (at most) 1000 training images, against the baseline
  for d in "${datasets[@]}"; do
    for seed in 0 1 2; do
      "$scalpel" analyze similarity "$out/$d-full-s$seed" --split train --max-images 1000 \
        --measures linear-cka,svcca,pwcca --output "$out/$d-full-s$seed-similarity"
    done
  done
}

bf16() {  # the same fine-tuned networks evaluated in bf16 against fp32, paired bootstrap
  for d in "${datasets[@]}"; do
    for seed in 0 1 2; do
      "$scalpel" evaluate "$out/$d-full-s$seed" --split test --precision bf16 --against-fp32 --bootstrap 2000 \
        --output "$out/$d-full-s$seed-bf16.json"
    done
  done
}

guided() {  # similarity-guided truncation: one full fine-tuning, similarity per cut, one truncated training
  for d in "${datasets[@]}"; do
    "$scalpel" search --data "$d" "${recipe[@]}" --epochs "$(epochs "$d")" --seed 0 --strategy truncated \
      --method similarity --output "$out/$d-guided" --resume --quiet
  done
}

transferability() {  # LogME, LEEP, NCE, H-score and GBC of the frozen ImageNet features at every block cut point
  for d in "${datasets[@]}"; do
    "$scalpel" analyze transferability --data "$d" --models efficientnet_lite0 --image-size 64 --set train \
      --output "$out/$d-transferability"
  done
}

search() {  # the two-stage cut-point search on PneumoniaMNIST (README.md here has BreastMNIST's and RetinaMNIST's)
  "$scalpel" search --data pneumoniamnist "${recipe[@]}" --epochs 3 --seed 0 --strategy truncated \
    --output "$out/pneumoniamnist-search" --resume --quiet
}

steps=("$@"); [[ ${#steps[@]} -gt 0 ]] || steps=(train similarity bf16 guided transferability search)
for step in "${steps[@]}"; do "$step"; done
