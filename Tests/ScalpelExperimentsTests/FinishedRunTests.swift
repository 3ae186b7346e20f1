// Scalpel — ScalpelExperimentsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelExperiments
import ScalpelTraining
import Testing
import Torch
import TorchNN

/// Training a specification into a run folder and reopening it: the same test metrics from the
/// reopened network, the starting weights, the data, and the errors for folders that are not runs.
@Suite(.serialized)
struct FinishedRunTests {
    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-experiments-\(UUID().uuidString)")
    }

    /// One epoch of MedMNIST's small ResNet-18, truncated after layer2, from scratch on 48 generated images.
    static func quick() -> RunSpecification {
        var specification = RunSpecification(data: DataSpecification(source: "synthetic:48"))
        specification.model.architecture = "resnet18_28"
        specification.model.weights = "none"
        specification.strategy = StrategySpecification(name: "truncated", parameters: "cut=layer2")
        specification.training.epochs = 1
        specification.training.batchSize = 16
        specification.runtime.bootstrap = 0
        specification.runtime.seed = 5
        return specification
    }

    @Test func aTrainedRunReopensWithItsNetworkDataAndStartingWeights() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let specification = Self.quick()
        let data = try RunData(specification.data)
        _ = try RunExecution(specification).run(data: data, folder: folder)

        let run = try FinishedRun(at: folder)
        #expect(run.specification == specification)
        #expect(run.card.architecture == "resnet18_28" && run.card.classNames == ["clear", "opacity"])
        #expect(run.card.inputChannels == 1 && run.card.imageSize == 28)
        #expect(run.results.status == .finished)

        // The reopened network gives the test AUROC of metrics.json on its own test split.
        let splits = try run.splits()
        #expect(splits.test.count == data.splits.test.count)
        let network = try run.network(weights: .best, device: .cpu)
        let loader = try DataLoader.evaluation(dataset: splits.test, transform: try run.evaluationTransform, batchSize: 32)
        let predictions = try Predictions.collect(model: network, loader: loader, device: .cpu, channelsLast: true, loss: nil)
        let auroc = try MetricReport(predictions).metrics["auroc"]?.value
        #expect(auroc != nil && auroc == run.results.test?.metrics["auroc"]?.value)

        // predictions.csv holds every digit: the AUROC recomputed from the file is metrics.json's, exactly.
        let rows = try String(contentsOf: run.folder.predictionsURL, encoding: .utf8).split(separator: "\n").dropFirst()
        var fromFile = predictions
        fromFile.probabilities = []
        for (index, row) in rows.enumerated() {
            let fields = row.split(separator: ",").map(String.init)
            #expect(fields[0] == predictions.sampleIDs[index])
            fromFile.probabilities.append(fields.dropFirst(2).map { Double($0)! })
        }
        #expect(fromFile.count == splits.test.count)
        #expect(try MetricReport(fromFile).metrics["auroc"]?.value == run.results.test?.metrics["auroc"]?.value)

        // The starting point: for a run from scratch, the seed's random backbone, untouched by training.
        let start = try run.pretrainedBackbone()
        let again = try run.pretrainedBackbone()
        let trained = try network.stateDict()
        let key = "conv1.weight"
        let initial = try #require(try start.stateDict()[key]).hostArray(of: Float.self)
        #expect(try #require(try again.stateDict()[key]).hostArray(of: Float.self) == initial)
        let after = try #require(trained.entries.first { $0.key == key || ($0.key.hasSuffix("." + key) && !$0.key.contains("layer")) })
        #expect(try after.tensor.hostArray(of: Float.self) != initial)

        // Opening never writes: the folder's files are unchanged.
        let before = try FileManager.default.attributesOfItem(atPath: run.folder.configURL.path)[.modificationDate] as? Date
        _ = try FinishedRun(at: folder)
        #expect(try FileManager.default.attributesOfItem(atPath: run.folder.configURL.path)[.modificationDate] as? Date == before)

        // Resuming with a changed field names it and leaves the run alone.
        var changed = specification
        changed.training.lr = 0.01
        let error = #expect(throws: ExperimentError.self) {
            _ = try RunExecution(changed, resume: true, force: true).run(data: data, folder: folder)
        }
        #expect(error?.description.contains("training.lr: 0.001 → 0.01") == true)
    }

    @Test func foldersThatAreNotFinishedRunsAreExplained() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var error = #expect(throws: ExperimentError.self) { try FinishedRun(at: folder) }
        #expect(error?.description.contains("no such folder") == true)

        try FileManager.default.createDirectory(at: folder.appendingPathComponent("seed-0"), withIntermediateDirectories: true)
        error = #expect(throws: ExperimentError.self) { try FinishedRun(at: folder) }
        #expect(error?.description.contains("no config.yaml") == true && error?.description.contains("seed-0") == true)

        try "epochs: 3\n".write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        error = #expect(throws: ExperimentError.self) { try FinishedRun(at: folder) }
        #expect(error?.description.contains("config.yaml") == true && error?.description.contains("'data'") == true)

        try Self.quick().write(to: folder.appendingPathComponent("config.yaml"))
        error = #expect(throws: ExperimentError.self) { try FinishedRun(at: folder) }
        #expect(error?.description.contains("no epoch completed") == true && error?.description.contains("--resume") == true)

        try #"{"status": "running"}"#.write(to: folder.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)
        error = #expect(throws: ExperimentError.self) { try FinishedRun(at: folder) }
        #expect(error?.description.contains("metrics.json") == true)

        try "{}".write(to: folder.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        #expect(throws: ExperimentError.self) { try ModelCard.read(from: folder) }
    }
}
