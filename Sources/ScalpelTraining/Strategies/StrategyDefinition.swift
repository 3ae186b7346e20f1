// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import Torch
import TorchNN

/// One transfer strategy, defined in one place: what `scalpel strategies` lists (``info``), how its
/// parameters are read (``init(_:)``), the surgery it applies to a pretrained backbone and the phases
/// it trains. ``StrategyCatalogue/definitions`` registers it; nothing else names it.
public protocol StrategyDefinition: Sendable {
    /// Name, summary, source and parameters (with their defaults and valid values).
    static var info: StrategyInfo { get }
    /// How `scalpel search` looks for this strategy's cut point; nil when it has none to search.
    static var cutPointSearch: CutPointSearch? { get }
    /// Reads the parameters (unknown names were already rejected; defaults are filled in).
    ///
    /// - Throws: ``TrainingError/invalidOption(_:)`` for a value out of range.
    init(_ arguments: StrategyArguments) throws
    /// Whether training starts from pretrained weights.
    var usesPretrainedWeights: Bool { get }
    /// The network the strategy trains, made from `backbone` (pretrained weights loaded, classifier
    /// sized for `classCount`): the backbone itself unless the strategy operates on it.
    func makeModel(from backbone: any Backbone, classCount: Int, generator: Generator?) throws -> any SplitNetwork
    /// The phases refining `base` for `target`.
    func phases(_ target: StrategyTarget, base: TrainingPhase) throws -> [TrainingPhase]
    /// w⁰ for a regularizer towards the starting point; empty for none.
    func startingPoint(_ target: StrategyTarget) throws -> [String: Tensor]
}

extension StrategyDefinition {
    public static var cutPointSearch: CutPointSearch? { nil }
    public var usesPretrainedWeights: Bool { true }
    public func makeModel(from backbone: any Backbone, classCount: Int, generator: Generator?) throws -> any SplitNetwork {
        backbone
    }
    public func startingPoint(_ target: StrategyTarget) throws -> [String: Tensor] { [:] }

    /// A ``TrainingError/invalidOption(_:)`` that starts with the strategy's name.
    static func invalid(_ message: String) -> TrainingError {
        TrainingError.invalidOption("strategy \(info.name): \(message)")
    }
}

/// What a strategy's phases are made for: the network it trains, the pretrained backbone it came
/// from, the backbone's regions and the module paths of the new head.
public struct StrategyTarget {
    public let model: any Layer
    public let backbone: any Backbone
    public let regions: BackboneRegions
    /// Prefixes of the new head: `mlp_head` for an MLP head, else the backbone's head keys.
    public let head: [String]

    public init(model: any Layer, backbone: any Backbone) {
        self.model = model
        self.backbone = backbone
        regions = BackboneRegions(backbone)
        head = model is BackboneWithMLPHead ? ["mlp_head"] : regions.headKeys
    }
}

/// How `scalpel search` (TruncatedTL's two-stage search) tries cut points for a strategy: every
/// block cut point first, then the layer cut points next to the best block.
public struct CutPointSearch: Sendable {
    /// Whether the top block cut point is a candidate (TruncatedTL may keep the whole extractor).
    public var includesTopBlock: Bool
    /// Whether a second stage tries layer cut points (TransFusion slims whole stages: it does not).
    public var refinesWithLayers: Bool
    /// The `--strategy-params` for a candidate cut of `network`.
    public var parameters: @Sendable (_ cut: CutPoint, _ network: any SplitNetwork) -> String

    public init(includesTopBlock: Bool, refinesWithLayers: Bool,
                parameters: @escaping @Sendable (_ cut: CutPoint, _ network: any SplitNetwork) -> String = { cut, _ in "cut=\(cut.name)" }) {
        self.includesTopBlock = includesTopBlock
        self.refinesWithLayers = refinesWithLayers
        self.parameters = parameters
    }
}

/// A strategy's parameters as given (`--strategy-params`), read against its catalogue entry: a
/// missing parameter takes its default, a required one without a value is an error.
public struct StrategyArguments: Sendable {
    public let info: StrategyInfo
    public let values: [String: String]

    /// - Throws: ``TrainingError/invalidOption(_:)`` for a parameter the strategy does not have.
    public init(_ info: StrategyInfo, _ values: [String: String]) throws {
        let known = Set(info.parameters.map(\.name))
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            let valid = info.parameters.isEmpty ? "it has none" : "valid: " + info.parameters.map(\.name).joined(separator: ", ")
            throw TrainingError.invalidOption("strategy \(info.name) has no parameter '\(unknown)' (\(valid))")
        }
        self.info = info
        self.values = values
    }

    /// Every parameter's value, the defaults filled in (required ones without a value left out).
    public var resolved: [String: String] {
        var result: [String: String] = [:]
        for parameter in info.parameters {
            if let value = values[parameter.name] ?? parameter.defaultValue { result[parameter.name] = value }
        }
        return result
    }

    public func text(_ key: String) throws -> String {
        if let value = values[key] ?? info.parameters.first(where: { $0.name == key })?.defaultValue { return value }
        throw TrainingError.invalidOption("strategy \(info.name) needs the parameter '\(key)' (--strategy-params \(key)=VALUE)")
    }

    public func integer(_ key: String, minimum: Int) throws -> Int {
        guard let value = Int(try text(key)), value >= minimum else {
            throw TrainingError.invalidOption("strategy \(info.name): \(key) must be an integer >= \(minimum), got '\(try text(key))'")
        }
        return value
    }

    public func number(_ key: String, minimum: Double, inclusive: Bool = true) throws -> Double {
        guard let value = Double(try text(key)), value.isFinite, inclusive ? value >= minimum : value > minimum else {
            throw TrainingError.invalidOption("strategy \(info.name): \(key) must be a number \(inclusive ? ">=" : ">") \(minimum), got '\(try text(key))'")
        }
        return value
    }
}
