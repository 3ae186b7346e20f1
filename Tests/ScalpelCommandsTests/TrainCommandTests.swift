// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
import ScalpelModels
import ScalpelTraining
import Testing
@testable import ScalpelCommands

/// `scalpel train`, `evaluate` and `predict` end to end on a small generated set, the YAML options
/// and a run killed with SIGKILL.
@Suite(.serialized)
struct TrainCommandTests {
    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-cli-\(UUID().uuidString)")
    }

    /// A quick run: 96 synthetic images, EfficientNet-Lite0 from scratch at 28 px.
    static func arguments(output: URL, epochs: Int = 2) -> [String] {
        ["--data", "synthetic:96", "--model", "efficientnet_lite0", "--weights", "none", "--image-size", "28",
         "--epochs", String(epochs), "--batch-size", "16", "--lr", "0.003", "--bootstrap", "20", "--quiet",
         "--output", output.path]
    }

    @Test func trainWritesARunThatEvaluateAndPredictReuse() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try TrainCommand.parse(Self.arguments(output: folder)).run()
        let run = RunFolder(folder)
        #expect(run.isFinished)
        let results = try RunResults(contentsOf: run.metricsURL)
        #expect(results.history.count == 2)
        #expect(results.test?.metrics["auroc"]?.lower != nil)
        let config = try String(contentsOf: run.configURL, encoding: .utf8)
        #expect(config.contains("version: 1\n") && config.contains("  architecture: efficientnet_lite0\n"))
        #expect(config.contains("  epochs: 2\n"))

        // The run's config.yaml is a valid --config file.
        let reparsed = try TrainCommand.parse(try ConfigFile.merge(["--config", run.configURL.path]))
        #expect(reparsed.training.epochs == 2 && reparsed.model.imageSize == 28 && reparsed.data.data == "synthetic:96")

        // evaluate: the same test metrics from the best checkpoint (without CIs: bootstrap 0). Training runs
        // compute unfused, so the check of exactness turns the eval-mode fast path off too (fused logits
        // differ by up to 1e-4 relative, enough to reorder near-tied probabilities of this tiny model).
        let output = folder.appendingPathComponent("eval.json")
        try EvaluateCommand.parse([folder.path, "--bootstrap", "0", "--no-fuse", "--output", output.path]).run()
        let report = try JSONDecoder().decode(MetricReport.self, from: Data(contentsOf: output))
        let auroc = try #require(report.metrics["auroc"]?.value)
        #expect(abs(auroc - (results.test?.metrics["auroc"]?.value ?? -1)) < 1e-9)

        // evaluate in bf16 against fp32: the paired difference file, consistent with both evaluations.
        let bf16Output = folder.appendingPathComponent("eval-bf16.json")
        try EvaluateCommand.parse([folder.path, "--bootstrap", "50", "--precision", "bf16", "--against-fp32",
                                   "--output", bf16Output.path]).run()
        let bf16 = try JSONDecoder().decode(MetricReport.self, from: Data(contentsOf: bf16Output))
        let differences = try JSONDecoder().decode([PairedDifference].self, from: Data(contentsOf: folder.appendingPathComponent("eval-bf16.vs-fp32.json")))
        let aurocDifference = try #require(differences.first { $0.metric == "auroc" })
        #expect(abs(aurocDifference.candidate - (bf16.metrics["auroc"]?.value ?? -1)) < 1e-12)
        let fp32Output = folder.appendingPathComponent("eval-fp32.json")
        try EvaluateCommand.parse([folder.path, "--bootstrap", "0", "--output", fp32Output.path]).run()
        let fp32 = try JSONDecoder().decode(MetricReport.self, from: Data(contentsOf: fp32Output))
        #expect(abs(aurocDifference.reference - (fp32.metrics["auroc"]?.value ?? -1)) < 1e-12)
        #expect(throws: (any Error).self) { try EvaluateCommand.parse([folder.path, "--against-fp32"]) }
        #expect(throws: (any Error).self) { try EvaluateCommand.parse([folder.path, "--precision", "fp16"]) }
        #expect(throws: (any Error).self) { try EvaluateCommand.parse([folder.path, "--bootstrap", "1000000000"]) }

        // predict: a CSV row per image with one probability per class.
        let image = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../ScalpelDataTests/Fixtures/gray8.png").standardizedFileURL
        let csv = folder.appendingPathComponent("predictions-new.csv")
        try PredictCommand.parse([folder.path, image.path, "--output", csv.path]).run()
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "path,predicted,p_clear,p_opacity")
        #expect(lines.count == 2)
        let probabilities = lines[1].split(separator: ",").suffix(2).compactMap { Double($0) }
        #expect(abs(probabilities.reduce(0, +) - 1) < 1e-5)
    }

    @Test func strategyRunsReloadWithTheirSurgery() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var arguments = Self.arguments(output: folder, epochs: 1)
        arguments[arguments.firstIndex(of: "efficientnet_lite0")!] = "resnet18_28"
        try TrainCommand.parse(arguments + ["--strategy", "truncated", "--strategy-params", "cut=layer2"]).run()
        let results = try RunResults(contentsOf: RunFolder(folder).metricsURL)
        // evaluate rebuilds the truncated network from config.yaml and loads its checkpoint (unfused, as the
        // training run computed).
        let output = folder.appendingPathComponent("eval.json")
        try EvaluateCommand.parse([folder.path, "--bootstrap", "0", "--no-fuse", "--output", output.path]).run()
        let report = try JSONDecoder().decode(MetricReport.self, from: Data(contentsOf: output))
        #expect(report.metrics["auroc"]?.value == results.test?.metrics["auroc"]?.value)
        #expect(try String(contentsOf: RunFolder(folder).configURL, encoding: .utf8).contains("  parameters: cut=layer2\n"))
    }

    @Test func bnPolicyOverridesTheStrategysOwn() throws {
        let command = try TrainCommand.parse(["--data", "synthetic", "--strategy", "lp-ft", "--bn-policy", "train"])
        let backbone = try ScalpelModels.Architecture.resnet18.makeModel(classCount: 2)
        let strategy = try command.training.transferStrategy()
        let phases = try command.training.phases(strategy, model: backbone, backbone: backbone)
        #expect(phases.count == 2 && phases.allSatisfy { $0.batchNorm == .train })
        let automatic = try TrainCommand.parse(["--data", "synthetic", "--strategy", "lp-ft"])
        #expect(try automatic.training.phases(strategy, model: backbone, backbone: backbone).first?.batchNorm == .freeze)
    }

    @Test func strategiesAreListedAsJSON() throws {
        let data = try JSONEncoder().encode(StrategyCatalogue.all)
        let objects = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(objects.count == 14)
        #expect(objects.allSatisfy { $0["name"] is String && $0["parameters"] is [Any] })
        #expect(throws: (any Error).self) { try TrainCommand.parse(["--data", "synthetic", "--strategy", "truncated"]) }
        #expect(throws: (any Error).self) {
            try TrainCommand.parse(["--data", "synthetic", "--strategy", "block-wise", "--strategy-params", "k=zero"])
        }
    }

    @Test func yamlOptionsFillWhatTheCommandLineLeavesOut() throws {
        let folder = Self.temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("options.yaml")
        try "data: pneumoniamnist\nepochs: 7\nlr: 0.0001\nseeds: [0, 1, 2]\nquiet: true\nresume: false\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let merged = try ConfigFile.merge(["--config", file.path, "--epochs", "3"])
        let command = try TrainCommand.parse(merged)
        #expect(command.training.epochs == 3)            // the command line wins
        #expect(command.training.lr == 0.0001)
        #expect(try command.seedList() == [0, 1, 2])
        #expect(command.output.quiet && !command.output.resume)
        try "epochz: 3\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try TrainCommand.parse(try ConfigFile.merge(["--config", file.path, "--data", "x"])) }
        try "- just\n- a list\n".write(to: file, atomically: true, encoding: .utf8)
        let error = #expect(throws: CommandError.self) { try ConfigFile.merge(["--config", file.path]) }
        #expect(error?.description.contains("mapping") == true)
    }

    @Test(arguments: [
        (["--data", "synthetic", "--epochs", "0"], "--epochs must be at least 1"),
        (["--data", "synthetic", "--monitor", "f2"], "unknown metric 'f2'"),
        (["--data", "synthetic", "--schedule", "plateau", "--plateau-factor", "2"], "plateau factor must be in (0, 1)"),
        (["--data", "synthetic", "--class-weights", "heavy"], "--class-weights"),
        (["--data", "synthetic", "--model", "resnet19"], "unknown architecture 'resnet19'"),
        (["--data", "synthetic", "--seeds", "1,x"], "--seeds"),
        (["--data", "synthetic", "--bn-policy", "frozen"], "--bn-policy must be auto, train, freeze or freeze-frozen"),
    ])
    func badTrainingOptionsAreExplained(_ arguments: [String], _ expected: String) {
        do {
            _ = try TrainCommand.parse(arguments)
            Issue.record("\(arguments) parsed without error")
        } catch {
            #expect(TrainCommand.message(for: error).contains(expected), "message was: \(TrainCommand.message(for: error))")
        }
    }

    @Test func aRejectedRunLeavesNoFolderBehind() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: TrainingError.self) {
            try TrainCommand.parse(Self.arguments(output: folder, epochs: 1) + ["--class-weights", "1,2,3"]).run()
        }
        #expect(error?.description.contains("3 given, but the task has 2 classes") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.path))   // the corrected command needs no --force
        #expect(throws: (any Error).self) { try TrainCommand.parse(["--data", "synthetic", "--split", "0.5,0.6,0.1"]) }
    }

    @Test func resumeRefusesChangedOptions() throws {
        var saved = RunSpecification(data: DataSpecification(source: "synthetic"))
        saved.training.lr = 0.001
        var changed = saved
        changed.training.lr = 0.01
        let error = #expect(throws: ExperimentError.self) {
            try RunExecution.checkSameRun(saved: saved, new: changed, file: "config.yaml")
        }
        #expect(error?.description.contains("lr: 0.001 → 0.01") == true)
        try RunExecution.checkSameRun(saved: saved, new: saved, file: "config.yaml")
    }

    /// The `scalpel` executable beside the test bundle (swift build puts both in the same folder).
    static func executable() -> URL? {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("scalpel")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    @Test func runKilledWithSIGKILLOrStoppedWithSIGTERMResumesToTheSameMetrics() throws {
        guard let scalpel = Self.executable() else {
            print("notice: the scalpel executable was not found beside the tests; run `swift build` first. SIGKILL test skipped.")
            return
        }
        let reference = Self.temporaryFolder(), killed = Self.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: reference)
            try? FileManager.default.removeItem(at: killed)
        }
        func launch(_ output: URL, _ extra: [String] = []) throws -> Process {
            let process = Process()
            process.executableURL = scalpel
            process.arguments = ["train"] + Self.arguments(output: output, epochs: 4) + ["--threads", "1"] + extra
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        let whole = try launch(reference)
        whole.waitUntilExit()
        #expect(whole.terminationStatus == 0)

        // Kill the second run at several moments — before any epoch is saved, during epoch 2, during epoch 4 —
        // resuming it each time.
        let deadline = Date().addingTimeInterval(120)
        func epochsDone() -> Int { (try? RunResults(contentsOf: RunFolder(killed).metricsURL))?.history.count ?? 0 }
        let moments: [(name: String, reached: () -> Bool)] = [
            ("before any epoch is saved", { FileManager.default.fileExists(atPath: RunFolder(killed).configURL.path) }),
            ("during epoch 2", { epochsDone() >= 1 }),
            ("during epoch 4", { epochsDone() >= 3 }),
        ]
        for (index, moment) in moments.enumerated() {
            let victim = try launch(killed, index == 0 ? [] : ["--resume"])
            while !moment.reached(), victim.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
            kill(victim.processIdentifier, SIGKILL)
            victim.waitUntilExit()
            #expect(!RunFolder(killed).isFinished, "the run finished before it could be killed \(moment.name)")
        }

        let resumed = try launch(killed, ["--resume"])
        resumed.waitUntilExit()
        #expect(resumed.terminationStatus == 0)
        let a = try RunResults(contentsOf: RunFolder(reference).metricsURL)
        let b = try RunResults(contentsOf: RunFolder(killed).metricsURL)
        #expect(a.test == b.test)
        #expect(a.history.map(\.trainingLoss) == b.history.map(\.trainingLoss))
        #expect(try Data(contentsOf: RunFolder(reference).predictionsURL) == Data(contentsOf: RunFolder(killed).predictionsURL))

        // SIGTERM: a second writer on the folder meanwhile is refused with the first one's pid; the run
        // stops at the next batch, exits with 143 and resumes to the same results.
        let terminated = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: terminated) }
        let stopping = try launch(terminated)
        while !FileManager.default.fileExists(atPath: RunFolder(terminated).lastCheckpointURL.path), stopping.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(stopping.processIdentifier, SIGSTOP)   // still holding its lock, not finishing meanwhile
        let signalMask = (try? String(contentsOfFile: "/proc/\(stopping.processIdentifier)/status", encoding: .utf8))?
            .split(separator: "\n").filter { $0.hasPrefix("Sig") }.joined(separator: " ") ?? ""
        let intruder = Process(), errors = Pipe()
        intruder.executableURL = scalpel
        intruder.arguments = ["train"] + Self.arguments(output: terminated, epochs: 4) + ["--threads", "1", "--resume"]
        intruder.standardOutput = FileHandle.nullDevice
        intruder.standardError = errors
        try intruder.run()
        let refusal = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        intruder.waitUntilExit()
        #expect(intruder.terminationStatus == 1)
        #expect(refusal.contains("being written by another Scalpel process (pid \(stopping.processIdentifier))"), "\(refusal)")
        kill(stopping.processIdentifier, SIGTERM)
        kill(stopping.processIdentifier, SIGCONT)
        stopping.waitUntilExit()
        #expect(stopping.terminationReason == .exit && stopping.terminationStatus == 143, "\(signalMask)")
        #expect(!RunFolder(terminated).isFinished)
        let continued = try launch(terminated, ["--resume"])
        continued.waitUntilExit()
        #expect(continued.terminationStatus == 0)
        let c = try RunResults(contentsOf: RunFolder(terminated).metricsURL)
        #expect(a.test == c.test)
        #expect(try Data(contentsOf: RunFolder(reference).predictionsURL) == Data(contentsOf: RunFolder(terminated).predictionsURL))
    }
}
