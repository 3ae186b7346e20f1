// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelRandom
import Torch

/// What `scalpel attack uap` computes: the settings that must match for a run to be resumed.
public struct UAPJobSettings: Sendable, Equatable, Codable {
    public var norm: PerturbationNorm
    /// ξ = ζ · mean ‖x‖ over the reference (training) images; see ``PerturbationBudget``.
    public var zeta: Double
    /// Inner FGSM step in [0, 1] pixel units (default 0.0012, MedicalAI-UAP's 0.0024 on its [−1, 1] scale).
    public var fgsmEpsilon: Double
    public var targetClass: Int?
    /// Views per source image (1: the image only).
    public var views: Int
    /// Source images per chunk; v is carried over from chunk to chunk and saved after each.
    public var chunkSize: Int
    /// Passes over each chunk.
    public var passes: Int
    /// Random perturbations drawn in the same ball as controls.
    public var randomDraws: Int
    public var seed: UInt64
    /// Where the source images come from (for the report).
    public var source: String

    public init(norm: PerturbationNorm, zeta: Double, fgsmEpsilon: Double = 0.0012, targetClass: Int? = nil,
                views: Int = 1, chunkSize: Int = 100, passes: Int = 1, randomDraws: Int = 5, seed: UInt64 = 0,
                source: String) throws {
        try PerturbationBudget.checkZeta(zeta)
        guard fgsmEpsilon > 0, fgsmEpsilon <= 1 else {
            throw AttackError("--fgsm-eps must be in (0, 1] (pixel units), got \(fgsmEpsilon)")
        }
        guard (1...64).contains(views) else { throw AttackError("--views must be in 1...64, got \(views)") }
        guard (1...100_000).contains(chunkSize) else { throw AttackError("--chunk must be in 1...100000, got \(chunkSize)") }
        guard (1...1000).contains(passes) else { throw AttackError("--passes must be in 1...1000, got \(passes)") }
        guard (0...1000).contains(randomDraws) else { throw AttackError("--random-draws must be in 0...1000, got \(randomDraws)") }
        self.norm = norm
        self.zeta = zeta
        self.fgsmEpsilon = fgsmEpsilon
        self.targetClass = targetClass
        self.views = views
        self.chunkSize = chunkSize
        self.passes = passes
        self.randomDraws = randomDraws
        self.seed = seed
        self.source = source
    }
}

/// One point of the fooling-rate curve (Natural_UAP's log): after `imagesSeen` source images.
public struct CurvePoint: Sendable, Equatable, Codable {
    public var imagesSeen: Int
    public var l2: Double
    public var linf: Double
    /// On the chunk just processed.
    public var sourceFoolingRate: Double
    /// On the held-out images.
    public var foolingRate: Double
    public var targetedSuccessRate: Double?
}

/// The state saved after every chunk, with v beside it, so a killed attack resumes where it stopped.
public struct UAPProgress: Sendable, Equatable, Codable {
    public var settings: UAPJobSettings
    public var radius: Double
    /// Source images (not views) processed so far: the next chunk starts here.
    public var nextImage: Int
    public var imagesSeen: Int
    public var curve: [CurvePoint]
    public var skipped: [String]
}

/// Summary statistics of the random controls.
public struct RandomControlSummary: Sendable, Equatable, Codable {
    public var draws: Int
    public var foolingRates: [Double]
    public var targetedSuccessRates: [Double]?
    public var meanFoolingRate: Double { foolingRates.isEmpty ? 0 : foolingRates.reduce(0, +) / Double(foolingRates.count) }
    public var standardDeviation: Double {
        guard foolingRates.count > 1 else { return 0 }
        let mean = meanFoolingRate
        return (foolingRates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(foolingRates.count - 1)).squareRoot()
    }
}

/// The finished attack: what `results.json` holds.
public struct UAPResult: Sendable, Equatable, Codable {
    public var settings: UAPJobSettings
    public var radius: Double
    public var meanReferenceNorm: Double
    public var imagesSeen: Int
    public var perturbationL2: Double
    public var perturbationLinf: Double
    /// On the held-out images.
    public var heldout: EvaluationSummary
    public var random: RandomControlSummary
    /// Random perturbations of the UAP's own size ‖v‖ (Natural_UAP's control), when ‖v‖ is below ξ
    /// (nil otherwise: then they are the controls above).
    public var randomAtUAPNorm: RandomControlSummary?
    public var curve: [CurvePoint]
    public var skipped: [String]
    public var classNames: [String]
}

/// The numbers of a ``PerturbationEvaluation``, for result files.
public struct EvaluationSummary: Sendable, Equatable, Codable {
    public var images: Int
    public var foolingRate: Double
    public var targetedSuccessRate: Double?
    public var cleanTargetRate: Double?
    /// `confusion[clean][perturbed]`.
    public var confusion: [[Int]]
    public var imagesByCleanClass: [Int]
    public var foolingRateByCleanClass: [Double?]
    public var foolingRateByLabel: [Double?]?
    public var targetedSuccessRateByLabel: [Double?]?

    /// The largest share of the images that one class takes in the clean predictions (nil for no images).
    public var cleanMajorityShare: Double? {
        guard images > 0, let largest = imagesByCleanClass.max() else { return nil }
        return Double(largest) / Double(images)
    }

    public init(_ evaluation: PerturbationEvaluation) {
        images = evaluation.count
        foolingRate = evaluation.foolingRate
        targetedSuccessRate = evaluation.targetedSuccessRate
        cleanTargetRate = evaluation.cleanTargetRate
        confusion = evaluation.confusion
        let byClass = evaluation.foolingRateByCleanClass
        imagesByCleanClass = byClass.map(\.images)
        foolingRateByCleanClass = byClass.map(\.foolingRate)
        let byLabel = evaluation.ratesByLabel
        foolingRateByLabel = byLabel?.map(\.foolingRate)
        targetedSuccessRateByLabel = evaluation.targetClass == nil ? nil : byLabel?.map(\.targetedSuccessRate)
    }
}
