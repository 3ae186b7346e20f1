// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData

/// Which strategy is least exposed: per strategy, the clean AUROC and the held-out fooling rates of
/// UAPs from natural images, from training images and of random perturbations in the same ball, at
/// each norm and ζ — mean ± std over the strategy's seed models, with a 95 % Wilson interval of the
/// rate pooled over their held-out images (for random controls: over every draw of every model).
/// The interval covers the sampling of held-out images, not the variation between seeds (the ± does).
public struct ExposureTable: Sendable, Equatable, Codable {
    /// Where a perturbation comes from.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case natural, training
        /// Uniform in the ball of radius ξ (the UAPs' ball).
        case random
        /// Uniform in the ball of the natural-image UAP's own size ‖v‖ (Natural_UAP's control; the same as
        /// `random` when that UAP fills its ball).
        case randomNaturalSize = "random-natural-size"
    }

    /// One model's fooling rate for one setting.
    public struct Entry: Sendable, Equatable, Codable {
        public var strategy: String
        /// The run below the comparison folder (`STRATEGY/seed-N`).
        public var model: String
        public var kind: Kind
        public var norm: PerturbationNorm
        public var zeta: Double
        /// Mean over draws for random controls.
        public var foolingRate: Double
        /// Held-out images the rate is over (× draws for random controls).
        public var images: Int
        public var fooled: Int
        /// The largest share of the held-out images that one class takes in the model's clean predictions.
        public var cleanMajorityShare: Double?

        public init(strategy: String, model: String, kind: Kind, norm: PerturbationNorm, zeta: Double, foolingRates: [Double],
                    images: Int, cleanMajorityShare: Double? = nil) {
            self.cleanMajorityShare = cleanMajorityShare
            self.strategy = strategy
            self.model = model
            self.kind = kind
            self.norm = norm
            self.zeta = zeta
            foolingRate = foolingRates.isEmpty ? 0 : foolingRates.reduce(0, +) / Double(foolingRates.count)
            self.images = images * foolingRates.count
            fooled = foolingRates.map { Int(($0 * Double(images)).rounded()) }.reduce(0, +)
        }
    }

    /// Mean ± std over seed models and the pooled 95 % interval.
    public struct Cell: Sendable, Equatable, Codable {
        public var models: Int
        public var mean: Double
        public var std: Double
        public var lower: Double
        public var upper: Double
    }

    public struct Row: Sendable, Equatable, Codable {
        public var strategy: String
        public var seeds: Int
        public var cleanAUROC: Double?
        public var cleanAUROCStd: Double?
        /// Keyed by ``ExposureTable/key(kind:norm:zeta:)``.
        public var cells: [String: Cell]
        /// The largest ``Entry/cleanMajorityShare`` of the strategy's models (nil in tables written before it).
        public var cleanMajorityShare: Double?
        /// Whether that share reaches ``ExposureTable/nearlyConstantShare`` (readers of the file need no threshold).
        public var nearlyConstantDecisions: Bool?
    }

    /// From this share of held-out images in one clean class on, a model's decisions hardly depend on the
    /// image, and its fooling rates (flipped decisions) say little about its exposure: the table says so.
    public static let nearlyConstantShare = 0.95

    public var title: String
    public var norms: [PerturbationNorm]
    public var zetas: [Double]
    public var kinds: [Kind]
    public var rows: [Row]
    public var entries: [Entry]
    /// Transfer matrices between the strategies' first seed models, keyed as the cells (natural and training kinds).
    public var transfers: [String: TransferMatrix] = [:]

    public static func key(kind: Kind, norm: PerturbationNorm, zeta: Double) -> String { "\(kind.rawValue)-\(norm.rawValue)-\(zeta)" }

    /// The table of `entries`, strategies in the order of `strategies`; `cleanAUROC[model]` from each run's test metrics.
    public init(title: String, strategies: [String], entries: [Entry], cleanAUROC: [String: Double]) {
        self.title = title
        self.entries = entries
        norms = PerturbationNorm.allCases.filter { norm in entries.contains { $0.norm == norm } }
        zetas = Array(Set(entries.map(\.zeta))).sorted()
        kinds = Kind.allCases.filter { kind in entries.contains { $0.kind == kind } }
        rows = strategies.map { strategy in
            let mine = entries.filter { $0.strategy == strategy }
            let models = Array(Set(mine.map(\.model))).sorted()
            let auroc = Self.meanAndStd(models.compactMap { cleanAUROC[$0] })
            var cells: [String: Cell] = [:]
            for entry in mine {
                let key = Self.key(kind: entry.kind, norm: entry.norm, zeta: entry.zeta)
                guard cells[key] == nil else { continue }
                let same = mine.filter { Self.key(kind: $0.kind, norm: $0.norm, zeta: $0.zeta) == key }
                let (mean, std) = Self.meanAndStd(same.map(\.foolingRate)) ?? (0, 0)
                let (lower, upper) = Self.wilson(fooled: same.map(\.fooled).reduce(0, +), of: same.map(\.images).reduce(0, +))
                cells[key] = Cell(models: same.count, mean: mean, std: std, lower: lower, upper: upper)
            }
            let share = mine.compactMap(\.cleanMajorityShare).max()
            return Row(strategy: strategy, seeds: models.count, cleanAUROC: auroc?.mean, cleanAUROCStd: auroc?.std, cells: cells,
                       cleanMajorityShare: share, nearlyConstantDecisions: share.map { $0 >= Self.nearlyConstantShare })
        }
    }

    /// Mean and sample standard deviation (n − 1; 0 for one value).
    static func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double)? {
        guard !values.isEmpty else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        return (mean, (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot())
    }

    /// The 95 % Wilson score interval of `fooled` / `total` ([0, 1] for no images).
    public static func wilson(fooled: Int, of total: Int, z: Double = 1.959963984540054) -> (lower: Double, upper: Double) {
        guard total > 0 else { return (0, 1) }
        let n = Double(total), p = Double(fooled) / n, z2 = z * z
        let center = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / (1 + z2 / n)
        return (max(0, center - half), min(1, center + half))
    }

    private func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "" }

    /// One Markdown table per norm: strategy, clean AUROC, then per ζ one column per kind.
    public var markdown: String {
        var lines = ["# \(title)", "",
                     "Held-out fooling rate (share of test images whose prediction changes), mean ± std over each strategy's seed models, [95 % Wilson interval of the pooled rate]. natural: UAP from natural images; training: UAP from the run's training images; random: uniform in the same ball; random-natural-size: uniform in the ball of the natural-image UAP's own norm. ξ = ζ × mean training-image norm; pixels in [0, 1]; perturbed images clipped to [0, 1]."]
        for norm in norms {
            var header = "| strategy | seeds | clean AUROC |", rule = "|---|---|---|"
            for zeta in zetas {
                for kind in kinds {
                    header += " \(kind.rawValue) ζ \(String(format: "%g", zeta * 100)) % |"
                    rule += "---|"
                }
            }
            lines += ["", "## \(norm == .l2 ? "L2" : "L∞")", "", header, rule]
            for row in rows {
                var line = "| \(row.strategy) | \(row.seeds) | \(row.cleanAUROC.map { number($0) + " ± " + number(row.cleanAUROCStd) } ?? "–") |"
                for zeta in zetas {
                    for kind in kinds {
                        if let cell = row.cells[Self.key(kind: kind, norm: norm, zeta: zeta)] {
                            line += " \(number(cell.mean)) ± \(number(cell.std)) [\(number(cell.lower)), \(number(cell.upper))] |"
                        } else {
                            line += " – |"
                        }
                    }
                }
                lines.append(line)
            }
        }
        let constant = rows.filter { $0.nearlyConstantDecisions == true }
        if !constant.isEmpty {
            lines += ["", "**Nearly constant decisions.** " + constant.map { row in
                "\(row.strategy): \(String(format: "%.1f", 100 * (row.cleanMajorityShare ?? 0))) % of the held-out images fall in one class when clean"
            }.joined(separator: "; ") + ". A fooling rate counts flipped decisions, so such a model looks unfooled by any perturbation that does not carry almost every score across the boundary; judge its exposure by its scores (AUROC under the perturbation), not by these rates."]
        }
        for norm in norms {
            for zeta in zetas {
                for kind in kinds {
                    guard let matrix = transfers[Self.key(kind: kind, norm: norm, zeta: zeta)] else { continue }
                    lines += ["", "### Transfer: \(kind.rawValue)-image UAPs, \(norm == .l2 ? "L2" : "L∞"), ζ \(String(format: "%g", zeta * 100)) %", "",
                              "Rows: the strategy the UAP was made on (first seed); columns: the strategy it is applied to.", "",
                              "| made on \\ applied to | " + matrix.targets.joined(separator: " | ") + " |",
                              "|---|" + String(repeating: "---|", count: matrix.targets.count)]
                    for (source, rates) in zip(matrix.sources, matrix.foolingRates) {
                        lines.append("| \(source) | " + rates.map { number($0) }.joined(separator: " | ") + " |")
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Long format: one line per strategy × norm × ζ × kind.
    public var csv: String {
        var lines = ["strategy,seeds,clean_auroc_mean,clean_auroc_std,norm,zeta,source,models,fooling_rate_mean,fooling_rate_std,ci_lower,ci_upper"]
        for row in rows {
            for norm in norms {
                for zeta in zetas {
                    for kind in kinds {
                        guard let cell = row.cells[Self.key(kind: kind, norm: norm, zeta: zeta)] else { continue }
                        lines.append([CSVWriter.field(row.strategy), String(row.seeds), number(row.cleanAUROC), number(row.cleanAUROCStd),
                                      norm.rawValue, "\(zeta)", kind.rawValue, String(cell.models), number(cell.mean), number(cell.std),
                                      number(cell.lower), number(cell.upper)].joined(separator: ","))
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `exposure.json`, `exposure.csv` and `exposure.md` into `directory`, each atomically.
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(csv.utf8).write(to: directory.appendingPathComponent("exposure.csv"), options: .atomic)
        try Data(markdown.utf8).write(to: directory.appendingPathComponent("exposure.md"), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent("exposure.json"), options: .atomic)
    }
}
