#!/usr/bin/env bash
# Reference results (docs/results/README.md records their outputs).
#   docs/results/reference.sh [medmnist-v2|lite0|pneumonia-short|strategies|transfusion-fixed]...
# Runs go to runs/reference/; each run's table is appended to runs/reference/RESULTS.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scripts/setup >/dev/null
swift build -c release --product scalpel >/dev/null
scalpel=.build/release/scalpel
out=runs/reference
mkdir -p "$out"

run() {  # NAME ARGS...
  local name=$1; shift
  local start=$SECONDS
  "$scalpel" train "$@" --output "$out/$name" --resume --quiet >"$out/$name.txt" 2>"$out/$name.log" || { cat "$out/$name.log" >&2; return 1; }
  { echo "## $name ($((SECONDS - start)) s): scalpel train $*"; cat "$out/$name.txt"; echo; } >>"$out/RESULTS.txt"
}

# MedMNIST v2 protocol (ALGORITHMS.md §2.1): ResNet-18 (28) from scratch, Adam 1e-3, batch 128,
# 100 epochs, ×0.1 at epochs 50 and 75, no augmentation, best epoch by validation AUC.
medmnist_v2() {
  for data in breastmnist retinamnist pneumoniamnist; do
    run "$data-resnet18_28-v2" --data "$data" --model resnet18_28 --strategy scratch --epochs 100 \
      --batch-size 128 --lr 0.001 --schedule multistep --milestones 0.5,0.75 --monitor auroc
  done
}

# PneumoniaMNIST under a shortened protocol (20 epochs, ×0.1 at 10 and 15) when 100 do not fit.
pneumonia_short() {
  run "pneumoniamnist-resnet18_28-v2-short" --data pneumoniamnist --model resnet18_28 --strategy scratch \
    --epochs 20 --batch-size 128 --lr 0.001 --schedule multistep --milestones 0.5,0.75 --monitor auroc
}

# EfficientNet-Lite0 ImageNet weights, fully fine-tuned at 64×64, cosine schedule.
lite0() {
  run "breastmnist-lite0-full" --data breastmnist --model efficientnet_lite0 --weights imagenet --image-size 64 \
    --epochs 20 --batch-size 64 --lr 0.001 --schedule cosine --monitor auroc
  run "retinamnist-lite0-full" --data retinamnist --model efficientnet_lite0 --weights imagenet --image-size 64 \
    --epochs 20 --batch-size 64 --lr 0.001 --schedule cosine --monitor auroc
  run "pneumoniamnist-lite0-full" --data pneumoniamnist --model efficientnet_lite0 --weights imagenet --image-size 64 \
    --epochs 6 --batch-size 64 --lr 0.001 --schedule cosine --monitor auroc
}

# Every strategy × seeds 0, 1, 2 with Lite0's ImageNet weights at 64×64 (issue 5), a BatchNorm
# variant, then the two-stage TruncatedTL cut-point search on BreastMNIST and RetinaMNIST. PneumoniaMNIST gets 3 epochs (8.6× BreastMNIST's images).
STRATEGIES="scratch; linear-probe; full; block-wise:k=2; lwft:k=4; transfusion:cut=_blocks.10; truncated:cut=_blocks.10;\
 gradual-unfreezing; lp-ft:probe-epochs=3; l2-sp; l1-sp; discriminative-lr; auto-rgn; surgical:block=_blocks.7"
LITE0_64=(--model efficientnet_lite0 --weights imagenet --image-size 64 --batch-size 64 --lr 0.001 --schedule cosine
          --monitor auroc)
compare_all() {  # PREFIX STRATEGIES: those strategies on the three sets, seeds 0, 1, 2, into $out/PREFIX-DATA-lite0
  local prefix=$1 strategies=$2
  for spec in breastmnist:10 retinamnist:10 pneumoniamnist:3; do
    local data=${spec%:*} epochs=${spec#*:} start=$SECONDS
    "$scalpel" compare --data "$data" "${LITE0_64[@]}" --epochs "$epochs" --seeds 0,1,2 --latency-repeats 20 \
      --strategies "$strategies" --output "$out/$prefix-$data-lite0" --resume --quiet \
      >"$out/$prefix-$data-lite0.txt" 2>"$out/$prefix-$data-lite0.log"
    echo "$prefix $data: $((SECONDS - start)) s, table in $out/$prefix-$data-lite0/compare.md"
  done
}

strategies() {
  compare_all compare "$STRATEGIES"
  # BatchNorm on running statistics for the strategies that move the backbone little.
  "$scalpel" compare --data breastmnist "${LITE0_64[@]}" --epochs 10 --seeds 0,1,2 --latency-repeats 20 \
    --bn-policy freeze --strategies "full; lp-ft:probe-epochs=3; l1-sp; discriminative-lr; auto-rgn" \
    --output "$out/compare-breastmnist-lite0-bnfreeze" --resume --quiet >"$out/compare-breastmnist-lite0-bnfreeze.txt"
  for data in breastmnist retinamnist; do
    "$scalpel" search --data "$data" "${LITE0_64[@]}" --epochs 10 --strategy truncated \
      --output "$out/search-$data-lite0-truncated" --resume --quiet >"$out/search-$data-lite0-truncated.txt"
  done
}

# TransFusion again after the batch-norm momentum fix (2026-12-05): its slim network had kept
# EfficientNet-Lite's 0.01 instead of the recipe's 0.1. Same recipe and seeds as `strategies`.
transfusion_fixed() { compare_all transfusion-fixed "transfusion:cut=_blocks.10"; }

for part in "${@:-medmnist-v2 lite0 strategies}"; do
  for p in $part; do
    case "$p" in
      medmnist-v2) medmnist_v2 ;;
      lite0) lite0 ;;
      pneumonia-short) pneumonia_short ;;
      strategies) strategies ;;
      transfusion-fixed) transfusion_fixed ;;
      *) echo "unknown part $p" >&2; exit 1 ;;
    esac
  done
done
