// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelRandom
import Torch

/// Runs a UAP attack into an output folder, chunk by chunk, saving its progress atomically after each
/// chunk (`progress.safetensors`: v and the state as metadata) so a killed attack resumes where it
/// stopped. Result files are written only at the end, `results.json` last, and the progress file is
/// removed after it: a folder is finished exactly when it has `results.json` and no progress file.
public final class UAPRunner {
    public static let progressFile = "progress.safetensors"
    public static let resultsFile = "results.json"

    public let classifier: PixelClassifier
    public let settings: UAPJobSettings
    public let directory: URL
    public let classNames: [String]
    /// Receives one line per event (chunk done, controls, files).
    public var log: (String) -> Void = { _ in }

    public init(classifier: PixelClassifier, settings: UAPJobSettings, directory: URL, classNames: [String]) throws {
        guard classNames.count == classifier.classCount else {
            throw AttackError("\(classNames.count) class names for a model with \(classifier.classCount) classes")
        }
        if let target = settings.targetClass, !(0..<classifier.classCount).contains(target) {
            throw AttackError("--target \(target): the model has classes 0...\(classifier.classCount - 1) (\(classNames.joined(separator: ", ")))")
        }
        self.classifier = classifier
        self.settings = settings
        self.directory = directory
        self.classNames = classNames
    }

