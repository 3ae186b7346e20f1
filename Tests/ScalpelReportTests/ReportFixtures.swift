// Scalpel — ScalpelReportTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelMetrics
@testable import ScalpelTraining
import ScalpelRandom

/// Run and comparison folders written with the trainer's own writers (RunResults.write,
/// Predictions.csv), from seeded synthetic predictions: what `scalpel train` and `scalpel compare` leave.
enum ReportFixtures {
    static func temporaryFolder(_ name: String = "scalpel-report") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Seeded predictions of `count` samples: class k's probability is higher for class-k samples.
    static func predictions(classNames: [String], count: Int, seed: UInt64) -> Predictions {
        var generator = SplitMix64(seed: seed)
        var labels: [[Int]] = [], probabilities: [[Double]] = []
        for index in 0..<count {
            let label = index % classNames.count
            var logits = classNames.indices.map { _ in Double(generator.next() % 1000) / 500 }
            logits[label] += 1.2
            let exps = logits.map { Foundation.exp($0) }
            let total = exps.reduce(0, +)
            labels.append([label])
            probabilities.append(exps.map { (($0 / total) * 1e6).rounded() / 1e6 })   // predictions.csv keeps 6 decimals
        }
        return Predictions(task: classNames.count == 2 ? .binary : .multiClass, classNames: classNames,
                           sampleIDs: (0..<count).map { "img-\($0).png" }, labels: labels, probabilities: probabilities,
                           loss: 0.42, skipped: [])
    }

    /// A finished run of `epochs` epochs in two phases, with config.yaml, metrics.json and predictions.csv.
    @discardableResult
    static func run(in folder: URL, classNames: [String] = ["clear", "opacity"], data: String = "pneumoniamnist.npz",
                    epochs: Int = 4, finished: Bool = true, seed: UInt64 = 1) throws -> RunResults {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let run = RunFolder(folder)
        let config = "data: \(data)\nmodel: efficientnet-lite0\nstrategy: truncated\nstrategy-params: cut=stage4\nepochs: \(epochs)\nlr: 0.001\n"
        try RunFolder.writeAtomically(Data(config.utf8), to: run.configURL)
        var state = TrainerState()
        for epoch in 1...epochs {
            let phase = epoch <= epochs / 2 ? "head" : "all"
            let auroc = 0.7 + 0.05 * Double(epoch) - (epoch == epochs ? 0.08 : 0)
            state.history.append(EpochRecord(epoch: epoch, phase: phase, trainingLoss: 0.9 / Double(epoch),
                                             validationLoss: 0.8 / Double(epoch) + 0.01 * Double(epoch),
                                             validation: ["auroc": auroc, "auprc": auroc - 0.05, "accuracy": auroc - 0.1, "kappa": nil],
                                             learningRates: phase == "head" ? [1e-2] : [1e-4, 1e-3],
                                             seconds: 2.5, imagesPerSecond: 400))
        }
        let bestEpoch = epochs - 1
        state.best = BestEpoch(epoch: bestEpoch, phase: state.history[bestEpoch - 1].phase, metric: .auroc,
                               value: state.history[bestEpoch - 1].validation["auroc"]!!)
        state.completedEpochs = epochs
        state.trainingSeconds = 10
        state.phaseEndings = ["head: completed", "all: completed"]
        guard finished else {
            let results = RunResults(state: state, test: nil, testLoss: nil, testSkipped: [], checkpoint: nil, monitor: .auroc)
            try results.write(to: run)
            return results
        }
        let predictions = predictions(classNames: classNames, count: 120, seed: seed)
        let report = try MetricReport(predictions, resamples: 100, seed: 0)
        let results = RunResults(state: state, test: report, testLoss: predictions.loss, testSkipped: [],
                                 checkpoint: "best epoch \(bestEpoch)", monitor: .auroc)
        try results.write(to: run)
        try RunFolder.writeAtomically(Data(predictions.csv().utf8), to: run.predictionsURL)
        return results
    }

    /// A comparison folder: compare.json with two strategies and their seed runs.
    static func comparison(in folder: URL, dataOfSecond: String = "pneumoniamnist.npz") throws {
        try run(in: folder.appendingPathComponent("full/seed-0"), seed: 1)
        try run(in: folder.appendingPathComponent("truncated_cut=stage4/seed-0"), data: dataOfSecond, seed: 2)
        let json = """
            {"title": "efficientnet-lite0 on <b>pneumonia</b>", "rows": [
              {"strategy": "full", "parameters": 3371293, "trainable_parameters": 3371293, "macs": 25000000,
               "latency_ms": 3.2, "training_seconds": 40.5, "seeds": 1,
               "auroc": {"mean": 0.9512, "std": 0.0123}, "auprc": {"mean": 0.9401, "std": 0.02},
               "accuracy": {"mean": 0.88, "std": 0.01}, "runs": [{"auroc": 0.9512}]},
              {"strategy": "truncated:cut=<stage4>", "parameters": 811234, "trainable_parameters": 811234, "macs": 9000000,
               "latency_ms": 1.1, "training_seconds": 20.1, "seeds": 1,
               "auroc": {"mean": 0.9433, "std": 0.0087}, "auprc": {"mean": 0.93, "std": 0.01},
               "accuracy": {"mean": 0.87, "std": 0.02}, "runs": [{"auroc": 0.9433}]}
            ]}
            """
        try RunFolder.writeAtomically(Data(json.utf8), to: folder.appendingPathComponent("compare.json"))
    }
}
