// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelAttacks
import ScalpelExperiments
import ScalpelTraining

/// `scalpel attack compare COMPARE_FOLDER`: which transfer strategy is least exposed — for every
/// strategy × seed model of a `scalpel compare` folder, non-targeted UAPs from natural images and from
/// training images and random controls at each ζ, the transfer matrices between strategies, and the
/// table of fooling rates next to clean AUROC.
struct AttackCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "UAPs (natural images, training images, random controls) for every model of a comparison: the strategy exposure table.",
        discussion: """
            Every UAP shares the source images, ζ, FGSM step and seed; each lives in its own resumable folder \
            OUTPUT/STRATEGY/seed-N/uap-KIND-NORM-ZETA (run the command again to continue; finished ones are read \
            back). Writes OUTPUT/exposure.{md,csv,json} and OUTPUT/transfer-KIND-NORM-ZETA.{md,csv,json}.
            """)

    @Argument(help: "The output folder of `scalpel compare`.")
    var compareFolder: String

    @Option(help: "Folder of natural images (e.g. ImageNet photos) for the natural-image UAPs; none: training-image UAPs and controls only.")
    var natural: String?

    @Option(help: "Only these strategies of the comparison (labels as in compare.md, separated by ';'); default: all.")
    var strategies: String?

    @Option(help: "Values of ζ (fraction of the mean training-image norm), comma-separated.")
    var zetas: String = "0.02,0.04,0.06"

    @Option(help: "Norms, comma-separated: l2, linf or both.")
    var norms: String = "l2"

    @OptionGroup var search: UAPSearchOptions

    @Option(name: .customLong("train-limit"), help: "Training images the training-image UAPs are computed from (the first ones).")
    var trainLimit: Int = 1000

    @Option(name: .customLong("heldout-limit"), help: "At most this many test images to score on.")
    var heldoutLimit: Int = 500

    @Option(help: "Which weights: best or last.")
    var weights: String = "best"

    @Option(help: "Output folder (default: COMPARE_FOLDER/attacks).")
    var output: String?

    @OptionGroup var runtime: RuntimeOptions

    func settings() throws -> ExposureSettings {
        var normList: [PerturbationNorm] = []
        for name in norms.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let norm = PerturbationNorm(rawValue: name) else { throw ValidationError("--norms: '\(name)' is not l2 or linf.") }
            if !normList.contains(norm) { normList.append(norm) }
        }
        let zetaList = try zetas.split(separator: ",").map { text -> Double in
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--zetas: '\(text)' is not a number.") }
            return value
        }
        do {
            return try ExposureSettings(norms: normList, zetas: zetaList, fgsmEpsilon: search.fgsmEpsilon, views: search.views, chunkSize: search.chunk,
                                        passes: search.passes, randomDraws: search.randomDraws, seed: runtime.seed, naturalSource: natural)
        } catch let error as AttackError {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        _ = try settings()
        guard RunFolder.Weights(rawValue: weights) != nil else { throw ValidationError("--weights must be best or last, got '\(weights)'.") }
        guard (1...1_000_000).contains(trainLimit) else { throw ValidationError("--train-limit must be in 1...1000000.") }
        guard (1...1_000_000).contains(heldoutLimit) else { throw ValidationError("--heldout-limit must be in 1...1000000.") }
    }

    func run() throws {
        let device = try runtime.configure()
        let settings = try settings()
        let comparison = try ComparisonFolder(at: URL(fileURLWithPath: compareFolder))
        var members = comparison.members
        if let strategies {
            let wanted = strategies.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let unknown = wanted.first(where: { !comparison.strategies.contains($0) }) {
                throw CommandError("--strategies: \(unknown) is not a strategy of \(compareFolder) (\(comparison.strategies.joined(separator: "; ")))")
            }
            members = members.filter { wanted.contains($0.strategy) }
            guard !members.isEmpty else { throw CommandError("--strategies '\(strategies)' names no strategy") }
        }
        // Every run finished and every input readable before any heavy work.
        var auroc: [String: Double] = [:]
        for member in members {
            let run = try FinishedRun(at: member.url)
            if let value = run.results.test?.metrics["auroc"]?.value { auroc[member.name] = value }
        }
        let chosen = RunFolder.Weights(rawValue: weights)!
        let first = try AuditedRun(members[0].url.path, weights: chosen, device: device)
        if let natural { _ = try first.sourceImages(natural, views: search.views, seed: runtime.seed) }
        let directory = URL(fileURLWithPath: output ?? comparison.url.appendingPathComponent("attacks").path)
        let study = try ExposureStudy(directory: directory, settings: settings,
                                      members: members.map { ($0.strategy, $0.name) })
        study.log = { print($0) }
        let lock = try FolderLock(directory, purpose: "the exposure study's folder")   // one writer
        defer { lock.release() }
        print("\(members.count) model(s) of \(Set(members.map(\.strategy)).count) strateg(ies); \(settings.kinds.map(\.rawValue).joined(separator: " and ")) UAPs at ζ \(zetas) (\(norms)) → \(directory.path)")
        let table = try study.run(title: "Exposure to universal adversarial perturbations: \(comparison.title)", cleanAUROC: auroc) { index in
            let audited = try AuditedRun(members[index].url.path, weights: chosen, device: device)
            let heldout = try audited.heldout(limit: heldoutLimit)
            return ExposureModel(classifier: audited.classifier, classNames: audited.classNames, training: try audited.trainingImages(),
                                 trainingSource: try audited.trainingImages(limit: trainLimit),
                                 natural: try natural.map { try audited.sourceImages($0, views: search.views, seed: runtime.seed) },
                                 heldout: heldout.images, heldoutLabels: heldout.labels)
        }
        print(table.markdown)
        print("Written: \(directory.path)/exposure.{md,csv,json}")
    }
}
