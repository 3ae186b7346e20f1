# Scalpel — benchmark: the run index, PyTorch side's counterpart (plain sqlite3), see bench/README.md.
# SPDX-License-Identifier: Apache-2.0
"""index-runs-N-bLIMIT: queries per second of the query `scalpel runs --where strategy=full --where auroc>=0.9
--sort -auroc --limit LIMIT` runs, here with Python's sqlite3 on a table of the same schema and rows."""
import os
import sqlite3
import statistics
import tempfile
import time

SCHEMA = """
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, folder TEXT NOT NULL UNIQUE, specificationHash TEXT NOT NULL,
  status TEXT NOT NULL, dataset TEXT NOT NULL, model TEXT NOT NULL, weights TEXT NOT NULL, strategy TEXT NOT NULL,
  parameters TEXT NOT NULL, seed INTEGER NOT NULL, epochs INTEGER NOT NULL, lr DOUBLE NOT NULL, auroc DOUBLE,
  auprc DOUBLE, accuracy DOUBLE, balancedAccuracy DOUBLE, bestEpoch INTEGER, epochsDone INTEGER NOT NULL,
  trainingSeconds DOUBLE, updatedAt DATETIME NOT NULL, specification TEXT NOT NULL);
CREATE INDEX runs_on_specificationHash ON runs(specificationHash);
CREATE INDEX runs_on_dataset ON runs(dataset);
CREATE INDEX runs_on_model ON runs(model);
CREATE INDEX runs_on_strategy ON runs(strategy);
CREATE INDEX runs_on_auroc ON runs(auroc);
CREATE INDEX runs_on_strategy_auroc ON runs(strategy, auroc);
CREATE INDEX runs_on_model_auroc ON runs(model, auroc);
CREATE INDEX runs_on_dataset_auroc ON runs(dataset, auroc);
"""


def index_queries_per_second(count, limit, steps, warmup):
    strategies = ["full", "linear-probe", "truncated", "lp-ft", "scratch"]
    models = ["efficientnet_lite0", "resnet18", "densenet121"]
    with tempfile.TemporaryDirectory() as folder:
        db = sqlite3.connect(os.path.join(folder, "runs.sqlite"))
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO runs (folder, specificationHash, status, dataset, model, weights, strategy, parameters, seed, epochs,"
            " lr, auroc, epochsDone, updatedAt, specification) VALUES (?, 'h', 'finished', 'breastmnist', ?, 'imagenet', ?,"
            " '', ?, 10, 0.001, ?, 0, '2026-01-01 00:00:00', 'spec')",
            [(f"/runs/run-{row}", models[row % 3], strategies[row % 5], row % 3, ((row * 7919) % 100_000) / 100_000)
             for row in range(count)])
        db.commit()
        times = []
        for step in range(warmup + steps):
            start = time.perf_counter()
            db.execute("SELECT * FROM runs WHERE strategy = ? AND auroc >= ? ORDER BY auroc DESC, id ASC LIMIT ?",
                       ("full", 0.9, limit)).fetchall()
            if step >= warmup:
                times.append(time.perf_counter() - start)
        db.close()
    return 1 / statistics.median(times)
