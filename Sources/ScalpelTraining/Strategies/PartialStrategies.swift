// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import Torch
import TorchNN

/// `linear-probe`: frozen pretrained backbone, a new head trains.
struct LinearProbeStrategy: StrategyDefinition {
    static let info = StrategyInfo(
        name: "linear-probe",
        summary: "frozen pretrained backbone (BatchNorm statistics included, bit-identical after training), a new head trains",
        source: "feature extractor baseline (Kornblith et al. 2019; Davila et al. 2024)",
        parameters: [StrategyCatalogue.parameter("head", "choice", "linear", "linear | mlp", "the new classifier: one Linear, or Linear–ReLU–Linear with `hidden` units"),
                     StrategyCatalogue.parameter("hidden", "integer", "512", ">= 1", "hidden units of an mlp head")])
    /// Hidden units of an MLP head; nil for one Linear.
    let mlpHidden: Int?

    init(_ arguments: StrategyArguments) throws {
        switch try arguments.text("head") {
        case "linear": mlpHidden = nil
        case "mlp": mlpHidden = try arguments.integer("hidden", minimum: 1)
        default: throw Self.invalid("head must be linear or mlp, got '\(try arguments.text("head"))'")
        }
    }

    func makeModel(from backbone: any Backbone, classCount: Int, generator: Generator?) throws -> any SplitNetwork {
        guard let mlpHidden else { return backbone }
        return try BackboneWithMLPHead(backbone, classCount: classCount, hidden: mlpHidden, generator: generator)
    }

    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] {
        var phase = base.named(Self.info.name)
        phase.trainable = .names(target.model.parameters().map(\.key).filter { ParameterFilter.prefixes(target.head).matches($0) })
        phase.batchNorm = .freeze
        return [phase]
    }
}

/// `block-wise`: the top k blocks and the head train.
struct BlockWiseStrategy: StrategyDefinition {
    static let info = StrategyInfo(
        name: "block-wise", summary: "fine-tune the top k blocks and the head; the rest stays frozen",
        source: "Kandel & Castelli 2020, Appl. Sci. 10:3359",
        parameters: [StrategyCatalogue.parameter("k", "integer", "1", "1 … number of blocks", "how many top blocks train")])
    let k: Int
    init(_ arguments: StrategyArguments) throws { k = try arguments.integer("k", minimum: 1) }

    func makeModel(from backbone: any Backbone, classCount: Int, generator: Generator?) throws -> any SplitNetwork {
        try Self.checkCount(k, of: BackboneRegions(backbone).blocks.count, what: "blocks", backbone)
        return backbone
    }

    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] {
        var phase = base.named(Self.info.name, trainable: .prefixes(target.regions.topBlocks(k) + target.head))
        phase.batchNorm = .freezeFrozen
        return [phase]
    }
}

/// `lwft`: the top k layers train at a tenth of the head's rate.
struct LayerWiseStrategy: StrategyDefinition {
    static let info = StrategyInfo(
        name: "lwft", summary: "layer-wise fine-tuning: the top k layers train at a tenth of the head's rate, the head at the base rate",
        source: "Tajbakhsh et al. 2016, IEEE TMI 35(5); TTL code's freeze_resnet50",
        parameters: [StrategyCatalogue.parameter("k", "integer", "1", "1 … number of layers", "how many top layers train"),
                     StrategyCatalogue.parameter("decay", "number", "10", "> 0", "backbone rate = head rate / decay")])
    /// Below the top block only; the parameter is the number of layers above the cut.
    static let cutPointSearch: CutPointSearch? = CutPointSearch(includesTopBlock: false, refinesWithLayers: true) { cut, network in
        "k=\(max(network.cutPoints(.layer).filter { $0.linkCount > cut.linkCount }.count, 1))"
    }
    let k: Int
    let decay: Double
    init(_ arguments: StrategyArguments) throws {
        k = try arguments.integer("k", minimum: 1)
        decay = try arguments.number("decay", minimum: 0, inclusive: false)
    }

