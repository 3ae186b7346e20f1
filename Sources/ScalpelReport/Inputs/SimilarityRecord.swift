// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What a report shows of `RUN/analysis/*/similarity.json` (`scalpel analyze similarity RUN`): per cut
/// point, each similarity measure between the reference (pretrained, or another run) and the fine-tuned
/// network, with its random baseline, and the fine-tuned network's block-to-block linear CKA. Decoded
/// with its own tolerant Codable types: only the fields shown, so the report needs no model code.
public struct SimilarityRecord: Sendable {
    public struct Cut: Sendable, Decodable {
        public var cut: String
        public var channels: Int?
        public var comparison: Comparison
    }

    public struct Comparison: Sendable, Decodable {
        public var scores: Scores
        public var baseline: Baseline?
        public var skipped: [String: String]?
    }

    public struct Scores: Sendable, Decodable {
        public var linearCKA: Double?
        public var debiasedLinearCKA: Double?
        public var rbfCKA: Double?
        public var cca: CCA?
        public var svcca: CCA?
        public var pwcca: Double?

        public struct CCA: Sendable, Decodable { public var mean: Double }

        /// The value of a measure by its command-line name (`linear-cka`, `svcca`, …).
        public func value(_ measure: String) -> Double? {
            switch measure {
            case "linear-cka": linearCKA
            case "debiased-cka": debiasedLinearCKA
            case "rbf-cka": rbfCKA
            case "cca": cca?.mean
            case "svcca": svcca?.mean
            case "pwcca": pwcca
            default: nil
            }
        }
    }

    public struct Baseline: Sendable, Decodable {
        public struct MeanAndDeviation: Sendable, Decodable { public var mean: Double; public var standardDeviation: Double }
        /// Mean ± std of each measure over the random draws, by measure name.
        public var summary: [String: MeanAndDeviation]
    }

    public struct BlockMatrix: Sendable, Decodable {
        public var cuts: [String]
        public var linearCKA: [[Double]]
    }

    struct Report: Decodable {
        var images: Int?
        var cuts: [Cut]
        var blockMatrix: BlockMatrix?
    }

    struct File: Decodable {
        var against: String?
        var split: String?
        var reference: String?
        var architecture: String?
        var report: Report
    }

    /// The analysis folder's name (e.g. `similarity-test`).
    public let name: String
    public let reference: String
    public let split: String?
    public let images: Int?
    public let cuts: [Cut]
    public let blockMatrix: BlockMatrix?

    static let measures = ["linear-cka", "debiased-cka", "rbf-cka", "cca", "svcca", "pwcca"]
    static let fileLimit = 64 << 20, folderLimit = 32

    /// Every `analysis/*/similarity.json` of the run, by folder name.
    static func all(in files: ResultFiles) throws -> [SimilarityRecord] {
        guard files.exists("analysis") else { return [] }
        var records: [SimilarityRecord] = []
        for folder in files.subfolders(of: "analysis").prefix(folderLimit) where files.exists(folder + "/similarity.json") {
            let path = folder + "/similarity.json"
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let file = try files.decode(File.self, path, limit: fileLimit, what: "a similarity result of scalpel analyze similarity", decoder: decoder)
            records.append(SimilarityRecord(name: URL(fileURLWithPath: folder).lastPathComponent,
                                            reference: file.against ?? file.reference ?? "pretrained", split: file.split,
                                            images: file.report.images, cuts: file.report.cuts, blockMatrix: file.report.blockMatrix))
        }
        return records
    }
}
