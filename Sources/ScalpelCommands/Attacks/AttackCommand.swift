// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// `scalpel attack`: adversarial audits of a trained run.
struct AttackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attack",
        abstract: "Adversarial audits of a trained run: universal adversarial perturbations and random controls.",
        subcommands: [AttackUAPCommand.self, AttackCompareCommand.self])
}
