// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Torch

/// The settings of a universal adversarial perturbation search (Moosavi-Dezfooli et al. 2017, with
/// the FGSM inner step of Hirano & Takemoto and Minagi et al.; ART's `UniversalPerturbation` and
/// `TargetedUniversalPerturbation` with `attacker="fgsm"`).
public struct UniversalPerturbationSettings: Sendable, Equatable, Codable {
    /// The ball the perturbation stays in.
    public var norm: PerturbationNorm
    /// ξ, the radius of that ball, in [0, 1] pixel units (see ``PerturbationBudget`` for ζ → ξ).
    public var radius: Double
    /// ε of the inner FGSM step, in [0, 1] pixel units (MedicalAI-UAP: 0.0024 on [−1, 1] ≈ 0.0012 here).
    public var fgsmEpsilon: Double
    /// nil: non-targeted (fool away from the clean prediction); a class: push every image to it.
    public var targetClass: Int?
    /// Passes over each chunk at most (ART's `max_iter`; Natural_UAP uses 1 per chunk).
    public var passes: Int
    /// Stop a chunk's passes early once its fooling rate (targeted: success rate) reaches `1 − delta`
    /// (ART's `delta`; 0 never stops early unless every image is fooled).
    public var delta: Double

    public init(norm: PerturbationNorm, radius: Double, fgsmEpsilon: Double, targetClass: Int? = nil,
                passes: Int = 1, delta: Double = 0) throws {
        guard radius > 0, radius.isFinite else { throw AttackError("the perturbation radius ξ must be positive, got \(radius)") }
        guard fgsmEpsilon > 0, fgsmEpsilon <= 1 else {
            throw AttackError("the FGSM step must be in (0, 1] (pixel units), got \(fgsmEpsilon)")
        }
        guard (1...1000).contains(passes) else { throw AttackError("passes must be in 1...1000, got \(passes)") }
        guard (0...1).contains(delta) else { throw AttackError("delta must be in [0, 1], got \(delta)") }
        self.norm = norm
        self.radius = radius
        self.fgsmEpsilon = fgsmEpsilon
        self.targetClass = targetClass
        self.passes = passes
        self.delta = delta
    }
}

/// What one chunk's passes did.
public struct ChunkOutcome: Sendable, Equatable {
    public var images: Int
    public var passes: Int
    /// Times the perturbation was replaced by a projected FGSM result.
    public var updates: Int
    /// On the chunk after its last pass (perturbed images clipped): fooling rate against the clean
    /// predictions and, when targeted, the share predicted as the target.
    public var foolingRate: Double
    public var targetedSuccessRate: Double?
}

/// The sequential UAP search, fed chunk by chunk with the perturbation carried over between chunks
/// (Natural_UAP's protocol; one chunk holding every image is ART's `generate`).
///
/// For every image xᵢ in the visiting order, non-targeted: if argmax f(xᵢ + v) is still the clean
/// prediction yᵢ, take x' = clip(xᵢ + v + ε·sign ∇L(xᵢ + v, yᵢ)); if argmax f(x') ≠ argmax f(xᵢ + v),
/// set v ← Proj(x' − xᵢ). Targeted at t: if argmax f(xᵢ + v) ≠ t, take
/// x' = clip(xᵢ + v − ε·sign ∇L(xᵢ + v, t)); if argmax f(x') = t, set v ← Proj(x' − xᵢ).
/// As in ART, the membership test sees xᵢ + v unclipped, the FGSM result is clipped to [0, 1] (so v
/// carries that clip), and every fooling rate is measured on clip(x + v). Projection: ART's
/// (``PerturbationNorm/project(_:radius:)``).
///
/// One difference from ART, with the same result: the test's forward pass is reused for the FGSM
/// gradient instead of being run twice.
public final class UniversalPerturbationSearch {
    public let classifier: PixelClassifier
    public let settings: UniversalPerturbationSettings
    /// v `[C, H, W]`, float32, in [0, 1] pixel units.
    public private(set) var perturbation: Tensor
    /// Source images visited so far, over every chunk (a view counts as an image).
    public private(set) var imagesSeen: Int

