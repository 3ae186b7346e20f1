// Scalpel — ScalpelExperimentsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import Testing

/// A `scalpel compare` folder read back: strategies in table order, single-seed and seed-N layouts,
/// seeds in numeric order, and clear errors for what is missing.
struct ComparisonFolderTests {
    func folder(_ table: String, runs: [String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-comparison-\(UUID().uuidString)")
        for run in runs {
            try FileManager.default.createDirectory(at: url.appendingPathComponent(run), withIntermediateDirectories: true)
            try Data("data: x\n".utf8).write(to: url.appendingPathComponent(run + "/config.yaml"))
        }
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data(table.utf8).write(to: url.appendingPathComponent("compare.json"))
        return url
    }

    @Test func membersFollowTheTableAndSeedsSortNumerically() throws {
        let url = try folder(#"{"title": "t", "rows": [{"strategy": "truncated:cut=layer3"}, {"strategy": "full"}]}"#,
                             runs: ["full", "truncated_cut_layer3/seed-10", "truncated_cut_layer3/seed-2", "truncated_cut_layer3/seed-x"])
        defer { try? FileManager.default.removeItem(at: url) }
        let comparison = try ComparisonFolder(at: url)
        #expect(comparison.title == "t" && comparison.strategies == ["truncated:cut=layer3", "full"])
        #expect(comparison.members.map(\.name) == ["truncated_cut_layer3/seed-2", "truncated_cut_layer3/seed-10", "full"])
        #expect(comparison.members.map(\.strategy) == ["truncated:cut=layer3", "truncated:cut=layer3", "full"])
    }

    @Test func missingTableOrRunsAreClearErrors() throws {
        let url = try folder(#"{"rows": [{"strategy": "full"}, {"strategy": "scratch"}]}"#, runs: ["full"])
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try ComparisonFolder(at: url)
            Issue.record("a strategy without runs must be an error")
        } catch let error as ExperimentError {
            #expect(error.description.contains("scratch") && error.description.contains("--resume"))
        }
        #expect(throws: ExperimentError.self) { try ComparisonFolder(at: url.appendingPathComponent("full")) }
        try Data("not json".utf8).write(to: url.appendingPathComponent("compare.json"))
        #expect(throws: ExperimentError.self) { try ComparisonFolder(at: url) }
    }
}
