// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The output folder of `scalpel compare` read back: its strategies in table order (`compare.json`) and
/// their run folders, `STRATEGY/seed-N` for several seeds or `STRATEGY` itself for one. Opening never
/// writes to the folder.
public struct ComparisonFolder: Sendable {
    /// One strategy × seed run of the comparison.
    public struct Member: Sendable, Equatable {
        /// The strategy's label in the table (`NAME` or `NAME:K=V,…`).
        public var strategy: String
        /// Path below the comparison folder: `STRATEGY` or `STRATEGY/seed-N`.
        public var name: String
        public var url: URL
    }

    public let url: URL
    public let title: String
    /// Strategy labels in the order of the table.
    public let strategies: [String]
    /// Every run, strategy by strategy, seeds in increasing order.
    public let members: [Member]

    static let fileLimit = 16 << 20, memberLimit = 4096

    /// The folder name `scalpel compare` gives a strategy: its label with `:`, `=`, `,`, `/` and spaces as `_`.
    public static func folderName(forStrategy label: String) -> String {
        label.map { ":=,/ ".contains($0) ? "_" : String($0) }.joined()
    }

    /// Opens the comparison in `url`.
    ///
    /// - Throws: ``ExperimentError`` when `compare.json` is missing, too large or malformed, or when a
    ///   strategy it lists has no run folder.
    public init(at url: URL) throws {
        self.url = url
        let file = url.appendingPathComponent("compare.json")
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? nil
        guard let size else {
            throw ExperimentError("\(url.path) has no compare.json; give the output folder of `scalpel compare`")
        }
        guard size <= Self.fileLimit else { throw ExperimentError("\(file.path) is \(size) bytes, more than a comparison table can be (16 MiB)") }
        struct Table: Decodable {
            struct Row: Decodable { var strategy: String }
            var title: String?
            var rows: [Row]
        }
        let table: Table
        do {
            table = try JSONDecoder().decode(Table.self, from: Data(contentsOf: file))
        } catch {
            throw ExperimentError("\(file.path) is not the table of `scalpel compare` (\(error)); rerun the comparison")
        }
        guard !table.rows.isEmpty else { throw ExperimentError("\(file.path) lists no strategy") }
        title = table.title ?? url.lastPathComponent
        strategies = table.rows.map(\.strategy)
        var members: [Member] = []
        let fileManager = FileManager.default
        for strategy in strategies {
            let folderName = Self.folderName(forStrategy: strategy), folder = url.appendingPathComponent(folderName)
            if fileManager.fileExists(atPath: folder.appendingPathComponent("config.yaml").path) {
                members.append(Member(strategy: strategy, name: folderName, url: folder))
                continue
            }
            let seeds = ((try? fileManager.contentsOfDirectory(atPath: folder.path)) ?? [])
                .compactMap { entry in entry.hasPrefix("seed-") ? UInt64(entry.dropFirst(5)).map { (entry, $0) } : nil }
                .filter { fileManager.fileExists(atPath: folder.appendingPathComponent($0.0 + "/config.yaml").path) }
                .sorted { $0.1 < $1.1 }
            guard !seeds.isEmpty else {
                throw ExperimentError("\(url.path): strategy \(strategy) of compare.json has no run in \(folder.path) (config.yaml or seed-N/config.yaml); finish the comparison with `scalpel compare … --resume`")
            }
            members += seeds.map { Member(strategy: strategy, name: folderName + "/" + $0.0, url: folder.appendingPathComponent($0.0)) }
            guard members.count <= Self.memberLimit else { throw ExperimentError("\(url.path) holds more than \(Self.memberLimit) runs") }
        }
        self.members = members
    }
}
