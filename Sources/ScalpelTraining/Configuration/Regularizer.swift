// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Torch

/// A penalty added to the loss that keeps fine-tuned weights near their starting point (Li, Grandvalet
/// & Davoine 2018, "Explicit inductive bias for transfer learning with convolutional networks"):
///
/// - `l2sp`: `α/2 · Σ ‖w − w⁰‖²` over the parameters that have a starting point (the pretrained
///   backbone) plus `β/2 · Σ ‖w‖²` over the others (the new head); its gradient is `α (w − w⁰)`.
/// - `l1sp`: `α · Σ |w − w⁰|` plus the same `β/2 · Σ ‖w‖²` on the new parameters.
public enum Regularizer: Sendable, Equatable, Codable {
    case l2sp(alpha: Double, beta: Double)
    case l1sp(alpha: Double, beta: Double)

    func validate() throws {
        switch self {
        case .l2sp(let alpha, let beta), .l1sp(let alpha, let beta):
            guard alpha >= 0, beta >= 0, alpha.isFinite, beta.isFinite else {
                throw TrainingError.invalidOption("regularizer: alpha and beta must be finite and >= 0, got \(alpha), \(beta)")
            }
        }
    }

    /// The penalty for the trainable `parameters`; `startingPoint` holds w⁰ by key.
    public func penalty(_ parameters: [(key: String, tensor: Tensor)], startingPoint: [String: Tensor]) throws -> Tensor? {
        var total: Tensor?
        func add(_ term: Tensor) throws { total = try total.map { try $0 + term } ?? term }
        for (key, weight) in parameters {
            if let reference = startingPoint[key] {
                let difference = try weight - reference
                switch self {
                case .l2sp(let alpha, _): if alpha > 0 { try add(difference.square().sum() * (alpha / 2)) }
                case .l1sp(let alpha, _): if alpha > 0 { try add(difference.abs().sum() * alpha) }
                }
            } else {
                let beta: Double = switch self { case .l2sp(_, let b), .l1sp(_, let b): b }
                if beta > 0 { try add(weight.square().sum() * (beta / 2)) }
            }
        }
        return total
    }
}

/// How learning rates are set within a phase.
public enum LearningRatePolicy: String, Sendable, Equatable, Codable {
    /// Each group's base rate times the schedule's factor.
    case groups
    /// Auto-RGN (Lee et al. 2023, "Surgical fine-tuning improves adaptation to distribution shifts"):
    /// every parameter tensor has its own rate, the scheduled rate times its relative gradient norm
    /// ‖g‖ / ‖w‖ divided by the largest one, recomputed at every step.
    case autoRGN = "auto-rgn"
}
