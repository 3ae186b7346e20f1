// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// LEEP (Nguyen et al. 2020), as thuml/LogME `LEEP.py`: (1/N) Σᵢ log Σ_z P̂(yᵢ | z) θ(xᵢ)_z with the
/// empirical joint P̂(y, z) = (1/N) Σ_{i: yᵢ = y} θ(xᵢ)_z over the source model's class probabilities θ.
/// Higher is better. (SFDA's copy omits the log; this one keeps it.)
public enum LEEP {
    /// - Parameters:
    ///   - sourceProbabilities: [N, Cs] probabilities of the source classes (rows sum to 1).
    ///   - labels: N target class indices.
    public static func score(sourceProbabilities: Tensor, labels: [Int]) throws -> Double {
        let (p, classes) = try TransferabilityInput.features(sourceProbabilities, labels: labels, "LEEP")
        let minimum = try p.min().item()
        guard minimum >= 0 else { throw TransferabilityError("LEEP: source probabilities must be ≥ 0; found \(minimum) (pass softmax outputs, not logits)") }
        let targets = try TransferabilityInput.oneHot(labels, classes: classes, on: p.device)
        let joint = try targets.t().matmul(p) / Double(p.shape[0])            // [Ct, Cs]
        let columnTotals = try joint.sum(axes: [0], keepDimensions: true)
        let zero = try columnTotals.le(0).any().item() != 0
        guard !zero else { throw TransferabilityError("LEEP: a source class has probability 0 on every image; P(y | z) is undefined") }
        let conditional = try (joint / columnTotals).t()                          // [Cs, Ct]
        let predicted = try (p.matmul(conditional) * targets).sum(axes: [1])    // P̂(yᵢ | xᵢ)
        return try predicted.log().mean().item()
    }
}

/// NCE (Tran et al. 2019), as thuml/LogME `NCE.py`: −H(Y | Z) with Z the source model's predicted class
/// (argmax). Source classes never predicted are skipped; 1e-20 keeps log(0) finite. Higher is better.
public enum NCE {
    /// - Parameters:
    ///   - sourceLabels: N predicted source classes.
    ///   - labels: N target class indices.
    public static func score(sourceLabels: [Int], labels: [Int]) throws -> Double {
        let classes = try TransferabilityInput.classCount(labels: labels, datapoints: sourceLabels.count, "NCE")
        guard let low = sourceLabels.min(), low >= 0 else { throw TransferabilityError("NCE: source labels must be ≥ 0") }
        var joint: [Int: [Double]] = [:]
        let share = 1 / Double(labels.count)
        for (z, y) in zip(sourceLabels, labels) {
            joint[z, default: Array(repeating: 0, count: classes)][y] += share
        }
        var conditionalEntropy = 0.0
        for row in joint.values {
            let pz = row.reduce(0, +)
            let entropy = row.reduce(0.0) { total, pyz in
                let p = pyz / pz + 1e-20
                return total - p * log(p)
            }
            conditionalEntropy += entropy * pz
        }
        return -conditionalEntropy
    }

    /// NCE from [N, Cs] source probabilities (argmax per row).
    public static func score(sourceProbabilities: Tensor, labels: [Int]) throws -> Double {
        guard sourceProbabilities.rank == 2 else {
            throw TransferabilityError("NCE: source probabilities must be [images, classes]; got \(sourceProbabilities.shape)")
        }
        let predicted = try sourceProbabilities.argmax(axis: 1).to(dtype: .int64).hostArray(of: Int64.self).map(Int.init)
        return try score(sourceLabels: predicted, labels: labels)
    }
}
