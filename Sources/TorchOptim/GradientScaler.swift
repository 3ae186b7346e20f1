// Scalpel — TorchOptim
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Dynamic loss scaling for fp16 training (`torch.amp.GradScaler`'s algorithm).
///
/// The loss is multiplied by ``scale`` before backward so that small gradients survive float16's
/// narrow range; ``unscale(_:)`` divides the gradients back in place (they are float32, like the
/// parameters) and says whether all are finite. A step whose gradients overflowed is skipped and the
/// scale shrinks by ``backoffFactor``; after ``growthInterval`` finite steps in a row it grows by
/// ``growthFactor``.
public struct GradientScaler: Sendable, Equatable {
    public private(set) var scale: Double
    public let growthFactor: Double
    public let backoffFactor: Double
    public let growthInterval: Int
    /// Finite steps since the scale last changed.
    public private(set) var finiteSteps = 0
    /// Steps skipped because their gradients were not finite.
    public private(set) var skippedSteps = 0

    public init(initialScale: Double = 65536, growthFactor: Double = 2, backoffFactor: Double = 0.5,
                growthInterval: Int = 2000) throws {
        guard initialScale > 0, initialScale.isFinite, growthFactor > 1, backoffFactor > 0, backoffFactor < 1,
              growthInterval > 0 else {
            throw TorchError(kind: .invalidValue,
                             message: "gradient scaler needs initialScale > 0, growthFactor > 1, 0 < backoffFactor < 1 and growthInterval > 0; got \(initialScale), \(growthFactor), \(backoffFactor), \(growthInterval)",
                             operation: "GradientScaler.init")
        }
        scale = initialScale
        self.growthFactor = growthFactor
        self.backoffFactor = backoffFactor
        self.growthInterval = growthInterval
    }

    /// What changes while training: saved in a checkpoint so that a resumed fp16 run continues with the
    /// scale it had reached (a fresh 65536 would skip steps again while it backs off).
    public struct State: Codable, Sendable, Equatable {
        public var scale: Double
        public var finiteSteps: Int
        public var skippedSteps: Int

        public init(scale: Double, finiteSteps: Int, skippedSteps: Int) {
            self.scale = scale
            self.finiteSteps = finiteSteps
            self.skippedSteps = skippedSteps
        }
    }

    /// The scale and step counts, for a checkpoint.
    public var state: State { State(scale: scale, finiteSteps: finiteSteps, skippedSteps: skippedSteps) }

    /// Continues from a saved ``state``.
    ///
    /// - Throws: ``TorchError`` (invalid value) for a scale that is not positive and finite, or step
    ///   counts outside `0 ..< growthInterval` (finite steps) and `0...` (skipped steps).
    public mutating func restore(_ state: State) throws {
        guard state.scale > 0, state.scale.isFinite, (0..<growthInterval).contains(state.finiteSteps), state.skippedSteps >= 0 else {
            throw TorchError(kind: .invalidValue,
                             message: "saved loss-scaler state is invalid: scale \(state.scale), finite steps \(state.finiteSteps), skipped steps \(state.skippedSteps) (needs scale > 0, 0 ≤ finite steps < \(growthInterval), skipped steps ≥ 0)",
                             operation: "GradientScaler.restore")
        }
        scale = state.scale
        finiteSteps = state.finiteSteps
        skippedSteps = state.skippedSteps
    }

    /// `loss · scale`, to call `backward()` on.
    public func scaled(_ loss: Tensor) throws -> Tensor { try loss * scale }

    /// Divides the gradients of `parameters` by ``scale`` in place and returns whether every one is
    /// finite (one host synchronisation for all of them). Parameters without a gradient are ignored.
    public func unscale(_ parameters: [Tensor]) throws -> Bool {
        let gradients = try parameters.compactMap { try $0.gradient() }
        guard !gradients.isEmpty else { return true }
        var total: Tensor?
        for gradient in gradients {
            try gradient.multiplyInPlace(by: 1 / scale)
            // A sum is infinite or NaN when any element is (or, harmlessly, when float32 overflows).
            let sum = try gradient.to(dtype: .float32).sum()
            total = try total.map { try $0 + sum } ?? sum
        }
        return try total!.item().isFinite
    }

    /// Updates the scale after a step: back off (and count a skipped step) when the gradients were not
    /// finite, grow after ``growthInterval`` finite steps in a row.
    public mutating func update(gradientsFinite: Bool) {
        if gradientsFinite {
            finiteSteps += 1
            if finiteSteps >= growthInterval {
                scale *= growthFactor
                finiteSteps = 0
            }
        } else {
            scale *= backoffFactor
            finiteSteps = 0
            skippedSteps += 1
        }
    }
}
