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

    func run() throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(StrategyCatalogue.all), as: UTF8.self))
            return
        }
        for info in StrategyCatalogue.all {
            print("\(info.name): \(info.summary)")
            print("    source: \(info.source)")
            for parameter in info.parameters {
                let fallback = parameter.defaultValue.map { ", default \($0)" } ?? ", required"
                print("    \(parameter.name) (\(parameter.kind): \(parameter.valid)\(fallback)): \(parameter.help)")
            }
        }
    }
}
