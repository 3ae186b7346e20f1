// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ScalpelExperiments
import ScalpelTraining

/// One strategy of a comparison or a search candidate: a name and its parameters, written
/// `NAME` or `NAME:K=V,K=V` (e.g. `truncated:cut=layer3`).
struct StrategyEntry: Equatable {
    var name: String
    var parameters: String

    /// `NAME:K=V,…`, the entry's label in tables and its folder name.
    var label: String { parameters.isEmpty ? name : "\(name):\(parameters)" }

    /// A folder name: the label with `:`, `=` and `,` replaced.
    var folderName: String { ComparisonFolder.folderName(forStrategy: label) }

    func strategy() throws -> TransferStrategy {
        do { return try StrategySpecification(name: name, parameters: parameters).transferStrategy() } catch let error as TrainingError {
            throw CommandError(error.description)
        }
    }

    /// Parses `full; linear-probe; truncated:cut=layer3; lwft:k=2,decay=10`. Entries are separated by
    /// `;`, or by `,` when the next piece is not a `K=V` parameter (so a YAML list joined with commas
    /// reads the same).
    static func parse(_ text: String) throws -> [StrategyEntry] {
        var entries: [StrategyEntry] = []
        for piece in text.split(whereSeparator: { $0 == ";" || $0 == "," }).map({ $0.trimmingCharacters(in: .whitespaces) })
        where !piece.isEmpty {
            if piece.contains("="), !piece.contains(":"), !entries.isEmpty {
                entries[entries.count - 1].parameters += (entries[entries.count - 1].parameters.isEmpty ? "" : ",") + piece
            } else {
                let parts = piece.split(separator: ":", maxSplits: 1).map(String.init)
                entries.append(StrategyEntry(name: parts[0], parameters: parts.count > 1 ? parts[1] : ""))
            }
        }
        guard !entries.isEmpty else { throw CommandError("--strategies: no strategy given") }
        for entry in entries { _ = try entry.strategy() }
        return entries
    }
}
