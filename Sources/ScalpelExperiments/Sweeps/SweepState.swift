// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

/// What happened to each run of a sweep, kept in `OUTPUT/sweep-state.json` so a sweep killed or
/// rerun knows which runs failed (finished runs are recognised by their own folder).
public struct SweepState: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case pending, running, finished, failed
    }

    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var folder: String
        public var status: Status
        /// Why the run failed (its error, or the last lines of its log).
        public var error: String?
        public var attempts: Int
    }

    public var entries: [Entry]

    public static func url(in output: URL) -> URL { output.appendingPathComponent("sweep-state.json") }

    /// The state saved in `output`, or an empty one.
    public static func read(in output: URL) throws -> SweepState {
        let url = url(in: output)
        guard FileManager.default.fileExists(atPath: url.path) else { return SweepState(entries: []) }
        do { return try JSONDecoder().decode(SweepState.self, from: Data(contentsOf: url)) } catch {
            throw ExperimentError("\(url.path): cannot be read (\(error.localizedDescription)); delete it to forget which runs failed")
        }
    }

    public func write(in output: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try RunFolder.writeAtomically(try encoder.encode(self), to: Self.url(in: output))
    }

    public func entry(folder: String) -> Entry? { entries.first { $0.folder == folder } }

    mutating func update(_ entry: Entry) {
        if let index = entries.firstIndex(where: { $0.folder == entry.folder }) { entries[index] = entry } else { entries.append(entry) }
    }
}
