// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// One representation-similarity measure.
public enum SimilarityMeasure: String, Sendable, Codable, CaseIterable, Comparable {
    case linearCKA = "linear-cka", debiasedCKA = "debiased-cka", rbfCKA = "rbf-cka", cca, svcca, pwcca

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Whether the measure is CCA-based (needs more datapoints than features).
    public var isCCA: Bool { self == .cca || self == .svcca || self == .pwcca }
}

/// What to compute and with which reference parameters.
public struct SimilarityOptions: Sendable, Equatable {
    public var measures: Set<SimilarityMeasure> = Set(SimilarityMeasure.allCases)
    /// SVCCA's SVD step (the paper keeps 99 % of the variance).
    public var svdKeep: SVDKeep = .variance(0.99)
    /// google/svcca's epsilon (dropped low-variance neurons, diagonal regulariser).
    public var epsilon = 1e-10
    /// google/svcca's `threshold` for the summary `mean`.
    public var threshold = 0.98
    /// RBF bandwidth as a fraction t of the median distance (the notebook's `threshold`).
    public var rbfThreshold = 0.5
    /// RBF CKA holds an n × n kernel: it runs on a uniform reservoir sample of at most this many datapoints.
    public var rbfSampleCap = 2048
    /// Seed of the RBF reservoir sample.
    public var seed: UInt64 = 0
    /// The widest representation accepted (cross-products are features² float64 values).
    public var maximumFeatures = 8192

    public init() {}

    /// Hard limits: the RBF kernel is at most 8192² float64 values (512 MiB).
    public static let largestRBFSampleCap = 8192

    func validate() throws {
        guard !measures.isEmpty else { throw SimilarityError("no similarity measure chosen; pick from \(SimilarityMeasure.allCases.map(\.rawValue))") }
        guard rbfSampleCap >= 4, rbfSampleCap <= Self.largestRBFSampleCap else {
            throw SimilarityError("the RBF sample cap must be in 4...\(Self.largestRBFSampleCap); got \(rbfSampleCap)")
        }
        guard maximumFeatures > 0 else { throw SimilarityError("maximumFeatures must be positive") }
    }
}

/// Every chosen measure between two representations of the same datapoints (nil: not computed).
public struct SimilarityScores: Codable, Sendable, Equatable {
    public var datapoints: Int
    public var featuresX: Int
    public var featuresY: Int
    public var linearCKA: Double?
    public var debiasedLinearCKA: Double?
    public var rbfCKA: Double?
    /// Datapoints in the RBF sample (≤ the cap).
    public var rbfDatapoints: Int?
    public var cca: CCAResult?
    public var svcca: CCAResult?
    public var pwcca: Double?

    /// The one-number summary of a measure (CCA and SVCCA: google/svcca's thresholded mean).
    public func value(_ measure: SimilarityMeasure) -> Double? {
        switch measure {
        case .linearCKA: linearCKA
        case .debiasedCKA: debiasedLinearCKA
        case .rbfCKA: rbfCKA
        case .cca: cca?.mean
        case .svcca: svcca?.mean
        case .pwcca: pwcca
        }
    }
}

/// Streams batches of two representations and computes every chosen measure at the end. Linear CKA,
/// debiased CKA, CCA, SVCCA and PWCCA are exact functions of the accumulated cross-products; RBF CKA runs
/// on a uniform reservoir sample of at most ``SimilarityOptions/rbfSampleCap`` datapoints.
public final class SimilarityAccumulator {
    public let options: SimilarityOptions
    private let crossProducts: CrossProductAccumulator
    private var sampleX: [Tensor] = [], sampleY: [Tensor] = []
    private let generator: Generator?

    public init(options: SimilarityOptions = SimilarityOptions()) throws {
        try options.validate()
        self.options = options
        let needsMoments = options.measures.contains { $0 != .rbfCKA }
        crossProducts = CrossProductAccumulator(keepsRowNorms: needsMoments && options.measures.contains(.debiasedCKA))
        generator = options.measures.contains(.rbfCKA) ? try Generator(seed: options.seed) : nil
    }

    public var count: Int { crossProducts.count }

