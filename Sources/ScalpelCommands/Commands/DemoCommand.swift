// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
import ScalpelData
import ScalpelTraining
import Torch
import ScalpelDownload

/// `scalpel demo`: the README's first command. Fine-tunes EfficientNet-Lite0 (ImageNet weights) on
/// PneumoniaMNIST when it is on disk or downloadable, otherwise on a clearly labelled synthetic
/// chest-radiograph set, and prints the test results with confidence intervals.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fine-tune EfficientNet-Lite0 on PneumoniaMNIST (or a synthetic stand-in) and print the results.",
        discussion: """
            Equivalent to: scalpel train --data pneumoniamnist --model efficientnet_lite0 --weights imagenet \
            --image-size 64 --epochs 3 --schedule cosine --lr 0.001 --output runs/demo. PneumoniaMNIST is looked \
            for in $SCALPEL_MEDMNIST_DIR, ~/.medmnist, the cache and ../shared/data/medmnist, and downloaded from \
            its official record when missing; offline, a generated synthetic set is used and labelled as such.
            """)

    @Option(help: "Training epochs.")
    var epochs: Int = 3

    @Option(help: "Image side fed to the network.")
    var imageSize: Int = 64

    @Option(help: "Run folder.")
    var output: String = "runs/demo"

    @Flag(help: "Use the synthetic set even when PneumoniaMNIST is available.")
    var synthetic = false

    @Flag(help: "Never download: use PneumoniaMNIST only when it is on disk.")
    var offline = false

    @Flag(help: "Run again even when the run folder holds a finished demo.")
    var force = false

    @Flag(help: "Continue an interrupted demo.")
    var resume = false

    @Flag(help: "Print only the results.")
    var quiet = false

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs).") }
    }

    func run() throws {
        let folder = RunFolder(URL(fileURLWithPath: output))
        if folder.isFinished, !force, !resume {
            print("A finished demo is in \(folder.url.path) (scalpel demo --force runs it again):")
            print(ResultsTable(title: "Test results (from \(folder.metricsURL.path))",
                               runs: [(runtime.seed, try RunResults(contentsOf: folder.metricsURL))]).text())
            return
        }
        let data = synthetic ? "synthetic" : Self.pneumoniaSource(offline: offline)
        if !quiet {
            print("Scalpel \(ScalpelVersion.current) on libtorch \(TorchRuntime.version)")
            print(data == "synthetic"
                  ? "Data: SYNTHETIC chest-radiograph-like images (generated; PneumoniaMNIST is not available here). Not medical results."
                  : "Data: PneumoniaMNIST (MedMNIST v2, 28×28 chest X-rays, normal vs pneumonia), resized to \(imageSize)×\(imageSize).")
            print("Model: EfficientNet-Lite0 with ImageNet weights, fully fine-tuned for \(epochs) epoch(s).")
            fflush(nil)   // the header before the progress lines on standard error
        }
        var specification = RunSpecification(data: DataSpecification(source: data))
        specification.model.architecture = "efficientnet_lite0"
        specification.model.weights = "imagenet"
        specification.model.imageSize = imageSize
        specification.training.epochs = epochs
        specification.training.batchSize = 64
        specification.training.lr = 0.001
        specification.training.schedule = .cosine
        specification.runtime.device = runtime.device
        specification.runtime.threads = runtime.threads
        specification.runtime.seed = runtime.seed
        _ = try runtime.configure()
        let reporter = ProgressReporter(quiet: quiet, jsonLines: false)
        let runData = try RunData(specification.data, warn: { reporter.note("warning: " + $0) })
        reporter.note("data: \(runData.description)")
        let runs = try SeedRuns.run(specification, seeds: [runtime.seed], folder: folder.url, data: runData, resume: resume,
                                    force: force, index: recordingIndex(note: reporter.note), note: reporter.note, observer: { reporter($0) })
        let title = "Test results: efficientnet_lite0 (full) on \(data), best epoch by validation auroc"
        print(ResultsTable(title: title, runs: runs.map { ($0.seed, $0.results) }).text())
        print("Run folder: \(folder.url.path)")
    }

    /// `pneumoniamnist` when the file is on disk or (unless offline) can be downloaded, else `synthetic`.
    static func pneumoniaSource(offline: Bool) -> String {
        let store = DataSpecification.medmnistStore()
        if (try? store.locate("pneumoniamnist")) != nil { return "pneumoniamnist" }
        guard !offline else { return "synthetic" }
        do {
            _ = try store.resolve("pneumoniamnist", progress: DownloadProgress.printToStandardError)
            return "pneumoniamnist"
        } catch {
            FileHandleOutput.standardError("PneumoniaMNIST could not be downloaded (\(error)); using the synthetic set.\n")
            return "synthetic"
        }
    }
}
