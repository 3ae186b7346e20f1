// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// `scalpel analyze`: which layers were reused and where to cut — representation similarity and
/// transferability scores.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Representation similarity (SVCCA, PWCCA, CKA) and transferability scores (LogME, LEEP, NCE, H-score, GBC).",
        subcommands: [AnalyzeSimilarityCommand.self, AnalyzeTransferabilityCommand.self])
}