    /// Adds a batch of rows: `x` [b, Dx], `y` [b, Dy] (use ``SpatialFolding`` for maps first).
    public func add(_ x: Tensor, _ y: Tensor) throws {
        for (side, tensor) in [("first", x), ("second", y)] where tensor.rank == 2 && tensor.shape[1] > options.maximumFeatures {
            throw SimilarityError("the \(side) representation has \(tensor.shape[1]) features, more than the " +
                                  "\(options.maximumFeatures) accepted; pool it or reduce it first")
        }
        let seen = crossProducts.count
        try crossProducts.add(x, y)
        if let generator { try addToReservoir(x, y, seen: seen, generator: generator) }
    }

    /// Reservoir sampling (Algorithm R): row t is kept with probability cap / (t + 1), replacing a uniform slot.
    private func addToReservoir(_ x: Tensor, _ y: Tensor, seen: Int, generator: Generator) throws {
        let rows = x.shape[0], cap = options.rbfSampleCap
        let draws = try Tensor.rand([rows], generator: generator, dtype: .float64).hostArray(of: Double.self)
        let x64 = try x.to(dtype: .float64), y64 = try y.to(dtype: .float64)
        for row in 0 ..< rows {
            let index = seen + row
            let slot = index < cap ? index : Int(draws[row] * Double(index + 1))
            guard slot < cap else { continue }
            let rowX = try x64.select(axis: 0, index: row).clone(), rowY = try y64.select(axis: 0, index: row).clone()
            if slot < sampleX.count {
                sampleX[slot] = rowX
                sampleY[slot] = rowY
            } else {
                sampleX.append(rowX)
                sampleY.append(rowY)
            }
        }
    }

    /// Every chosen measure on everything added so far (or only `measures`, a subset of the chosen ones:
    /// RBF CKA needs its sample from the start).
    public func scores(measures only: Set<SimilarityMeasure>? = nil) throws -> SimilarityScores {
        guard let features = crossProducts.featureCounts, crossProducts.count >= 2 else {
            throw SimilarityError("similarity needs at least 2 datapoints; got \(crossProducts.count)")
        }
        var scores = SimilarityScores(datapoints: crossProducts.count, featuresX: features.x, featuresY: features.y)
        let measures = only.map { $0.intersection(options.measures) } ?? options.measures
        if measures.contains(where: \.isCCA) {
            try CCA.checkDatapoints(count: scores.datapoints, featuresX: features.x, featuresY: features.y,
                                    measures.filter(\.isCCA).sorted().map(\.rawValue).joined(separator: ", "))
        }
        if measures.contains(where: { $0 != .rbfCKA }) {
            let moments = try crossProducts.centred()
            if measures.contains(.linearCKA) { scores.linearCKA = try CKA.linear(moments) }
            if measures.contains(.debiasedCKA) { scores.debiasedLinearCKA = try CKA.debiasedLinear(moments) }
            if measures.contains(.cca) { scores.cca = try CCA.similarity(moments, epsilon: options.epsilon, threshold: options.threshold) }
            if measures.contains(.svcca) {
                scores.svcca = try CCA.svcca(moments, keep: options.svdKeep, epsilon: options.epsilon, threshold: options.threshold)
            }
            if measures.contains(.pwcca) { scores.pwcca = try CCA.projectionWeighted(moments, epsilon: options.epsilon) }
        }
        if measures.contains(.rbfCKA) {
            scores.rbfCKA = try CKA.rbf(try Tensor.stack(sampleX), try Tensor.stack(sampleY), threshold: options.rbfThreshold)
            scores.rbfDatapoints = sampleX.count
        }
        return scores
    }

    /// Every chosen measure between `x` [n, Dx] and `y` [n, Dy] (one batch).
    public static func compare(_ x: Tensor, _ y: Tensor, options: SimilarityOptions = SimilarityOptions()) throws -> SimilarityScores {
        guard x.rank == 2, y.rank == 2 else {
            throw SimilarityError("compare takes [datapoints, features] matrices; got shapes \(x.shape) and \(y.shape); use SpatialFolding for maps")
        }
        guard x.shape[0] == y.shape[0] else { throw SimilarityError.datapointMismatch(x.shape[0], y.shape[0], "features") }
        if options.measures.contains(where: \.isCCA) {
            try CCA.checkDatapoints(count: x.shape[0], featuresX: x.shape[1], featuresY: y.shape[1],
                                    options.measures.filter(\.isCCA).sorted().map(\.rawValue).joined(separator: ", "))
        }
        let accumulator = try SimilarityAccumulator(options: options)
        try accumulator.add(x, y)
        return try accumulator.scores()
    }
}
