// Scalpel — ScalpelExperimentsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import Testing

/// The SQLite run index: recording run folders, filtering and sorting, and rebuilding it from the
/// folders after the database is deleted.
@Suite struct RunIndexTests {
    /// A run folder with a specification and a finished metrics.json (no training needed).
    static func makeRun(in root: URL, name: String, strategy: String, model: String, seed: UInt64, auroc: Double) throws -> URL {
        let folder = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var specification = RunSpecification(data: DataSpecification(source: "breastmnist"))
        specification.model.architecture = model
        specification.strategy.name = strategy
        specification.runtime.seed = seed
        try specification.write(to: folder.appendingPathComponent("config.yaml"))
        let metrics = """
            {"status": "finished", "monitor": "auroc", "best": {"epoch": 3, "phase": "\(strategy)", "metric": "auroc", "value": 0.8},
             "test": {"task": "binary-class", "sampleCount": 10, "classNames": ["a", "b"], "classCounts": [5, 5],
                      "metrics": {"auroc": {"value": \(auroc)}, "auprc": {"value": 0.5}}, "perClass": {}},
             "history": [], "phases": [], "skippedImages": [], "trainingSeconds": 12.5}
            """
        try metrics.write(to: folder.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test func runsAreRecordedFilteredSortedAndRebuilt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = root.appendingPathComponent("runs")
        let a = try Self.makeRun(in: runs, name: "a", strategy: "full", model: "resnet18", seed: 0, auroc: 0.91)
        _ = try Self.makeRun(in: runs, name: "b", strategy: "full", model: "resnet18", seed: 1, auroc: 0.87)
        _ = try Self.makeRun(in: runs.appendingPathComponent("nested/deeper"), name: "c", strategy: "linear-probe",
                             model: "efficientnet_lite0", seed: 0, auroc: 0.95)
        let database = root.appendingPathComponent("index/runs.sqlite")
        let index = try RunIndex(at: database)
        #expect(try index.reindex(roots: [runs]).recorded == 3)
        #expect(try index.count() == 3)

        let full = try index.runs(where: [RunFilter(parsing: "strategy=full")], sortedBy: [RunSort(parsing: "-auroc")])
        #expect(full.map(\.auroc) == [0.91, 0.87])
        #expect(try index.runs(where: [RunFilter(parsing: "auroc>=0.9")], sortedBy: [RunSort(parsing: "auroc")]).map(\.auroc) == [0.91, 0.95])
        #expect(try index.runs(where: [RunFilter(parsing: "model~lite")]).map(\.strategy) == ["linear-probe"])
        #expect(try index.runs(where: [RunFilter(parsing: "seed=1")]).count == 1)
        #expect(try index.runs(sortedBy: [RunSort(parsing: "-auroc")], limit: 1).first?.auroc == 0.95)
        let first = try #require(full.first)
        #expect(first.status == "finished" && first.bestEpoch == 3 && first.trainingSeconds == 12.5)
        #expect(try index.run(id: first.id!)?.folder == a.standardizedFileURL.path)
        #expect(full[0].specificationHash != full[1].specificationHash)   // the seeds differ

        // Recording a folder again updates its row.
        try index.record(a)
        #expect(try index.count() == 3)

        // Deleting the database loses nothing; a deleted run folder leaves the index on reindex.
        try FileManager.default.removeItem(at: database)
        let rebuilt = try RunIndex(at: database)
        #expect(try rebuilt.reindex(roots: [runs]).recorded == 3)
        #expect(try rebuilt.runs(sortedBy: [RunSort(parsing: "folder")]).map(\.auroc) == [0.91, 0.87, 0.95])
        try FileManager.default.removeItem(at: a)
        #expect(try rebuilt.reindex(roots: [runs]).removed == 1)
        #expect(try rebuilt.count() == 2)
    }

    @Test(arguments: [("aucroc=1", "not a field"), ("auroc", "not FIELD OP VALUE"), ("", "not FIELD OP VALUE")])
    func badConditionsAreExplained(_ text: String, _ expected: String) {
        let error = #expect(throws: ExperimentError.self) { try RunFilter(parsing: text) }
        #expect(error?.description.contains(expected) == true, "message was: \(error?.description ?? "none")")
        #expect(throws: ExperimentError.self) { try RunSort(parsing: "-speed") }
    }

    @Test func theIndexLocationFollowsTheEnvironment() {
        #expect(RunIndex.defaultURL(environment: ["SCALPEL_INDEX": "/x/i.sqlite"]).path == "/x/i.sqlite")
        #expect(RunIndex.defaultURL(environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]).path == "/d/scalpel/runs.sqlite")
        #expect(RunIndex.defaultURL(environment: ["HOME": "/h"]).path == "/h/.local/share/scalpel/runs.sqlite")
        #expect(!RunIndex.isEnabled(environment: ["SCALPEL_INDEX": "off"]))
    }
}
