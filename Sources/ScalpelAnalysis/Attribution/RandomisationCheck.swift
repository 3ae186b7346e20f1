// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import TorchNN
import Torch

/// The model-randomisation sanity check (Adebayo et al. 2018, "Sanity Checks for Saliency Maps"): a
/// map that explains the model must change when the model's top layers are re-initialised. The maps
/// of the trained and the randomised network are compared by Spearman rank correlation per image;
/// near 1 means the method ignores the weights (an edge detector, not an explanation).
public enum RandomisationCheck {
    /// Re-initialises, in place, every parameter of `network` above `cut` — the feature links after
    /// it and the head: weights of rank ≥ 2 uniformly in `±√(6 / fan_in)`, one-dimensional weights
    /// (normalisation scales) to 1 and biases to 0. Buffers (running statistics) are kept. Call it
    /// on a copy: it changes the network it is given. Returns the keys re-initialised.
    @discardableResult
    public static func reinitialiseTop(of network: any SplitNetwork, above cut: CutPoint, generator: Generator) throws -> [String] {
        guard network.cutPoints.contains(cut) else {
            throw CutPointError("cut point \(cut.name) does not belong to this \(network.architecture.rawValue) network")
        }
        let kept = Set(network.featureLinks.prefix(cut.linkCount).flatMap { $0.layer.parameters().map { ObjectIdentifier($0.tensor) } })
        let top = network.parameters().filter { !kept.contains(ObjectIdentifier($0.tensor)) }
        try withNoGrad {
            for (key, tensor) in top {
                if tensor.rank >= 2 {
                    let bound = (6 / Double(tensor.elementCount / tensor.shape[0])).squareRoot()
                    try tensor.uniformInPlace(low: -bound, high: bound, generator: generator)
                } else {
                    try tensor.fillInPlace(key.hasSuffix("weight") ? 1 : 0)
                }
            }
        }
        return top.map(\.key)
    }

    /// Spearman rank correlation of each pair of maps `[N, H, W]` (ties get their average rank);
    /// NaN when either map is constant (a 1 × 1 feature map, say), where it is undefined.
    public static func rankCorrelations(_ first: Tensor, _ second: Tensor) throws -> [Double] {
        guard first.shape == second.shape, first.rank >= 2 else {
            throw AttributionError("rank correlation needs two maps of one shape [N, …]; got \(first.shape) and \(second.shape)")
        }
        let count = first.shape[0]
        let a = try first.to(dtype: .float64).to(device: .cpu).reshaped(to: [count, first.elementCount / max(count, 1)]).hostArray(of: Double.self)
        let b = try second.to(dtype: .float64).to(device: .cpu).reshaped(to: [count, first.elementCount / max(count, 1)]).hostArray(of: Double.self)
        let size = a.count / max(count, 1)
        return (0..<count).map { index in
            let range = index * size..<(index + 1) * size
            return pearson(averageRanks(Array(a[range])), averageRanks(Array(b[range])))
        }
    }

    static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = rank }
            start = end + 1
        }
        return ranks
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        guard n > 1 else { return .nan }
        let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (u, v) in zip(x, y) {
            sxy += (u - meanX) * (v - meanY)
            sxx += (u - meanX) * (u - meanX)
            syy += (v - meanY) * (v - meanY)
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : .nan
    }
}
