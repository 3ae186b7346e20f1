// Scalpel — benchmark: the run index (see bench/README.md).
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments

/// `index-runs-N-bLIMIT`: queries per second of `scalpel runs --where strategy=full --where auroc>=0.9
/// --sort -auroc --limit LIMIT` on an index of N runs (built first, not timed), through ``RunIndex``
/// (SQL, and decoding the rows). bench/index_bench.py runs the same query with Python's sqlite3 on the
/// same rows.
func indexQueriesPerSecond(_ options: Options) throws -> Double {
    let c = options.benchCase
    guard c.subject == "runs", c.size >= 1, c.size <= 10_000_000 else {
        throw BenchError("index cases read index-runs-COUNT-bLIMIT, e.g. index-runs-100000-b50")
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-index-bench-\(getpid())")
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try RunSpecification(data: DataSpecification(source: "breastmnist")).write(to: folder.appendingPathComponent("config.yaml"))
    let template = try IndexedRun(folder: folder)
    let index = try RunIndex(at: folder.appendingPathComponent("runs.sqlite"))
    let strategies = ["full", "linear-probe", "truncated", "lp-ft", "scratch"]
    let models = ["efficientnet_lite0", "resnet18", "densenet121"]
    var rows: [IndexedRun] = []
    rows.reserveCapacity(c.size)
    for row in 0 ..< c.size {
        var run = template
        run.folder = "/runs/run-\(row)"
        run.strategy = strategies[row % strategies.count]
        run.model = models[row % models.count]
        run.seed = Int64(row % 3)
        run.status = "finished"
        run.auroc = Double((row &* 7919) % 100_000) / 100_000
        rows.append(run)
    }
    try index.record(rows)
    let filters = [try RunFilter(parsing: "strategy=full"), try RunFilter(parsing: "auroc>=0.9")]
    let sort = [try RunSort(parsing: "-auroc")]
    var found = 0
    let seconds = try medianSeconds(steps: options.steps, warmup: options.warmup) {
        found = try index.runs(where: filters, sortedBy: sort, limit: c.batch).count
    }
    FileHandle.standardError.write(Data("index-runs-\(c.size): \(found) rows per query, \(seconds * 1000) ms\n".utf8))
    return 1 / seconds
}
