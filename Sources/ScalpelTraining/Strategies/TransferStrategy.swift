// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import Torch
import TorchNN

/// A transfer strategy with its parameters, checked when it is made (before any training): the
/// surgery it applies to a pretrained backbone (``makeModel(from:classCount:generator:)``) and the
/// phases it trains (``phases(model:backbone:base:)``). Each strategy is a ``StrategyDefinition``
/// registered in ``StrategyCatalogue``.
public struct TransferStrategy: Sendable, Equatable {
    public let name: String
    /// Every parameter's value, defaults filled in.
    public let parameters: [String: String]
    /// The strategy's definition, made from its parameters.
    public let definition: any StrategyDefinition

    /// Parses `parameters` (name → value, as `--strategy-params k=2,decay=10` gives them) for the
    /// strategy `name`, with the catalogue's defaults.
    ///
    /// - Throws: ``TrainingError/invalidOption(_:)`` for an unknown strategy or parameter, a value that
    ///   is not a number, or one out of range.
    public init(name: String, parameters: [String: String] = [:]) throws {
        let type = try StrategyCatalogue.definition(name)
        let arguments = try StrategyArguments(type.info, parameters)
        definition = try type.init(arguments)
        self.name = type.info.name
        self.parameters = arguments.resolved
    }

    public static func == (lhs: TransferStrategy, rhs: TransferStrategy) -> Bool {
        lhs.name == rhs.name && lhs.parameters == rhs.parameters
    }

    /// How `scalpel search` looks for this strategy's cut point; nil when it has none.
    public var cutPointSearch: CutPointSearch? { type(of: definition).cutPointSearch }

    /// Whether the strategy starts from pretrained weights (all but `scratch`).
    public var usesPretrainedWeights: Bool { definition.usesPretrainedWeights }

    /// The network the strategy trains, made from `backbone` (pretrained weights loaded and classifier
    /// sized for `classCount`): the backbone itself, or a truncated, slimmed or MLP-headed network.
    ///
    /// - Throws: ``TrainingError/invalidOption(_:)`` for a cut point or block the backbone lacks (the
    ///   message lists the valid ones) or a surgery its family does not support.
    public func makeModel(from backbone: any Backbone, classCount: Int, generator: Generator?) throws -> any SplitNetwork {
        try definition.makeModel(from: backbone, classCount: classCount, generator: generator)
    }

    /// The phases, from `base` (epochs, rate, optimizer, schedule, stopping of the run). `model` is
    /// what ``makeModel(from:classCount:generator:)`` returned for `backbone`.
    public func phases(model: any Layer, backbone: any Backbone, base: TrainingPhase) throws -> [TrainingPhase] {
        try definition.phases(StrategyTarget(model: model, backbone: backbone), base: base)
    }

    /// w⁰ for L2-SP / L1-SP: copies of every parameter of `model` outside the new head.
    public func startingPoint(model: any Layer, backbone: any Backbone) throws -> [String: Tensor] {
        try definition.startingPoint(StrategyTarget(model: model, backbone: backbone))
    }
}
