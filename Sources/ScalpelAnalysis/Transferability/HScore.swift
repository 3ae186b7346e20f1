// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// H-score (Bao et al. 2019), as tllib `ranking/hscore.py`: tr(pinv(cov f) · cov(E[f | y])), covariances
/// with n − 1 and the pseudo-inverse cutoff 1e-15 × the largest singular value. Higher is better.
public enum HScore {
    /// - Parameters:
    ///   - features: [N, D], any floating dtype.
    ///   - labels: N class indices.
    public static func score(features: Tensor, labels: [Int]) throws -> Double {
        let (f, classes) = try TransferabilityInput.features(features, labels: labels, "H-score")
        let n = Double(f.shape[0])
        let centred = try f - f.mean(axes: [0], keepDimensions: true)
        let covariance = try centred.t().matmul(centred) / (n - 1)
        let targets = try TransferabilityInput.oneHot(labels, classes: classes, on: f.device)
        let counts = try targets.sum(axes: [0])                                   // [C]
        // Each row replaced by its class mean: g = T · diag(1/count) · Tᵀ f (empty classes contribute nothing).
        let classSums = try targets.t().matmul(centred)                           // [C, D]
        let classMeans = try classSums / counts.clamped(min: 1).unsqueezed(axis: 1)
        let g = try targets.matmul(classMeans)                                    // [N, D], mean already 0
        let classCovariance = try g.t().matmul(g) / (n - 1)
        let inverse = try covariance.pseudoInverse(relativeTolerance: 1e-15)
        return try (inverse * classCovariance.t()).sum().item()
    }
}
