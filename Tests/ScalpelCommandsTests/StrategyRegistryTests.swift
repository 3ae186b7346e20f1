// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelModels
import ScalpelTraining
import Testing
@testable import ScalpelCommands

/// The strategy registry is the one place a strategy is defined: `scalpel strategies` lists every
/// registered strategy, and each parses the parameters it lists, with the defaults it lists.
struct StrategyRegistryTests {
    /// A valid value for a parameter without a default, on ResNet-18.
    static func requiredValue(_ parameter: StrategyParameter) -> String {
        parameter.kind == "block" ? "layer3" : "layer2"
    }

    @Test func everyRegisteredStrategyIsListedWithItsParameters() throws {
        let text = try StrategiesCommand.listing(json: false)
        let names = StrategyCatalogue.definitions.map { $0.info.name }
        #expect(names.count == 14 && Set(names).count == names.count)
        for definition in StrategyCatalogue.definitions {
            let info = definition.info
            #expect(text.contains("\n\(info.name): \(info.summary)\n") || text.hasPrefix("\(info.name): \(info.summary)\n"), "\(info.name)")
            for parameter in info.parameters {
                #expect(text.contains("    \(parameter.name) (\(parameter.kind): \(parameter.valid)"), "\(info.name).\(parameter.name)")
            }
        }
        let listed = try JSONDecoder().decode([StrategyInfo].self, from: Data(try StrategiesCommand.listing(json: true).utf8))
        #expect(listed == StrategyCatalogue.definitions.map { $0.info })
    }

    @Test func theDocumentedListIsWhatTheCommandPrints() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try String(contentsOf: root.appendingPathComponent("docs/strategies.md"), encoding: .utf8)
        let block = try #require(document.components(separatedBy: "```\n").dropFirst().first, "docs/strategies.md has no listing block")
        #expect(block == (try StrategiesCommand.listing(json: false)), "regenerate docs/strategies.md's block with scalpel strategies")
    }

    @Test func everyRegisteredStrategyParsesTheParametersItLists() throws {
        let backbone = try Architecture.resnet18.makeModel(classCount: 2)
        for info in StrategyCatalogue.all {
            var explicit: [String: String] = [:], required: [String: String] = [:]
            for parameter in info.parameters {
                explicit[parameter.name] = parameter.defaultValue ?? Self.requiredValue(parameter)
                if parameter.defaultValue == nil { required[parameter.name] = Self.requiredValue(parameter) }
            }
            // Through the command line, every listed parameter given its listed default.
            let options = explicit.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let command = try TrainCommand.parse(["--data", "synthetic", "--strategy", info.name] + (options.isEmpty ? [] : ["--strategy-params", options]))
            let strategy = try command.training.transferStrategy()
            #expect(strategy.name == info.name)
            // The listed defaults are the ones used when a parameter is left out.
            #expect(try TransferStrategy(name: info.name, parameters: required) == strategy, "\(info.name)")
            #expect(strategy.parameters == explicit, "\(info.name)")
            // A parameter it does not list is refused, naming the ones it has.
            let unknown = #expect(throws: TrainingError.self) { try TransferStrategy(name: info.name, parameters: ["no-such": "1"]) }
            #expect(unknown?.description.contains(info.parameters.isEmpty ? "it has none" : info.parameters[0].name) == true)
            _ = try strategy.makeModel(from: backbone, classCount: 2, generator: nil)
        }
        #expect(StrategyCatalogue.searchableNames == ["lwft", "transfusion", "truncated"])
    }
}
