"""Summarises `scalpel analyze similarity RUN` outputs over seeds (docs/results/analyses.md):
per cut point, the mean ± std over the given folders of SVCCA, its random baseline, the area between
the SVCCA curve and the baseline's (TTL's measure), linear CKA and its baseline; and the first cut
where SVCCA is within the baseline's mean + 2 std (where the fine-tuned features reach random level).

    python scripts/results/similarity_table.py TITLE FOLDER...   (each FOLDER holds similarity.json)
"""
import json
import statistics
import sys


def mean_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def main():
    title, folders = sys.argv[1], sys.argv[2:]
    reports = [json.load(open(f"{folder}/similarity.json"))["report"] for folder in folders]
    cuts = [cut["cut"] for cut in reports[0]["cuts"]]
    print(f"**{title}** ({len(reports)} seeds, {reports[0]['images']} images each)\n")
    print("| cut | channels | SVCCA | random SVCCA | area above random | linear CKA | random CKA |")
    print("|---|---|---|---|---|---|---|")
    reached = []
    for report in reports:
        first = None
        for cut in report["cuts"]:
            comparison, scores = cut["comparison"], cut["comparison"]["scores"]
            level = comparison["baseline"]["summary"]["svcca"]
            value = (scores.get("svcca") or {}).get("mean")
            if value is not None and value <= level["mean"] + 2 * level["standardDeviation"]:
                first = cut["cut"]
                break
        reached.append(first or "none")
    for index, name in enumerate(cuts):
        rows = [report["cuts"][index] for report in reports]

        def pick(path):
            values = []
            for row in rows:
                value = row
                for key in path:
                    value = value.get(key) if isinstance(value, dict) else None
                values.append(value)
            return values
        print(f"| `{name}` | {rows[0]['channels']} | {mean_std(pick(['comparison', 'scores', 'svcca', 'mean']))} | "
              f"{mean_std(pick(['comparison', 'baseline', 'summary', 'svcca', 'mean']))} | "
              f"{mean_std(pick(['comparison', 'areaAboveBaseline', 'svcca']))} | "
              f"{mean_std(pick(['comparison', 'scores', 'linearCKA']))} | "
              f"{mean_std(pick(['comparison', 'baseline', 'summary', 'linear-cka', 'mean']))} |")
    print(f"\nFirst cut where SVCCA is within the baseline (mean + 2 std), per seed: {', '.join(reached)}\n")


if __name__ == "__main__":
    main()
