"""Summarises `scalpel evaluate RUN --precision bf16 --against-fp32` outputs (docs/results/precision.md):
one row per run with the fp32 and bf16 test AUROC and accuracy and the paired-bootstrap difference.

    python scripts/results/bf16_table.py RUN-bf16.vs-fp32.json...
"""
import json
import sys


def main():
    print("| run | AUROC fp32 → bf16 | difference [95 % CI] | accuracy fp32 → bf16 | difference [95 % CI] |")
    print("|---|---|---|---|---|")
    for path in sys.argv[1:]:
        rows = {row["metric"]: row for row in json.load(open(path))}
        name = path.split("/")[-1].replace("-bf16.vs-fp32.json", "")
        cells = []
        for metric in ("auroc", "accuracy"):
            row = rows[metric]
            d = row["difference"]
            cells.append(f"{row['reference']:.4f} → {row['candidate']:.4f}")
            cells.append(f"{d['value']:+.4f} [{d['lower']:+.4f}, {d['upper']:+.4f}]")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
