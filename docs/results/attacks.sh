#!/usr/bin/env bash
# Reference results of issue 13 (adversarial audit): EfficientNet-Lite0 (ImageNet weights, 64×64) on
# PneumoniaMNIST and RetinaMNIST, UAPs from natural photos vs training images vs random at ζ 2/4/6 %,
# the fooling-rate curve with and without augmented views, and the strategy exposure table.
#   docs/results/attacks.sh [compare|exposure|curves|small]...     (default: compare exposure curves)
#   NATURAL=FOLDER  the natural photos (default ../shared/data/natural, 667 ImageNet JPEGs)
#   DATASETS="pneumoniamnist retinamnist"  SEEDS=0,1,2  NORMS=l2,linf  ZETAS=0.02,0.04,0.06
# Everything is resumable (rerun the same command after a kill). Outputs go to runs/attacks/; each step's
# wall time is appended to runs/attacks/TIMES.txt. `small` is a quick smoke version (one dataset, two
# strategies, one seed, one ζ on BreastMNIST) to check the pipeline and time the UAPs.
# When docs/results/reference.sh's 14-strategy comparison exists (runs/reference/compare-DATA-lite0, same
# recipe), `compare` is skipped and the five strategies below are read from it (attack compare --strategies).
# Rough cost on an idle 2-core machine (release build): compare ≈ 20 min per dataset (15 runs); exposure
# ≈ 50 s per model × setting (667 + 1000 source images, 500 held-out, 5 controls) = 6 settings × 15 models
# ≈ 75 min per dataset (NORMS=l2 halves it, SEEDS=0 divides it by 3); curves ≈ 5 min per dataset.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scripts/setup >/dev/null
swift build -c release --product scalpel >/dev/null
scalpel=.build/release/scalpel
out=runs/attacks
natural=${NATURAL:-../shared/data/natural}
datasets=${DATASETS:-pneumoniamnist retinamnist}
seeds=${SEEDS:-0,1,2}
norms=${NORMS:-l2,linf}
zetas=${ZETAS:-0.02,0.04,0.06}
mkdir -p "$out"

timed() {  # NAME COMMAND...: runs it, logs to $out/NAME.log, appends the wall time
  local name=$1; shift
  local start=$SECONDS
  "$@" >"$out/$name.txt" 2>"$out/$name.log" || { tail -n 20 "$out/$name.log" >&2; return 1; }
  echo "$name: $((SECONDS - start)) s: $*" >>"$out/TIMES.txt"
}

STRATEGIES="full; linear-probe; truncated:cut=_blocks.10; transfusion:cut=_blocks.10; scratch"
LITE0_64=(--model efficientnet_lite0 --weights imagenet --image-size 64 --batch-size 64 --lr 0.001 --schedule cosine
          --monitor auroc --split-seed 0)
epochs_of() { case $1 in pneumoniamnist) echo 3 ;; *) echo 10 ;; esac; }

compare_of() {  # the comparison holding DATA's five strategies
  if [[ -f runs/reference/compare-$1-lite0/compare.json ]]; then echo "runs/reference/compare-$1-lite0"; else echo "$out/compare-$1-lite0"; fi
}

# The five strategies × seeds, trained (scalpel compare), unless reference.sh's comparison has them.
compare() {
  for data in $datasets; do
    [[ $(compare_of "$data") == runs/reference/* ]] && continue
    timed "compare-$data" "$scalpel" compare --data "$data" "${LITE0_64[@]}" --epochs "$(epochs_of "$data")" --seeds "$seeds" \
      --latency-repeats 5 --strategies "$STRATEGIES" --output "$out/compare-$data-lite0" --resume --quiet
  done
}

# Every model: natural-image and training-image UAPs, random controls, at ζ 2, 4, 6 % (L2 and L∞),
# held-out fooling rates on 500 test images, transfer matrices; the table in COMPARE/attacks/exposure.md.
exposure() {
  for data in $datasets; do
    timed "exposure-$data" "$scalpel" attack compare "$(compare_of "$data")" --strategies "$STRATEGIES" --natural "$natural" \
      --output "$out/exposure-$data" --zetas "$zetas" --norms "$norms" --fgsm-eps 0.004 --chunk 100 --random-draws 5 \
      --train-limit 1000 --heldout-limit 500 --seed 0
  done
}

# The fooling-rate curve against natural images seen (curve.csv), without and with 4 augmented views,
# on the full fine-tuning model of seed 0, L2 ζ 4 %.
curves() {
  for data in $datasets; do
    local run
    run="$(compare_of "$data")/full/seed-0"
    [[ -d $run ]] || run="$(compare_of "$data")/full"
    for views in 1 4; do
      timed "curve-$data-views$views" "$scalpel" attack uap "$run" --source "$natural" --norm l2 --zeta 0.04 \
        --fgsm-eps 0.004 --views "$views" --chunk 50 --random-draws 5 --heldout-limit 500 --seed 0 \
        --output "$out/curve-$data-views$views"
    done
  done
}

# Smoke version (recorded in docs/results/attacks.md): BreastMNIST, full and linear probe, one seed, 3 epochs,
# ζ 4 % L2, every training image as a source, the whole test split.
small() {
  timed "small-compare" "$scalpel" compare --data breastmnist "${LITE0_64[@]}" --epochs 3 --seeds 0 --latency-repeats 2 \
    --strategies "full; linear-probe" --output "$out/small-compare" --resume --quiet
  timed "small-exposure" "$scalpel" attack compare "$out/small-compare" --natural "$natural" --zetas 0.04 --norms l2 \
    --fgsm-eps 0.004 --chunk 100 --random-draws 5 --train-limit 546 --heldout-limit 156 --seed 0
}

steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(compare exposure curves)
for step in "${steps[@]}"; do "$step"; done
cat "$out/TIMES.txt"
