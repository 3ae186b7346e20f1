// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelTraining

/// `scalpel strategies`: every transfer strategy with its source and parameters.
struct StrategiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strategies",
        abstract: "List the transfer strategies and their parameters (train --strategy NAME --strategy-params K=V,…).")

    @Flag(help: "One JSON object per strategy, with name and parameters.")
    var json = false

    func run() throws { print(try Self.listing(json: json), terminator: "") }

    /// What `scalpel strategies` prints: every registered strategy with its source and parameters, as
    /// text or as a JSON array.
    static func listing(json: Bool) throws -> String {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(StrategyCatalogue.all), as: UTF8.self) + "\n"
        }
        var lines: [String] = []
        for info in StrategyCatalogue.all {
            lines.append("\(info.name): \(info.summary)")
            lines.append("    source: \(info.source)")
            for parameter in info.parameters {
                let fallback = parameter.defaultValue.map { ", default \($0)" } ?? ", required"
                lines.append("    \(parameter.name) (\(parameter.kind): \(parameter.valid)\(fallback)): \(parameter.help)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
