// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// Gaussian Bhattacharyya coefficient (Pándy et al. 2022), as google-research
/// `stable_transfer/transferability/gbc.py`: each class a Gaussian with its mean and its per-dimension
/// population variance floored at 1e-4; GBC = −Σ over ordered pairs c1 ≠ c2 of exp(−D_B(c1, c2)).
/// Higher (closer to 0) is better: the classes overlap less. The paper reduces features with PCA first;
/// pass reduced features for that protocol.
public enum GBC {
    public enum Covariance: String, Sendable, Codable, CaseIterable {
        /// Per-dimension variances.
        case diagonal
        /// One variance per class, the mean of its per-dimension variances, on every dimension.
        case spherical
    }

    /// - Parameters:
    ///   - features: [N, D], any floating dtype.
    ///   - labels: N class indices.
    public static func score(features: Tensor, labels: [Int], covariance: Covariance = .diagonal) throws -> Double {
        let (f, classes) = try TransferabilityInput.features(features, labels: labels, "GBC")
        var statistics: [(mean: Tensor, variance: Tensor)] = []
        for c in 0 ..< classes {
            let rows = labels.indices.filter { labels[$0] == c }.map(Int64.init)
            guard !rows.isEmpty else { continue }
            let members = try f.indexSelect(axis: 0, indices: try Tensor(rows).to(device: f.device))
            var variance = try members.variance(axes: [0], correction: 0).clamped(min: 1e-4)
            if covariance == .spherical { variance = try variance.full(like: try variance.mean().item()) }
            statistics.append((try members.mean(axes: [0]), variance))
        }
        var total = 0.0
        for (i, first) in statistics.enumerated() {
            for (j, second) in statistics.enumerated() where i != j {
                let average = try (first.variance + second.variance) / 2
                let difference = try first.mean - second.mean
                let separation = try (difference * difference / average).sum().item() / 8
                let spread = 0.5 * ((try average.log().sum().item())
                    - 0.5 * (try first.variance.log().sum().item()) - 0.5 * (try second.variance.log().sum().item()))
                total += exp(-(separation + spread))
            }
        }
        return -total
    }
}
