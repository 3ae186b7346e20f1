// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelModels
import Torch
import TorchNN

/// `scratch`: the same architecture from random initialisation, everything trains.
struct ScratchStrategy: StrategyDefinition {
    static let info = StrategyInfo(name: "scratch", summary: "the same architecture from random initialisation, everything trains",
                                   source: "baseline (MedMNIST v2, Yang et al. 2023)", parameters: [])
    init(_ arguments: StrategyArguments) {}
    var usesPretrainedWeights: Bool { false }
    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] { [base.named(Self.info.name, trainable: .all)] }
}

/// `full`: fine-tune every layer from the pretrained weights.
struct FullStrategy: StrategyDefinition {
    static let info = StrategyInfo(name: "full", summary: "fine-tune every layer from the pretrained weights (FTL)",
                                   source: "standard fine-tuning (Tajbakhsh et al. 2016; Peng et al. 2023 'FTL')", parameters: [])
    init(_ arguments: StrategyArguments) {}
    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] { [base.named(Self.info.name, trainable: .all)] }
}

/// `l2-sp` and `l1-sp`: full fine-tuning with a pull towards the pretrained weights w⁰.
protocol StartingPointStrategy: StrategyDefinition {
    var regularizer: Regularizer { get }
}

extension StartingPointStrategy {
    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] {
        var phase = base.named(Self.info.name)
        phase.regularizer = regularizer
        phase.weightDecay = 0
        return [phase]
    }

    /// Copies of every parameter of the model outside the new head.
    func startingPoint(_ target: StrategyTarget) throws -> [String: Tensor] {
        let head = ParameterFilter.prefixes(target.regions.headKeys)
        var result: [String: Tensor] = [:]
        for (key, tensor) in target.model.parameters() where !head.matches(key) {
            result[key] = try tensor.detached().clone()
        }
        return result
    }
}

struct L2SPStrategy: StartingPointStrategy {
    static let info = StrategyInfo(
        name: "l2-sp", summary: "full fine-tuning with α/2‖w − w⁰‖² towards the pretrained weights and β/2‖w‖² on the new head",
        source: "Li, Grandvalet & Davoine 2018, ICML",
        parameters: [StrategyCatalogue.parameter("alpha", "number", "0.01", ">= 0", "weight of the pull towards w⁰"),
                     StrategyCatalogue.parameter("beta", "number", "0.01", ">= 0", "weight decay of the new head")])
    let regularizer: Regularizer
    init(_ arguments: StrategyArguments) throws {
        regularizer = .l2sp(alpha: try arguments.number("alpha", minimum: 0), beta: try arguments.number("beta", minimum: 0))
    }
}

struct L1SPStrategy: StartingPointStrategy {
    static let info = StrategyInfo(
        name: "l1-sp", summary: "full fine-tuning with α‖w − w⁰‖₁ towards the pretrained weights and β/2‖w‖² on the new head",
        source: "Li, Grandvalet & Davoine 2018, ICML",
        parameters: [StrategyCatalogue.parameter("alpha", "number", "0.001", ">= 0", "weight of the pull towards w⁰"),
                     StrategyCatalogue.parameter("beta", "number", "0.01", ">= 0", "weight decay of the new head")])
    let regularizer: Regularizer
    init(_ arguments: StrategyArguments) throws {
        regularizer = .l1sp(alpha: try arguments.number("alpha", minimum: 0), beta: try arguments.number("beta", minimum: 0))
    }
}

/// `discriminative-lr`: every block trains at a rate divided by `decay` per block below the top.
struct DiscriminativeLRStrategy: StrategyDefinition {
    static let info = StrategyInfo(
        name: "discriminative-lr",
        summary: "every block trains, at a rate divided by `decay` per block below the top; the head at the base rate; BatchNorm on running statistics",
        source: "Howard & Ruder 2018, ULMFiT (discriminative fine-tuning)",
        parameters: [StrategyCatalogue.parameter("decay", "number", "2.6", ">= 1", "rate ratio between neighbouring blocks")])
    let decay: Double
    init(_ arguments: StrategyArguments) throws { decay = try arguments.number("decay", minimum: 1) }

    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] {
        var phase = base.named(Self.info.name)
        var groups = [LearningRateGroup(name: "head", selection: .prefixes(target.head), multiplier: 1)]
        for (depth, block) in target.regions.blocks.reversed().enumerated() {
            groups.append(LearningRateGroup(name: block.name, selection: .prefixes(block.prefixes),
                                            multiplier: 1 / pow(decay, Double(depth + 1))))
        }
        phase.groups = groups
        phase.batchNorm = .freeze   // most of the network moves little: batch statistics hurt (docs/results)
        return [phase]
    }
}

/// `auto-rgn`: each parameter tensor's rate follows its relative gradient norm.
struct AutoRGNStrategy: StrategyDefinition {
    static let info = StrategyInfo(
        name: "auto-rgn",
        summary: "every parameter tensor's rate is the base rate × its relative gradient norm ‖g‖/‖w‖ over the largest, recomputed each step; BatchNorm on running statistics",
        source: "Lee et al. 2023, ICLR (surgical fine-tuning, Auto-RGN)", parameters: [])
    init(_ arguments: StrategyArguments) {}

    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] {
        var phase = base.named(Self.info.name)
        phase.learningRatePolicy = .autoRGN
        phase.batchNorm = .freeze
        return [phase]
    }
}

extension TrainingPhase {
    /// A copy called `name`, training `trainable` when given.
    func named(_ name: String, trainable: ParameterSelection? = nil) -> TrainingPhase {
        var phase = self
        phase.name = name
        if let trainable { phase.trainable = trainable }
        return phase
    }
}