    func makeModel(from backbone: any Backbone, classCount: Int, generator: Generator?) throws -> any SplitNetwork {
        try Self.checkCount(k, of: BackboneRegions(backbone).layers.count, what: "layers", backbone)
        return backbone
    }

    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] {
        var phase = base.named(Self.info.name, trainable: .prefixes(target.regions.topLayers(k) + target.head))
        phase.groups = [LearningRateGroup(name: "head", selection: .prefixes(target.head), multiplier: 1),
                        LearningRateGroup(name: "backbone", selection: .all, multiplier: 1 / decay)]
        phase.batchNorm = .freezeFrozen
        return [phase]
    }
}

/// `surgical`: one chosen block and the head train.
struct SurgicalStrategy: StrategyDefinition {
    static let info = StrategyInfo(
        name: "surgical", summary: "only one chosen block (and the new head) trains", source: "Lee et al. 2023, ICLR",
        parameters: [StrategyCatalogue.parameter("block", "block", nil, "a block cut point name (scalpel models NAME --cuts)", "the block that trains")])
    let block: String
    init(_ arguments: StrategyArguments) throws { block = try arguments.text("block") }

    func makeModel(from backbone: any Backbone, classCount: Int, generator: Generator?) throws -> any SplitNetwork {
        let blocks = BackboneRegions(backbone).blocks
        guard blocks.contains(where: { $0.name == block }) else {
            throw Self.invalid("\(backbone.architecture.rawValue) has no block '\(block)'. Blocks: \(blocks.map(\.name).joined(separator: ", "))")
        }
        return backbone
    }

    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] {
        let prefixes = target.regions.blocks.first { $0.name == block }?.prefixes ?? []
        var phase = base.named(Self.info.name, trainable: .prefixes(prefixes + target.head))
        phase.batchNorm = .freezeFrozen
        return [phase]
    }
}

/// `gradual-unfreezing`: the head first, then one more block per phase from the top.
struct GradualUnfreezingStrategy: StrategyDefinition {
    static let info = StrategyInfo(
        name: "gradual-unfreezing", summary: "the head trains first, then one more block per phase from the top, until everything trains",
        source: "Howard & Ruder 2018, ULMFiT",
        parameters: [StrategyCatalogue.parameter("epochs-per-stage", "integer", "1", ">= 1", "epochs before the next block unfreezes")])
    let epochsPerStage: Int
    init(_ arguments: StrategyArguments) throws { epochsPerStage = try arguments.integer("epochs-per-stage", minimum: 1) }

    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] {
        var stages: [TrainingPhase] = []
        for unfrozen in 0..<target.regions.blocks.count {
            var stage = base.named("unfreeze-\(unfrozen)", trainable: .prefixes(target.regions.topBlocks(unfrozen) + target.head))
            stage.epochs = epochsPerStage
            stage.batchNorm = .freezeFrozen
            stage.earlyStopping = nil
            stages.append(stage)
        }
        return stages + [base.named("unfreeze-all", trainable: .all)]
    }
}

/// `lp-ft`: a linear probe, then full fine-tuning from the probed head.
struct LinearProbeThenFineTuneStrategy: StrategyDefinition {
    static let info = StrategyInfo(
        name: "lp-ft", summary: "linear probe first, then full fine-tuning from the probed head", source: "Kumar et al. 2022, ICLR",
        parameters: [StrategyCatalogue.parameter("probe-epochs", "integer", "5", ">= 1", "epochs of the linear-probe phase"),
                     StrategyCatalogue.parameter("probe-lr-factor", "number", "10", "> 0", "probe rate = base rate × factor")])
    let probeEpochs: Int
    let probeFactor: Double
    init(_ arguments: StrategyArguments) throws {
        probeEpochs = try arguments.integer("probe-epochs", minimum: 1)
        probeFactor = try arguments.number("probe-lr-factor", minimum: 0, inclusive: false)
    }

    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] {
        var probe = base.named("probe", trainable: .prefixes(target.head))
        probe.epochs = probeEpochs
        probe.learningRate = base.learningRate * probeFactor
        probe.batchNorm = .freeze
        probe.schedule = .constant
        probe.earlyStopping = nil
        return [probe, base.named("fine-tune", trainable: .all)]
    }
}

extension StrategyDefinition {
    /// Checks that the backbone has at least `k` blocks or layers.
    static func checkCount(_ k: Int, of available: Int, what: String, _ backbone: any Backbone) throws {
        guard k <= available else {
            throw invalid("k = \(k), but \(backbone.architecture.rawValue) has \(available) \(what)")
        }
    }
}
