// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0

/// TruncatedTL's low-cost truncation detection (App. C.1, step 4): after one full fine-tuning, compare
/// pretrained and fine-tuned features at every candidate cut point against random features of the same
/// shapes, and cut where the two "become substantially overlapped".
///
/// Rule used here: a cut point *overlaps* the random level when its similarity (SVCCA's thresholded mean
/// when every cut point has it, else linear CKA at every cut point) is at most the baseline mean + `deviations` × its standard
/// deviation. The chosen cut is the last cut point before the first overlapping one, in network order:
/// the layers from there up were re-learned rather than reused. With no overlap the deepest cut point is
/// chosen (everything was reused); with the first cut point already overlapping, that first one (the
/// smallest network the search offers). The paper's caveat — coefficients rise where the channel count
/// doubles — is met by comparing each cut point only with a baseline of its own shapes.
public struct SimilarityGuidedCut: Codable, Sendable, Equatable {
    public struct Evidence: Codable, Sendable, Equatable {
        public var cut: String
        public var measure: String
        public var value: Double
        public var baselineMean: Double
        public var baselineStandardDeviation: Double
        public var overlaps: Bool
    }

    public var chosen: String
    public var firstOverlapping: String?
    public var evidence: [Evidence]
    public var rule: String

    /// - Parameter deviations: how many baseline standard deviations above its mean still count as overlap.
    public static func choose(from report: CutPointSimilarityReport, deviations: Double = 2) throws -> SimilarityGuidedCut {
        guard !report.cuts.isEmpty else { throw SimilarityError("no cut point was compared") }
        var evidence: [Evidence] = []
        // One measure for every cut point: SVCCA when all have it, else linear CKA.
        let measure: SimilarityMeasure = report.cuts.allSatisfy { $0.comparison.scores.svcca != nil } ? .svcca : .linearCKA
        for cut in report.cuts {
            let comparison = cut.comparison
            guard let value = comparison.scores.value(measure),
                  let level = comparison.baseline?.summary[measure.rawValue] else {
                throw SimilarityError("\(cut.cut): neither SVCCA nor linear CKA has a value with a random baseline; " +
                                      "run the comparison with baseline draws ≥ 2")
            }
            evidence.append(Evidence(cut: cut.cut, measure: measure.rawValue, value: value, baselineMean: level.mean,
                                     baselineStandardDeviation: level.standardDeviation,
                                     overlaps: value <= level.mean + deviations * level.standardDeviation))
        }
        let first = evidence.firstIndex(where: \.overlaps)
        let chosen: String
        switch first {
        case nil: chosen = evidence.last!.cut
        case 0?: chosen = evidence[0].cut
        case let index?: chosen = evidence[index - 1].cut
        }
        return SimilarityGuidedCut(
            chosen: chosen, firstOverlapping: first.map { evidence[$0].cut }, evidence: evidence,
            rule: "overlap = \(measure.rawValue) ≤ random mean + \(deviations) std; cut = the last cut " +
                  "point before the first overlapping one (the deepest when none overlaps, the first when it overlaps)")
    }
}
