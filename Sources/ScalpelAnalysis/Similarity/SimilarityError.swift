// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Input a similarity analysis cannot use. The message names what was given, what is needed and how to
/// fix it; every check runs before the heavy work.
public struct SimilarityError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }

    static func datapointMismatch(_ left: Int, _ right: Int, _ what: String) -> SimilarityError {
        SimilarityError("\(what): the two representations have \(left) and \(right) datapoints (rows); " +
                        "both must hold the same images in the same order")
    }

    static func tooFewDatapointsForCCA(datapoints: Int, features: Int, _ what: String) -> SimilarityError {
        SimilarityError("\(what): CCA needs more datapoints than features, but there are \(datapoints) datapoints " +
                        "for \(features) features; use CKA (--measures linear-cka,rbf-cka,debiased-cka), fold " +
                        "spatial positions into datapoints, or give more images (a few times \(features))")
    }
}
