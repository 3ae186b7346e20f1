"""Weighted Kendall tau between transferability scores and fine-tuned test AUROC over cut points.

    .deps/python/bin/python scripts/results/transferability_tau.py SEARCH_FOLDER TRANSFERABILITY_FOLDER

SEARCH_FOLDER is a `scalpel search --strategy truncated` output (its search.json lists every candidate's
cut and test AUROC); TRANSFERABILITY_FOLDER is a `scalpel analyze transferability` output for the same
backbone. Prints one Markdown row per score: tau over the cut points both share, without and with the
head (whose scores degenerate when there are fewer images than features). scipy.stats.weightedtau with
its defaults (hyperbolic weigher, ranks by decreasing value), which Scalpel's WeightedKendallTau follows.
"""
import json
import sys
from pathlib import Path

from scipy.stats import weightedtau


def main(search_folder, transferability_folder):
    search = json.loads((Path(search_folder) / "search.json").read_text())
    auroc = {}
    for candidate in search["candidates"]:
        cut = candidate["cut"]
        if candidate.get("testAUROC") is not None:
            auroc.setdefault(cut, candidate["testAUROC"])
    backbones = json.loads((Path(transferability_folder) / "transferability.json").read_text())
    cuts = backbones[0]["cuts"]
    print("| score | cuts (without head) | tau | cuts (with head) | tau |")
    print("|---|---|---|---|---|")
    for name, key in [("LogME", "logME"), ("H-score", "hScore"), ("GBC", "gbc")]:
        row = [name]
        for with_head in (False, True):
            pairs = [(c[key], auroc[c["cut"]]) for c in cuts
                     if c["cut"] in auroc and c.get(key) is not None and (with_head or c["cut"] != "head")]
            tau = weightedtau([p[0] for p in pairs], [p[1] for p in pairs]).statistic
            row += [str(len(pairs)), f"{tau:.3f}"]
        print("| " + " | ".join(row) + " |")
    best = max((c for c in cuts if c["cut"] != "head" and c.get("logME") is not None), key=lambda c: c["logME"])
    print(f"\nLogME's best cut below the head: {best['cut']} (test AUROC {auroc.get(best['cut'], float('nan')):.3f}); "
          f"test AUROC per cut: " + ", ".join(f"{c}: {a:.3f}" for c, a in auroc.items()))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
