// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelAttacks
import ScalpelData
import ScalpelTraining
import Torch

/// `scalpel attack uap RUN`: a universal adversarial perturbation of a trained run's model, from its
/// training images or from any image folder (e.g. natural photos), scored on the run's test split
/// against random perturbations of the same norm.
struct AttackUAPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uap",
        abstract: "Compute a universal adversarial perturbation (Moosavi-Dezfooli's algorithm, FGSM inner step) and score it.",
        discussion: """
            Perturbations live in pixel space before normalisation, in [0, 1] units; perturbed images \
            are clipped to [0, 1]. ξ = ζ × the mean norm of the run's training images (whole image, all \
            channels). A grey model sees colour source photos converted to grey (0.299 R + 0.587 G + 0.114 B). \
            The attack saves its progress after every chunk and resumes when run again with the same options. \
            --transfer RUN2,RUN3 applies the perturbation to other runs' models (on their own test images, \
            against their own clean predictions) and writes transfer.{json,csv,md}; given for a finished \
            attack, it only adds the transfer matrix.
            """)

    @Argument(help: "The run folder of `scalpel train`.")
    var runFolder: String

    @Option(help: "Source images: train (the run's training split) or a folder of images.")
    var source: String = "train"

    @Option(help: "Norm of the perturbation ball: l2 or linf.")
    var norm: String = "l2"

    @Option(help: "ξ as a fraction of the mean training-image norm (0.04 = 4 %).")
    var zeta: Double = 0.04

    @Option(help: "Target class (index or name) for a targeted UAP.")
    var target: String?

    @Option(name: .customLong("heldout-limit"), help: "At most this many test images to score on.")
    var heldoutLimit: Int = 2000

    @OptionGroup var search: UAPSearchOptions

    @Option(name: .customLong("max-chunks"), help: "Stop after this many chunks (progress saved; run again to continue).")
    var maxChunks: Int?

    @Option(help: "Which weights: best or last.")
    var weights: String = "best"

    @Option(help: "Output folder (default: RUN/attacks/uap-SOURCE-NORM-ZETA[-tTARGET]).")
    var output: String?

    @Option(help: "Other run folders (comma-separated) to apply the perturbation to: a transfer matrix.")
    var transfer: String?

    @OptionGroup var runtime: RuntimeOptions

    var transferRuns: [String] {
        (transfer ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func validate() throws {
        guard PerturbationNorm(rawValue: norm) != nil else { throw ValidationError("--norm must be l2 or linf, got '\(norm)'.") }
        guard RunFolder.Weights(rawValue: weights) != nil else { throw ValidationError("--weights must be best or last, got '\(weights)'.") }
        guard (1...1_000_000).contains(heldoutLimit) else { throw ValidationError("--heldout-limit must be in 1...1000000.") }
        if let maxChunks, maxChunks < 1 { throw ValidationError("--max-chunks must be at least 1, got \(maxChunks).") }
        if transfer != nil, transferRuns.isEmpty || transferRuns.count > 64 {
            throw ValidationError("--transfer takes 1 to 64 run folders separated by commas, got '\(transfer ?? "")'.")
        }
        do {
            _ = try settings(target: nil)
        } catch let error as AttackError {
            throw ValidationError(error.description)
        }
    }

    func settings(target: Int?) throws -> UAPJobSettings {
        try UAPJobSettings(norm: PerturbationNorm(rawValue: norm) ?? .l2, zeta: zeta, fgsmEpsilon: search.fgsmEpsilon,
                           targetClass: target, views: search.views, chunkSize: search.chunk, passes: search.passes, randomDraws: search.randomDraws,
                           seed: runtime.seed, source: source)
    }

    func run() throws {
        let device = try runtime.configure()
        let audited = try AuditedRun(runFolder, weights: RunFolder.Weights(rawValue: weights)!, device: device)
        let targetClass = try target.map { try audited.classIndex($0) }
        let settings = try settings(target: targetClass)
        let name = "uap-\(source == "train" ? "train" : URL(fileURLWithPath: source).lastPathComponent)-\(norm)-\(zeta)"
            + (targetClass.map { "-t\($0)" } ?? "")
        let directory = URL(fileURLWithPath: output ?? audited.folder.url.appendingPathComponent("attacks/\(name)").path)
        // Every input before any heavy work: the runs to transfer to (their image shape must fit), the output folder.
        let others = try transferRuns.map { path -> (String, AuditedRun) in
            let other = try AuditedRun(path, weights: RunFolder.Weights(rawValue: weights)!, device: device)
            guard (other.channels, other.size) == (audited.channels, audited.size) else {
                throw CommandError("--transfer \(path): its model takes \(other.channels)×\(other.size)×\(other.size) images, \(runFolder)'s \(audited.channels)×\(audited.size)×\(audited.size); a perturbation carries over only between models of the same input size")
            }
            return (path, other)
        }
        var lock: FolderLock?   // one writer; the folder is created only once the inputs are checked
        defer { lock?.release() }
        var perturbation = others.isEmpty ? nil : try UAPRunner.finishedPerturbation(in: directory)
        if let finished = perturbation {
            print("\(directory.path) holds a finished attack: computing its transfer matrix only")
            guard finished.shape == [audited.channels, audited.size, audited.size] else {
                throw CommandError("\(directory.path)/uap.safetensors has shape \(finished.shape), but \(runFolder) takes \(audited.channels)×\(audited.size)×\(audited.size) images")
            }
        } else {
            _ = try UAPRunner.existingProgress(in: directory, settings: settings)  // finished or mismatched: fail now
            let sourceImages = try audited.sourceImages(source, views: search.views, seed: runtime.seed)
            let heldout = try audited.heldout(limit: heldoutLimit)
            lock = try FolderLock(directory, purpose: "the attack's folder")
            let runner = try UAPRunner(classifier: audited.classifier, settings: settings, directory: directory,
                                       classNames: audited.classNames)
            runner.log = { print($0) }
            print("UAP of \(audited.architecture) (\(runFolder)) from \(sourceImages.count) source images, scored on \(heldout.images.shape[0]) test images")
            guard let result = try runner.run(source: sourceImages, reference: audited.trainingImages(), heldout: heldout.images,
                                              heldoutLabels: heldout.labels, chunkLimit: maxChunks) else {
                print("Unfinished (progress in \(directory.path)); run the same command again to continue.")
                return
            }
            if !result.skipped.isEmpty { print("skipped \(result.skipped.count) unreadable image(s): \(result.skipped.prefix(5).joined(separator: "; "))") }
            print("Results: \(directory.appendingPathComponent(UAPRunner.resultsFile).path)")
            perturbation = try UAPRunner.finishedPerturbation(in: directory)
        }
        guard !others.isEmpty, let perturbation else { return }
        let targets = try ([(runFolder, audited)] + others).map { path, run in
            try TransferTarget(name: path, classifier: run.classifier, images: run.heldout(limit: heldoutLimit).images)
        }
        let matrix = try TransferMatrix(perturbations: [(runFolder, perturbation)], targets: targets)
        if lock == nil { lock = try FolderLock(directory, purpose: "the attack's folder") }
        try matrix.write(to: directory, name: "transfer", title: "Transfer of the UAP made on \(runFolder)")
        print(matrix.markdown(title: "Transfer of the UAP made on \(runFolder)"))
        print("Written: \(directory.path)/transfer.{json,csv,md}")
    }
}
