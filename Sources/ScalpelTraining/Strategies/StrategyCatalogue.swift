// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0

/// One parameter of a strategy, as `scalpel strategies` lists it.
public struct StrategyParameter: Sendable, Equatable, Codable {
    public var name: String
    /// `integer`, `number`, `cut point`, `block` or `choice`.
    public var kind: String
    public var defaultValue: String?
    /// The valid values, in words (`1 … number of blocks`, `linear | mlp`).
    public var valid: String
    public var help: String
}

/// A transfer strategy by name: what it does, where it comes from, its parameters.
public struct StrategyInfo: Sendable, Equatable, Codable {
    public var name: String
    public var summary: String
    public var source: String
    public var parameters: [StrategyParameter]
}

/// Every strategy Scalpel trains (`ALGORITHMS.md` §1), in the order `scalpel strategies` lists them.
/// Each is a ``StrategyDefinition`` — surgery (keep, truncate, slim the top) plus phases
/// (``TrainingPhase``) — and this list is the only place that names them all: the trainer knows
/// nothing of these names.
public enum StrategyCatalogue {
    static func parameter(_ name: String, _ kind: String, _ defaultValue: String?, _ valid: String, _ help: String) -> StrategyParameter {
        StrategyParameter(name: name, kind: kind, defaultValue: defaultValue, valid: valid, help: help)
    }

    /// The registered strategies.
    public static let definitions: [any StrategyDefinition.Type] = [
        ScratchStrategy.self, LinearProbeStrategy.self, FullStrategy.self, BlockWiseStrategy.self, LayerWiseStrategy.self,
        TransFusionStrategy.self, TruncatedStrategy.self, GradualUnfreezingStrategy.self, LinearProbeThenFineTuneStrategy.self,
        L2SPStrategy.self, L1SPStrategy.self, DiscriminativeLRStrategy.self, AutoRGNStrategy.self, SurgicalStrategy.self,
    ]

    /// What `scalpel strategies` lists: every definition's ``StrategyDefinition/info``.
    public static let all: [StrategyInfo] = definitions.map { $0.info }

    /// The definition of the strategy called `name` (any case); throws listing every name otherwise.
    public static func definition(_ name: String) throws -> any StrategyDefinition.Type {
        guard let definition = definitions.first(where: { $0.info.name == name.lowercased() }) else {
            throw TrainingError.invalidOption("unknown strategy '\(name)'. Valid: \(all.map(\.name).joined(separator: ", ")) (scalpel strategies lists their parameters)")
        }
        return definition
    }

    /// The strategies `scalpel search` can look for a cut point for, in catalogue order.
    public static var searchableNames: [String] {
        var names: [String] = []
        for definition in definitions where definition.cutPointSearch != nil { names.append(definition.info.name) }
        return names
    }

    /// The strategy called `name`; throws listing every name otherwise.
    public static func info(_ name: String) throws -> StrategyInfo { try definition(name).info }
}
