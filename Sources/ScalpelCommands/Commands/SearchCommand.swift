// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
import ScalpelModels
import ScalpelTraining

/// `scalpel search`: TruncatedTL's two-stage cut-point search for `truncated`, `transfusion` and
/// `lwft` — every block cut point first, then the layer cut points next to the best block (TransFusion
/// slims whole stages, so it has only the first) — choosing by the validation metric. Each candidate
/// is a run folder and each stage a sweep over them, so an interrupted search continues with
/// `--resume` (finished candidates are read back), a failed candidate does not stop the others and
/// `--retry-failed` reruns it.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the best cut point for truncated, transfusion or lwft: blocks first, then layers near the best block.",
        discussion: "TransFusion slims whole stages, so its search tries the block cut points only.")

    @Option(help: "Seed of the train/validation/test split, for data that come without one.")
    var splitSeed: UInt64 = 0

    @Option(help: "two-stage (train every candidate) or similarity (truncated only: one full fine-tuning, SVCCA per cut point against random features, one truncated training; TruncatedTL App. C.1).")
    var method: String = "two-stage"

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var runtime: RuntimeOptions
    @OptionGroup var sweep: SweepOptions

    func validate() throws {
        guard Self.search(training.strategy) != nil else {
            let searchable = StrategyCatalogue.searchableNames
            throw ValidationError("--strategy must be \(searchable.dropLast().joined(separator: ", ")) or \(searchable.last ?? "") for a cut-point search, got '\(training.strategy)'.")
        }
        guard ["two-stage", "similarity"].contains(method) else {
            throw ValidationError("--method must be two-stage or similarity, got '\(method)'.")
        }
        if method == "similarity", training.strategy != "truncated" {
            throw ValidationError("--method similarity chooses a truncation point: use it with --strategy truncated.")
        }
    }

    /// One trained candidate.
    struct Candidate: Codable {
        var stage: Int
        var cut: String
        var parameters: String
        /// The best validation value of the monitored metric.
        var score: Double?
        var testAUROC: Double?
        var folder: String
    }

    func run() throws {
        if method == "similarity" { return try runSimilarityGuided() }
        _ = try runtime.configure()
        let reporter = ProgressReporter(quiet: output.quiet, jsonLines: output.jsonLines)
        let monitor = try MonitoredMetric(named: training.monitor)
        let name = URL(fileURLWithPath: data.data).deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: output.output ?? "runs/search-\(name)-\(model.model)-\(training.strategy)")
        let base = RunSpecification(data: data, model: model, training: training, runtime: runtime, splitSeed: splitSeed)
        let runData = try RunData(base.data, warn: { reporter.note("warning: " + $0) })
        reporter.note("data: \(runData.description)")
        let backbone = try base.model.randomBackbone(classCount: runData.classCount, inputChannels: runData.channels)
        let blocks = Self.blockCandidates(backbone, strategy: training.strategy)
        guard !blocks.isEmpty else { throw CommandError("\(model.model) has no block cut point to search for \(training.strategy)") }

        let lock = try FolderLock(folder, purpose: "the search folder")
        defer { lock.release() }
        // Each stage is a sweep over its candidates: a failed candidate is recorded (sweep-state.json) and
        // the others go on; --resume reads finished ones back, --retry-failed reruns the failed ones.
        var candidates: [Candidate] = []
        func train(_ cuts: [CutPoint], stage: Int) throws {
            guard !cuts.isEmpty else { return }
            let points = cuts.map { cut in
                var specification = base
                specification.strategy.parameters = Self.parameters(for: cut, backbone: backbone, strategy: training.strategy)
                return SweepPlan.Point(labels: [("candidate", "stage\(stage)-\(cut.name)")], specification: specification,
                                       folder: folder.appendingPathComponent("stage\(stage)-\(cut.name)"))
            }
            for point in points { reporter.note("candidate \(point.labels[0].label): \(training.strategy) \(point.specification.strategy.parameters)") }
            let plan = try SweepPlan(output: folder, axes: ["candidate"], points: points, concurrency: sweep.concurrency, maximumRuns: .max)
            _ = try CommandSweep.run(plan, data: (base.data, runData), output: output, sweep: sweep, reporter: reporter, what: "search")
            for (cut, point) in zip(cuts, points) where RunFolder(point.folder).isFinished {
                let results = try RunResults(contentsOf: RunFolder(point.folder).metricsURL)
                candidates.append(Candidate(stage: stage, cut: cut.name, parameters: point.specification.strategy.parameters,
                                            score: results.best?.value, testAUROC: results.test?.metrics["auroc"]?.value,
                                            folder: point.folder.path))
            }
            try write(candidates, winner: nil, to: folder)
        }
        func failure() throws -> CommandError? {
            CommandSweep.failure(try SweepState.read(in: folder), output: folder, written: "search.json")
        }
        try train(blocks, stage: 1)
        let bestBlock: Candidate
        do { bestBlock = try Self.best(candidates, monitor: monitor) } catch { throw try failure() ?? error }
        try train(Self.layerCandidates(backbone, around: bestBlock.cut, strategy: training.strategy), stage: 2)
        let winner = try Self.best(candidates, monitor: monitor)
        try write(candidates, winner: winner, to: folder)
        if let failure = try failure() { throw failure }
        print("Cut-point search: \(training.strategy) on \(model.model), \(data.data); by validation \(monitor.rawValue)")
        print("stage  cut                      validation  test AUROC  parameters")
        for candidate in candidates {
            print(String(format: "%5d  %@  %10@  %10@  %@%@", candidate.stage,
                         candidate.cut.padding(toLength: 23, withPad: " ", startingAt: 0),
                         candidate.score.map { String(format: "%.4f", $0) } ?? "-",
                         candidate.testAUROC.map { String(format: "%.4f", $0) } ?? "-",
                         candidate.parameters, candidate.cut == winner.cut && candidate.stage == winner.stage ? "  ← best" : ""))
        }
        print("Best cut: \(winner.cut) (\(winner.parameters)); results in \(folder.path)/search.json")
    }

    private func write(_ candidates: [Candidate], winner: Candidate?, to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        struct Report: Codable { var strategy: String; var monitor: String; var candidates: [Candidate]; var best: Candidate? }
        let data = try encoder.encode(Report(strategy: training.strategy, monitor: training.monitor, candidates: candidates, best: winner))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RunFolder.writeAtomically(data, to: folder.appendingPathComponent("search.json"))
    }

    static func best(_ candidates: [Candidate], monitor: MonitoredMetric) throws -> Candidate {
        let scored = candidates.filter { $0.score != nil }
        guard let best = (monitor.maximize ? scored.max { $0.score! < $1.score! } : scored.min { $0.score! < $1.score! }) else {
            throw CommandError("no candidate had a defined validation \(monitor.rawValue); see the candidates' log.txt")
        }
        return best
    }

    /// How the strategy called `name` searches its cut point (its ``StrategyDefinition``); nil for none.
    static func search(_ name: String) -> CutPointSearch? { (try? StrategyCatalogue.definition(name))?.cutPointSearch }

    /// Stage 1: block cut points (TransFusion: below the top block; LWFT: every block boundary below the top).
    static func blockCandidates(_ backbone: any Backbone, strategy: String) -> [CutPoint] {
        let blocks = backbone.cutPoints(.block)
        return search(strategy)?.includesTopBlock == true ? blocks : Array(blocks.dropLast())
    }

    /// Stage 2: layer cut points inside the blocks on either side of the best block cut, not tried yet.
    /// TransFusion slims whole stages, so its search ends after stage 1.
    static func layerCandidates(_ backbone: any Backbone, around blockName: String, strategy: String) -> [CutPoint] {
        guard let search = search(strategy), search.refinesWithLayers else { return [] }
        let blocks = backbone.cutPoints(.block).sorted { $0.linkCount < $1.linkCount }
        guard let index = blocks.firstIndex(where: { $0.name == blockName }) else { return [] }
        let lower = index > 0 ? blocks[index - 1].linkCount : 0
        let upper = index + 1 < blocks.count ? blocks[index + 1].linkCount : Int.max
        let limit = search.includesTopBlock ? Int.max : (blocks.last?.linkCount ?? Int.max)
        let tried = Set(blocks.map(\.linkCount))
        return backbone.cutPoints(.layer).filter {
            $0.linkCount > lower && $0.linkCount < upper && $0.linkCount < limit && !tried.contains($0.linkCount)
        }
    }

    /// The strategy parameters for a cut: `cut=NAME`, or for LWFT the number of layers above it.
    static func parameters(for cut: CutPoint, backbone: any Backbone, strategy: String) -> String {
        search(strategy)?.parameters(cut, backbone) ?? "cut=\(cut.name)"
    }
}
