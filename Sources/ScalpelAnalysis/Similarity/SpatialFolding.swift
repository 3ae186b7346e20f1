// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// How convolutional maps [N, C, H, W] become rows of datapoints × features before a comparison.
public enum SpatialHandling: String, Sendable, Codable, CaseIterable {
    /// Fold spatial positions into datapoints ([N·H·W, C]) when both maps have the same H × W; otherwise
    /// average-pool each map to the smaller size (min H, min W) first, then fold (google/svcca's tutorials).
    case automatic
    /// Fold spatial positions into datapoints; both maps must have the same H × W.
    case fold
    /// Average over all positions: one datapoint per image ([N, C]).
    case pool
}

/// Turns two representations of the same images into row matrices with the same datapoints.
public enum SpatialFolding {
    /// `a` and `b` are [N, F] features or [N, C, H, W] maps of the same N images. Returns [M, Fa] and [M, Fb]
    /// with the same M (N, or N·h·w when folded; rows ordered image by image, then row-major positions).
    public static func rows(_ a: Tensor, _ b: Tensor, handling: SpatialHandling) throws -> (Tensor, Tensor) {
        guard a.rank == 2 || a.rank == 4, b.rank == 2 || b.rank == 4 else {
            throw SimilarityError("features must be [datapoints, features] or [N, C, H, W] maps; got shapes \(a.shape) and \(b.shape)")
        }
        guard a.shape[0] == b.shape[0] else { throw SimilarityError.datapointMismatch(a.shape[0], b.shape[0], "features") }
        if a.rank == 2 || b.rank == 2 || handling == .pool {
            return (try pooled(a), try pooled(b))
        }
        let sizeA = (a.shape[2], a.shape[3]), sizeB = (b.shape[2], b.shape[3])
        if sizeA == sizeB { return (try folded(a), try folded(b)) }
        guard handling == .automatic else {
            throw SimilarityError("--spatial fold needs maps of the same spatial size; got \(sizeA.0)×\(sizeA.1) and " +
                                  "\(sizeB.0)×\(sizeB.1); use --spatial automatic (pool to the smaller) or pool")
        }
        let target = (min(sizeA.0, sizeB.0), min(sizeA.1, sizeB.1))
        return (try folded(try a.adaptiveAvgPool2d(outputSize: target)), try folded(try b.adaptiveAvgPool2d(outputSize: target)))
    }

    /// [N, C, H, W] → [N·H·W, C].
    public static func folded(_ map: Tensor) throws -> Tensor {
        try map.permuted([0, 2, 3, 1]).contiguous().reshaped(to: [map.shape[0] * map.shape[2] * map.shape[3], map.shape[1]])
    }

    /// [N, C, H, W] → [N, C] by the mean over positions; [N, F] unchanged.
    public static func pooled(_ features: Tensor) throws -> Tensor {
        features.rank == 2 ? features : try features.mean(axes: [2, 3])
    }
}
