// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelModels
import Torch
import TorchNN

/// A transfer strategy with its parameters, checked when it is made (before any training): the
/// surgery it applies to a pretrained backbone (``makeModel(from:classCount:generator:)``) and the
/// phases it trains (``phases(model:backbone:base:)``). See ``StrategyCatalogue`` for the list.
public struct TransferStrategy: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case scratch
        case linearProbe(mlpHidden: Int?)
        case full
        case blockWise(k: Int)
        case lwft(k: Int, decay: Double)
        case transfusion(cut: String, widthDivisor: Int)
        case truncated(cut: String)
        case gradualUnfreezing(epochsPerStage: Int)
        case lpft(probeEpochs: Int, probeFactor: Double)
        case l2sp(alpha: Double, beta: Double)
        case l1sp(alpha: Double, beta: Double)
        case discriminativeLR(decay: Double)
        case autoRGN
        case surgical(block: String)
    }

    public let name: String
    public let kind: Kind

    /// Parses `parameters` (name → value, as `--strategy-params k=2,decay=10` gives them) for the
    /// strategy `name`, with the catalogue's defaults.
    ///
    /// - Throws: ``TrainingError/invalidOption(_:)`` for an unknown strategy or parameter, a value that
    ///   is not a number, or one out of range.
    public init(name: String, parameters: [String: String] = [:]) throws {
        let info = try StrategyCatalogue.info(name)
        let known = Set(info.parameters.map(\.name))
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            let valid = info.parameters.isEmpty ? "it has none" : "valid: " + info.parameters.map(\.name).joined(separator: ", ")
            throw TrainingError.invalidOption("strategy \(info.name) has no parameter '\(unknown)' (\(valid))")
        }
        func text(_ key: String) throws -> String {
            if let value = parameters[key] ?? info.parameters.first(where: { $0.name == key })?.defaultValue { return value }
            throw TrainingError.invalidOption("strategy \(info.name) needs the parameter '\(key)' (--strategy-params \(key)=VALUE)")
        }
        func integer(_ key: String, minimum: Int) throws -> Int {
            guard let value = Int(try text(key)), value >= minimum else {
                throw TrainingError.invalidOption("strategy \(info.name): \(key) must be an integer >= \(minimum), got '\(try text(key))'")
            }
            return value
        }
        func number(_ key: String, minimum: Double, inclusive: Bool = true) throws -> Double {
            guard let value = Double(try text(key)), value.isFinite, inclusive ? value >= minimum : value > minimum else {
                throw TrainingError.invalidOption("strategy \(info.name): \(key) must be a number \(inclusive ? ">=" : ">") \(minimum), got '\(try text(key))'")
            }
            return value
        }
        self.name = info.name
        switch info.name {
        case "scratch": kind = .scratch
        case "linear-probe":
            switch try text("head") {
            case "linear": kind = .linearProbe(mlpHidden: nil)
            case "mlp": kind = .linearProbe(mlpHidden: try integer("hidden", minimum: 1))
            default: throw TrainingError.invalidOption("strategy linear-probe: head must be linear or mlp, got '\(try text("head"))'")
            }
        case "full": kind = .full
        case "block-wise": kind = .blockWise(k: try integer("k", minimum: 1))
        case "lwft": kind = .lwft(k: try integer("k", minimum: 1), decay: try number("decay", minimum: 0, inclusive: false))
        case "transfusion":
            let divisor = try integer("width-divisor", minimum: 1)
            guard divisor & (divisor - 1) == 0 else {
                throw TrainingError.invalidOption("strategy transfusion: width-divisor must be a power of two, got \(divisor)")
            }
            kind = .transfusion(cut: try text("cut"), widthDivisor: divisor)
        case "truncated": kind = .truncated(cut: try text("cut"))
        case "gradual-unfreezing": kind = .gradualUnfreezing(epochsPerStage: try integer("epochs-per-stage", minimum: 1))
        case "lp-ft": kind = .lpft(probeEpochs: try integer("probe-epochs", minimum: 1),
                                   probeFactor: try number("probe-lr-factor", minimum: 0, inclusive: false))
        case "l2-sp": kind = .l2sp(alpha: try number("alpha", minimum: 0), beta: try number("beta", minimum: 0))
        case "l1-sp": kind = .l1sp(alpha: try number("alpha", minimum: 0), beta: try number("beta", minimum: 0))
        case "discriminative-lr": kind = .discriminativeLR(decay: try number("decay", minimum: 1))
        case "auto-rgn": kind = .autoRGN
        case "surgical": kind = .surgical(block: try text("block"))
        default: throw TrainingError.invalidOption("strategy \(info.name) is listed but not built")
        }
    }

    /// Whether the strategy starts from pretrained weights (all but `scratch`).
    public var usesPretrainedWeights: Bool { kind != .scratch }

    /// The network the strategy trains, made from `backbone` (pretrained weights loaded and classifier
    /// sized for `classCount`): the backbone itself, or a truncated, slimmed or MLP-headed network.
    ///
    /// - Throws: ``TrainingError/invalidOption(_:)`` for a cut point or block the backbone lacks (the
    ///   message lists the valid ones) or a surgery its family does not support.
    public func makeModel(from backbone: any Backbone, classCount: Int, generator: Generator?) throws -> any SplitNetwork {
        switch kind {
        case .linearProbe(let hidden?):
            return try BackboneWithMLPHead(backbone, classCount: classCount, hidden: hidden, generator: generator)
        case .truncated(let cutName):
            let cut = try cutPoint(cutName, of: backbone)
            return try TruncatedClassifier(backbone, cut: cut, classCount: classCount, generator: generator)
        case .transfusion(let cutName, let divisor):
            return try slimmed(backbone, cutName: cutName, divisor: divisor, classCount: classCount, generator: generator)
        case .blockWise(let k):
            try checkCount(k, of: BackboneRegions(backbone).blocks.count, what: "blocks", backbone)
            return backbone
        case .lwft(let k, _):
            try checkCount(k, of: BackboneRegions(backbone).layers.count, what: "layers", backbone)
            return backbone
        case .surgical(let block):
            guard BackboneRegions(backbone).blocks.contains(where: { $0.name == block }) else {
                throw TrainingError.invalidOption("strategy surgical: \(backbone.architecture.rawValue) has no block '\(block)'. Blocks: \(BackboneRegions(backbone).blocks.map(\.name).joined(separator: ", "))")
            }
            return backbone
        default:
            return backbone
        }
    }

    /// The phases, from `base` (epochs, rate, optimizer, schedule, stopping of the run). `model` is
    /// what ``makeModel(from:classCount:generator:)`` returned for `backbone`.
    public func phases(model: any Layer, backbone: any Backbone, base: TrainingPhase) throws -> [TrainingPhase] {
        let regions = BackboneRegions(backbone)
        let head: [String] = model is BackboneWithMLPHead ? ["mlp_head"] : regions.headKeys
        var phase = base
        phase.name = name
        switch kind {
        case .scratch, .full, .transfusion, .truncated:
            phase.trainable = .all
        case .linearProbe:
            phase.trainable = .names(model.parameters().map(\.key).filter { ParameterFilter.prefixes(head).matches($0) })
            phase.batchNorm = .freeze
        case .blockWise(let k):
            phase.trainable = .prefixes(regions.topBlocks(k) + head)
            phase.batchNorm = .freezeFrozen
        case .lwft(let k, let decay):
            phase.trainable = .prefixes(regions.topLayers(k) + head)
            phase.groups = [LearningRateGroup(name: "head", selection: .prefixes(head), multiplier: 1),
                            LearningRateGroup(name: "backbone", selection: .all, multiplier: 1 / decay)]
            phase.batchNorm = .freezeFrozen
        case .surgical(let block):
            phase.trainable = .prefixes((regions.blocks.first { $0.name == block }?.prefixes ?? []) + head)
            phase.batchNorm = .freezeFrozen
        case .l2sp(let alpha, let beta):
            phase.regularizer = .l2sp(alpha: alpha, beta: beta)
            phase.weightDecay = 0
        case .l1sp(let alpha, let beta):
            phase.regularizer = .l1sp(alpha: alpha, beta: beta)
            phase.weightDecay = 0
        case .discriminativeLR(let decay):
            var groups = [LearningRateGroup(name: "head", selection: .prefixes(head), multiplier: 1)]
            for (depth, block) in regions.blocks.reversed().enumerated() {
                groups.append(LearningRateGroup(name: block.name, selection: .prefixes(block.prefixes),
                                                multiplier: 1 / pow(decay, Double(depth + 1))))
            }
            phase.groups = groups
            phase.batchNorm = .freeze   // most of the network moves little: batch statistics hurt (docs/results)
        case .autoRGN:
            phase.learningRatePolicy = .autoRGN
            phase.batchNorm = .freeze
        case .gradualUnfreezing(let perStage):
            var stages: [TrainingPhase] = []
            for unfrozen in 0..<regions.blocks.count {
                var stage = base
                stage.name = "unfreeze-\(unfrozen)"
                stage.epochs = perStage
                stage.trainable = .prefixes(regions.topBlocks(unfrozen) + head)
                stage.batchNorm = .freezeFrozen
                stage.earlyStopping = nil
                stages.append(stage)
            }
            phase.name = "unfreeze-all"
            phase.trainable = .all
            return stages + [phase]
        case .lpft(let probeEpochs, let factor):
            var probe = base
            probe.name = "probe"
            probe.epochs = probeEpochs
            probe.learningRate = base.learningRate * factor
            probe.trainable = .prefixes(head)
            probe.batchNorm = .freeze
            probe.schedule = .constant
            probe.earlyStopping = nil
            phase.name = "fine-tune"
            phase.trainable = .all
            return [probe, phase]
        }
        return [phase]
    }

    /// w⁰ for L2-SP / L1-SP: copies of every parameter of `model` outside the new head.
    public func startingPoint(model: any Layer, backbone: any Backbone) throws -> [String: Tensor] {
        switch kind {
        case .l2sp, .l1sp:
            let head = ParameterFilter.prefixes(BackboneRegions(backbone).headKeys)
            var result: [String: Tensor] = [:]
            for (key, tensor) in model.parameters() where !head.matches(key) {
                result[key] = try tensor.detached().clone()
            }
            return result
        default:
            return [:]
        }
    }

    private func cutPoint(_ name: String, of backbone: any Backbone) throws -> CutPoint {
        do { return try backbone.cutPoint(named: name) } catch let error as CutPointError {
            throw TrainingError.invalidOption("strategy \(self.name): \(error.description)")
        }
    }

    private func checkCount(_ k: Int, of available: Int, what: String, _ backbone: any Backbone) throws {
        guard k <= available else {
            throw TrainingError.invalidOption("strategy \(name): k = \(k), but \(backbone.architecture.rawValue) has \(available) \(what)")
        }
    }

    /// TransFusion: a ResNet whose stages above `cutName` are `divisor` times narrower and freshly
    /// initialised, with the pretrained tensors of the stem and the stages up to the cut copied in.
    private func slimmed(_ backbone: any Backbone, cutName: String, divisor: Int, classCount: Int,
                         generator: Generator?) throws -> any SplitNetwork {
        let family = backbone.architecture.family
        guard [.resnet, .densenet, .efficientnetLite].contains(family) else {
            throw TrainingError.invalidOption("strategy transfusion is built for ResNets, DenseNets (the TTL code's slim_resnet and slim_densenet) and EfficientNet-Lite; \(backbone.architecture.rawValue) is a \(family.rawValue)")
        }
        let cut = try cutPoint(cutName, of: backbone)
        let blocks = BackboneRegions(backbone).blocks.map(\.name)
        // The block cuts with something to slim above them: DenseNet's top dense block and norm5 have none.
        let cuts = family == .densenet ? blocks.filter { $0.contains("denseblock") || $0.contains("transition") }.dropLast()
                                       : blocks.dropLast()
        guard cut.level == .block, let index = blocks.firstIndex(of: cut.name), cuts.contains(cut.name) else {
            throw TrainingError.invalidOption("strategy transfusion: the cut must be a block below the top, one of \(cuts.joined(separator: ", ")); got '\(cutName)'")
        }
        let slim: any Backbone
        switch family {
        case .resnet:   // block 0 is the stem, block i ≥ 1 is layer i: the first slim stage is index + 1
            slim = try ResNet(backbone.architecture, classCount: classCount, generator: generator,
                              slimTop: SlimTop(firstStage: index + 1, widthDivisor: divisor))
        case .densenet: // the first slim dense block is the one after the dense blocks kept
            let kept = blocks.prefix(index + 1).filter { $0.contains("denseblock") }.count
            slim = try DenseNet(backbone.architecture, classCount: classCount, generator: generator,
                                slimTop: SlimTop(firstStage: kept + 1, widthDivisor: divisor))
        default:        // block 0 is the stem, block i ≥ 1 ends stage i − 1: the first slim stage is index
            slim = try EfficientNetLite(backbone.architecture, classCount: classCount, generator: generator,
                                        slimTop: SlimTop(firstStage: index, widthDivisor: divisor))
        }
        let pretrained = Dictionary(uniqueKeysWithValues: backbone.namedTensors().map { ($0.key, $0.tensor) })
        // A grey-scale backbone's stem takes one channel; the slim network's must too.
        if let stem = pretrained[backbone.architecture.pretrainedConfig.firstConvKey + ".weight"], stem.rank == 4 {
            try slim.adaptInputChannels(stem.shape[1])
        }
        let kept = ParameterFilter.prefixes(BackboneRegions(backbone).blocks.prefix(index + 1).flatMap(\.prefixes))
        try withNoGrad {
            for (key, tensor) in slim.namedTensors() where kept.matches(key) {
                guard let source = pretrained[key], source.shape == tensor.shape else {
                    throw TrainingError.invalidOption("strategy transfusion: the pretrained '\(key)' does not fit the slim network (\(pretrained[key]?.shape.description ?? "missing") vs \(tensor.shape))")
                }
                try tensor.copyInPlace(from: source)
            }
        }
        return slim
    }
}