    /// - Parameters:
    ///   - imageShape: `[C, H, W]` of the images.
    ///   - initial: a perturbation to continue from (a resumed search), projected onto the ball.
    public init(classifier: PixelClassifier, settings: UniversalPerturbationSettings, imageShape: [Int],
                initial: Tensor? = nil, imagesSeen: Int = 0) throws {
        guard imageShape.count == 3, imageShape[0] == classifier.channels, imageShape.allSatisfy({ $0 > 0 }) else {
            throw AttackError("image shape must be [\(classifier.channels), H, W], got \(imageShape)")
        }
        if let target = settings.targetClass, !(0..<classifier.classCount).contains(target) {
            throw AttackError("target class \(target) does not exist: the model has classes 0...\(classifier.classCount - 1)")
        }
        self.classifier = classifier
        self.settings = settings
        self.imagesSeen = max(0, imagesSeen)
        if let initial {
            guard initial.shape == imageShape else {
                throw AttackError("the perturbation has shape \(initial.shape) but the model's images are \(imageShape)")
            }
            perturbation = try settings.norm.project(initial.to(dtype: .float32).to(device: classifier.device)
                .unsqueezed(axis: 0), radius: settings.radius).squeezed(axis: 0)
        } else {
            perturbation = try Tensor.zeros(imageShape).to(device: classifier.device)
        }
    }

    /// Runs up to ``UniversalPerturbationSettings/passes`` passes over `chunk` `[N, C, H, W]` (pixels in
    /// [0, 1]), each visiting the images in `order(pass)` (a permutation of 0..<N).
    @discardableResult
    public func process(chunk: Tensor, order: (Int) throws -> [Int]) throws -> ChunkOutcome {
        let outcome = try runUAPPasses(chunk: chunk, classifier: classifier, settings: settings, perturbation: { perturbation },
                                       order: order) { images, clean, visit in
            var updates = 0
            for index in visit where try step(image: images.select(axis: 0, index: index).unsqueezed(axis: 0), clean: clean[index]) {
                updates += 1
            }
            return updates
        }
        imagesSeen += outcome.images
        return outcome
    }

    /// `clip(x + v, 0, 1)` for images `[N, C, H, W]`.
    public func apply(to images: Tensor) throws -> Tensor {
        try withNoGrad { try (images + perturbation).clamped(min: 0, max: 1) }
    }

    /// One image's inner step; true when v was replaced.
    private func step(image: Tensor, clean: Int) throws -> Bool {
        let target = settings.targetClass
        let (current, gradient) = try withGrad { () -> (Int, Tensor?) in
            let input = try (image + perturbation).detached().requiringGradient()
            let logits = try classifier.logits(input)
            let current = Int(try logits.argmax(axis: 1).item())
            let attackClass: Int
            if let target {
                guard current != target else { return (current, nil) }
                attackClass = target
            } else {
                guard current == clean else { return (current, nil) }
                attackClass = clean
            }
            let labels = try Tensor([Int64(attackClass)], shape: [1]).to(device: classifier.device)
            let loss = try crossEntropy(logits: logits, targets: labels)
            return (current, try gradients(of: loss, withRespectTo: [input])[0])
        }
        guard let gradient else { return false }
        return try withNoGrad {
            let direction = target == nil ? 1.0 : -1.0
            let candidate = try (image + perturbation + gradient.sign() * (direction * settings.fgsmEpsilon))
                .clamped(min: 0, max: 1)
            let next = try classifier.predictions(candidate)[0]
            let accepted = target.map { next == $0 } ?? (next != current)
            guard accepted else { return false }
            perturbation = try settings.norm.project(candidate - image, radius: settings.radius).squeezed(axis: 0)
            return true
        }
    }
}