    /// Checks the output folder before any heavy work: a finished attack is never overwritten, and an
    /// unfinished one is resumed only with the same settings. Returns the progress to resume from.
    public static func existingProgress(in directory: URL, settings: UAPJobSettings) throws -> (UAPProgress, Tensor)? {
        let results = directory.appendingPathComponent(resultsFile), progress = directory.appendingPathComponent(progressFile)
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: results.path), !fileManager.fileExists(atPath: progress.path) {
            throw AttackError("\(directory.path) already holds a finished attack (\(resultsFile)); choose another --output or delete it")
        }
        guard fileManager.fileExists(atPath: progress.path) else { return nil }
        let (tensors, metadata) = try SafeTensors.read(contentsOf: progress)
        guard let text = metadata["progress"], let state = try? JSONDecoder().decode(UAPProgress.self, from: Data(text.utf8)),
              let perturbation = tensors["perturbation"] else {
            throw AttackError("\(progress.path) is not a progress file of `scalpel attack uap`; delete it to start again")
        }
        guard state.settings == settings else {
            throw AttackError("\(directory.path) holds an unfinished attack with other settings (\(describe(state.settings))); rerun with those settings to resume, or choose another --output")
        }
        return (state, perturbation)
    }

    /// The perturbation `[C, H, W]` of a finished attack in `directory` (nil when the folder holds no
    /// finished attack).
    public static func finishedPerturbation(in directory: URL) throws -> Tensor? {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: directory.appendingPathComponent(resultsFile).path),
              !fileManager.fileExists(atPath: directory.appendingPathComponent(progressFile).path) else { return nil }
        let file = directory.appendingPathComponent("uap.safetensors")
        guard let perturbation = try? SafeTensors.read(contentsOf: file).tensors["perturbation"], perturbation.rank == 3 else {
            throw AttackError("\(file.path) is missing or holds no [C, H, W] perturbation; rerun the attack into a fresh --output")
        }
        return perturbation
    }

    static func describe(_ s: UAPJobSettings) -> String {
        "--norm \(s.norm.rawValue) --zeta \(s.zeta) --fgsm-eps \(s.fgsmEpsilon)\(s.targetClass.map { " --target \($0)" } ?? "") --views \(s.views) --chunk \(s.chunkSize) --passes \(s.passes) --seed \(s.seed), source \(s.source)"
    }

    /// Runs (or resumes) the attack.
    ///
    /// - Parameters:
    ///   - source: the images the perturbation is computed from.
    ///   - reference: the model's training images, for ζ → ξ (ignored when resuming: ξ is saved).
    ///   - heldout: images `[N, C, H, W]` in [0, 1] (and their labels) the perturbation is scored on.
    ///   - chunkLimit: stop (unfinished, progress saved) after this many chunks in this call.
    /// - Returns: the result, or nil when `chunkLimit` stopped the attack before its end.
    public func run(source: SourceImages, reference: SourceImages, heldout: Tensor, heldoutLabels: [Int]?,
                    chunkLimit: Int? = nil) throws -> UAPResult? {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let imageShape = [classifier.channels, source.size, source.size]
        guard Array(heldout.shape.dropFirst()) == imageShape else {
            throw AttackError("held-out images are \(heldout.shape), the source images \(imageShape)")
        }
        var budget = PerturbationBudget(norm: settings.norm)
        let search: UniversalPerturbationSearch
        var progress: UAPProgress
        if let (saved, perturbation) = try Self.existingProgress(in: directory, settings: settings) {
            progress = saved
            log("resuming after \(saved.nextImage) of \(source.count) source images (ξ = \(format(saved.radius)))")
            search = try makeSearch(radius: saved.radius, imageShape: imageShape, initial: perturbation, seen: saved.imagesSeen)
        } else {
            var start = 0
            while start < reference.count {
                if let chunk = try reference.chunk(start..<min(start + 500, reference.count)) { try budget.add(chunk) }
                start += 500
            }
            let radius = try budget.radius(zeta: settings.zeta)
            progress = UAPProgress(settings: settings, radius: radius, nextImage: 0, imagesSeen: 0, curve: [], skipped: [])
            log("ξ = \(format(radius)) = ζ \(settings.zeta) × mean ‖x‖\(settings.norm == .l2 ? "₂" : "∞") \(format(try budget.meanNorm)) over \(budget.imageCount) reference images")
            search = try makeSearch(radius: radius, imageShape: imageShape, initial: nil, seen: 0)
        }
        let cleanHeldout = try classifier.predictions(heldout)
        var chunksDone = 0
        while progress.nextImage < source.count {
            if let chunkLimit, chunksDone >= chunkLimit {
                log("stopped after \(chunksDone) chunk(s); run again to continue")
                return nil
            }
            chunksDone += 1
            let range = progress.nextImage..<min(progress.nextImage + settings.chunkSize, source.count)
            let before = source.skipped.count
            if let chunk = try source.chunk(range) {
                let chunkIndex = UInt64(range.lowerBound / settings.chunkSize)
                let outcome = try search.process(chunk: chunk) { pass in
                    var generator = SplitMix64(seed: self.settings.seed &+ chunkIndex &* 1_000_003 &+ UInt64(pass))
                    return Array(0..<chunk.shape[0]).shuffled(using: &generator)
                }
                let evaluation = try PerturbationEvaluation(classifier: classifier, images: heldout, perturbation: search.perturbation,
                                                            targetClass: settings.targetClass, cleanPredictions: cleanHeldout)
                progress.curve.append(CurvePoint(imagesSeen: search.imagesSeen, l2: try PerturbationNorm.l2.norm(search.perturbation),
                                                 linf: try PerturbationNorm.linf.norm(search.perturbation),
                                                 sourceFoolingRate: outcome.foolingRate, foolingRate: evaluation.foolingRate,
                                                 targetedSuccessRate: evaluation.targetedSuccessRate))
                log("images \(range.upperBound)/\(source.count) (\(search.imagesSeen) inputs): ‖v‖₂ \(format(progress.curve.last!.l2)), held-out fooling rate \(format(evaluation.foolingRate))\(evaluation.targetedSuccessRate.map { ", targeted success \(format($0))" } ?? "")")
            }
            progress.skipped += source.skipped[before...].map { "\($0.id): \($0.reason)" }
            progress.nextImage = range.upperBound
            progress.imagesSeen = search.imagesSeen
            try save(progress, perturbation: search.perturbation)
        }
        guard progress.imagesSeen > 0 else {
            throw AttackError("no source image could be read (\(progress.skipped.prefix(3).joined(separator: "; ")))")
        }
        let result = try finish(progress, perturbation: search.perturbation, heldout: heldout, labels: heldoutLabels,
                                clean: cleanHeldout, meanNorm: progress.radius / settings.zeta)
        return result
    }

    private func makeSearch(radius: Double, imageShape: [Int], initial: Tensor?, seen: Int) throws -> UniversalPerturbationSearch {
        let inner = try UniversalPerturbationSettings(norm: settings.norm, radius: radius, fgsmEpsilon: settings.fgsmEpsilon,
                                                      targetClass: settings.targetClass, passes: settings.passes, delta: 0)
        return try UniversalPerturbationSearch(classifier: classifier, settings: inner, imageShape: imageShape,
                                               initial: initial, imagesSeen: seen)
    }

    private func save(_ progress: UAPProgress, perturbation: Tensor) throws {
        let json = String(decoding: try JSONEncoder().encode(progress), as: UTF8.self)
        let data = try SafeTensors.encode(try StateDict([("perturbation", perturbation.to(device: .cpu))]), metadata: ["progress": json])
        try data.write(to: directory.appendingPathComponent(Self.progressFile), options: .atomic)
    }

    private func finish(_ progress: UAPProgress, perturbation: Tensor, heldout: Tensor, labels: [Int]?, clean: [Int],
                        meanNorm: Double) throws -> UAPResult {
        let evaluation = try PerturbationEvaluation(classifier: classifier, images: heldout, perturbation: perturbation,
                                                    labels: labels, targetClass: settings.targetClass, cleanPredictions: clean)
        let random = try randomControls(radius: progress.radius, shape: perturbation.shape, seed: settings.seed &+ 0x5EED,
                                        heldout: heldout, clean: clean)
        log("held-out fooling rate \(format(evaluation.foolingRate)); random controls \(format(random.meanFoolingRate)) ± \(format(random.standardDeviation)) (\(random.draws) draws)")
        let size = try settings.norm.norm(perturbation)
        var atSize: RandomControlSummary?
        if settings.randomDraws > 0, size > 0, size < progress.radius * (1 - 1e-3) {
            atSize = try randomControls(radius: size, shape: perturbation.shape, seed: settings.seed &+ 0x5EED &+ 1,
                                        heldout: heldout, clean: clean)
            log("random controls of the UAP's size ‖v‖ = \(format(size)): \(format(atSize!.meanFoolingRate)) ± \(format(atSize!.standardDeviation))")
        }
        let result = UAPResult(settings: settings, radius: progress.radius, meanReferenceNorm: meanNorm,
                               imagesSeen: progress.imagesSeen, perturbationL2: try PerturbationNorm.l2.norm(perturbation),
                               perturbationLinf: try PerturbationNorm.linf.norm(perturbation),
                               heldout: EvaluationSummary(evaluation), random: random, randomAtUAPNorm: atSize, curve: progress.curve,
                               skipped: progress.skipped, classNames: classNames)
        try UAPResultFiles(result: result, perturbation: perturbation,
                           examples: heldout.slice(axis: 0, start: 0, end: min(4, heldout.shape[0])))
            .write(to: directory)
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(Self.progressFile))
        return result
    }

    /// `settings.randomDraws` perturbations uniform in the ball of `radius`, scored on the held-out images.
    private func randomControls(radius: Double, shape: [Int], seed: UInt64, heldout: Tensor, clean: [Int]) throws -> RandomControlSummary {
        let generator = try Generator(seed: seed)
        var rates: [Double] = [], successes: [Double] = []
        for _ in 0..<settings.randomDraws {
            let noise = try RandomControl.sample(shape: shape, radius: radius, norm: settings.norm, generator: generator)
                .to(device: classifier.device)
            let control = try PerturbationEvaluation(classifier: classifier, images: heldout, perturbation: noise,
                                                     targetClass: settings.targetClass, cleanPredictions: clean)
            rates.append(control.foolingRate)
            if let rate = control.targetedSuccessRate { successes.append(rate) }
        }
        return RandomControlSummary(draws: settings.randomDraws, foolingRates: rates,
                                    targetedSuccessRates: settings.targetClass == nil ? nil : successes)
    }

    private func format(_ value: Double) -> String { String(format: "%.4f", value) }
}
