// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What a report shows of `scalpel attack compare`'s `exposure.json`: per strategy, the clean AUROC and
/// the fooling rates of natural-image and training-image UAPs and random controls at each norm and ζ,
/// and the transfer matrices. Decoded with its own tolerant types: only the fields shown.
public struct ExposureRecord: Sendable {
    public struct Cell: Sendable, Decodable {
        public var models: Int
        public var mean: Double
        public var std: Double
        public var lower: Double
        public var upper: Double
    }

    public struct Row: Sendable, Decodable {
        public var strategy: String
        public var seeds: Int
        public var cleanAUROC: Double?
        public var cleanAUROCStd: Double?
        public var cells: [String: Cell]
        /// The largest share of held-out images one class takes in the clean predictions (absent in older tables).
        public var cleanMajorityShare: Double?
        /// Whether the table flags that share as nearly constant decisions (absent in older tables).
        public var nearlyConstantDecisions: Bool?
    }

    public struct Matrix: Sendable, Decodable {
        public var sources: [String]
        public var targets: [String]
        public var foolingRates: [[Double]]
    }

    struct File: Decodable {
        var title: String
        var norms: [String]
        var zetas: [Double]
        var kinds: [String]
        var rows: [Row]
        var transfers: [String: Matrix]?
    }

    /// The file's path relative to the report's folder.
    public let name: String
    public let title: String
    public let norms: [String]
    public let zetas: [Double]
    public let kinds: [String]
    public let rows: [Row]
    public let transfers: [String: Matrix]

    static let fileLimit = 16 << 20

    init(files: ResultFiles, relative: String) throws {
        let file = try files.decode(File.self, relative, limit: Self.fileLimit, what: "the exposure table of `scalpel attack compare`")
        guard file.norms.count <= 4, file.zetas.count <= 64, file.kinds.count <= 8, file.rows.count <= 4096 else {
            throw ReportError("\(files.url(relative).path) has more norms, ζ or strategies than an exposure table can have")
        }
        name = relative
        title = file.title
        norms = file.norms
        zetas = file.zetas
        kinds = file.kinds
        rows = file.rows
        transfers = file.transfers ?? [:]
    }

    /// The key of a cell, as ScalpelAttacks' ExposureTable writes it.
    static func key(kind: String, norm: String, zeta: Double) -> String { "\(kind)-\(norm)-\(zeta)" }
}
