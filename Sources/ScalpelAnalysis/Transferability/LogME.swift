// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// LogME (You et al. 2021): the mean over classes of the log marginal evidence per image of a Bayesian
/// linear model from the features to the one-vs-rest indicator of each class, maximised over the prior α
/// and noise β by thuml/LogME's fixed-point iteration (`LogME._fit_fixed_point`: at most 11 steps, stop at
/// a 1e-3 relative change of α/β, 1e-5 in the denominators). Features are not centred (as the reference).
/// Higher is better.
public enum LogME {
    /// - Parameters:
    ///   - features: [N, D], any floating dtype.
    ///   - labels: N class indices.
    public static func score(features: Tensor, labels: [Int]) throws -> Double {
        let (f, classes) = try TransferabilityInput.features(features, labels: labels, "LogME")
        let n = f.shape[0], d = f.shape[1]
        // SVD f = u s vh (through fᵀf when N > D, keeping singular values above 1e-10, as the reference).
        let u: Tensor, singular: [Double]
        if n > d {
            let (_, s2, vh) = try f.t().matmul(f).svd()
            let s = try s2.clamped(min: 0).sqrt()
            let values = try s.contiguous().hostArray(of: Double.self)
            let k = values.filter { $0 > 1e-10 }.count
            guard k > 0 else { throw TransferabilityError("LogME: every feature is zero") }
            let kept = try s.slice(axis: 0, start: 0, end: k)
            u = try f.matmul(try vh.slice(axis: 0, start: 0, end: k).t()) / kept.unsqueezed(axis: 0)
            singular = Array(values[..<k])
        } else {
            let decomposition = try f.svd()
            u = decomposition.u
            singular = try decomposition.s.contiguous().hostArray(of: Double.self)
        }
        let sigma = singular.map { $0 * $0 }
        let targets = try TransferabilityInput.oneHot(labels, classes: classes, on: f.device)
        let projections = try u.t().matmul(targets).t().contiguous().hostArray(of: Double.self) // [C, k]
        let counts = (0 ..< classes).map { c in Double(labels.filter { $0 == c }.count) }
        let k = sigma.count
        var total = 0.0
        for c in 0 ..< classes {
            let x2 = (0 ..< k).map { projections[c * k + $0] * projections[c * k + $0] }
            total += evidence(sigma: sigma, x2: x2, residual: counts[c] - x2.reduce(0, +), n: Double(n), d: Double(d))
        }
        return total / Double(classes)
    }

    /// The evidence per image after the fixed-point iteration, for one target column.
    static func evidence(sigma: [Double], x2: [Double], residual: Double, n: Double, d: Double) -> Double {
        var alpha = 1.0, beta = 1.0, m2 = 0.0, res2 = 0.0
        for _ in 0 ..< 11 {
            let t = alpha / beta
            var gamma = 0.0
            m2 = 0
            res2 = residual
            for (s, x) in zip(sigma, x2) {
                gamma += s / (s + t)
                m2 += s * x / ((t + s) * (t + s))
                res2 += x / ((1 + s / t) * (1 + s / t))
            }
            alpha = gamma / (m2 + 1e-5)
            beta = (n - gamma) / (res2 + 1e-5)
            if abs(alpha / beta - t) / t <= 1e-3 { break }
        }
        let logTerms = sigma.reduce(0) { $0 + log(alpha + beta * $1) }
        let evidence = d / 2 * log(alpha) + n / 2 * log(beta) - 0.5 * logTerms - beta / 2 * res2 - alpha / 2 * m2
            - n / 2 * log(2 * Double.pi)
        return evidence / n
    }
}
