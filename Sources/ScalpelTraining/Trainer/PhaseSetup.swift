// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN
import TorchOptim

/// Applies a phase to a model: which parameters train, how BatchNorm behaves, and the optimizer with
/// its learning-rate groups.
struct PhaseSetup {
    let phase: TrainingPhase
    /// The optimizer's groups, in order, with their base learning rates.
    let groups: [ParameterGroup]
    let baseRates: [Double]
    let trainable: [Tensor]
    /// The trainable parameters by key (for regularizers).
    let trainableParameters: [(key: String, tensor: Tensor)]
    let trainableCount: Int

    /// Freezes and unfreezes the model's parameters for `phase` and builds its groups.
    ///
    /// - Throws: ``TrainingError/invalidOption(_:)`` when a selection names nothing in the model or when
    ///   nothing would train.
    init(_ phase: TrainingPhase, model: any Module) throws {
        self.phase = phase
        let parameters = model.parameters()
        let keys = parameters.map(\.key)
        let unmatched = phase.trainable.unmatchedParts(in: keys) + phase.groups.flatMap { $0.selection.unmatchedParts(in: keys) }
        guard unmatched.isEmpty else {
            let examples = keys.prefix(4).joined(separator: ", ")
            throw TrainingError.invalidOption(
                "phase '\(phase.name)': \(unmatched.joined(separator: ", ")) selects no parameter of the model (keys look like \(examples), …)")
        }
        var selected: [(key: String, tensor: Tensor)] = []
        for (key, tensor) in parameters {
            let trains = phase.trainable.matches(key)
            try tensor.setRequiresGradient(trains)
            if trains { selected.append((key, tensor)) }
        }
        guard !selected.isEmpty else {
            throw TrainingError.invalidOption("phase '\(phase.name)' makes no parameter trainable; select at least one module to train")
        }
        var remaining = selected
        var groups: [ParameterGroup] = []
        var rates: [Double] = []
        if phase.learningRatePolicy == .autoRGN {
            // One group per tensor; its rate is set at every step from its relative gradient norm.
            for (key, tensor) in selected {
                let multiplier = phase.groups.first { $0.selection.matches(key) }?.multiplier ?? 1
                groups.append(ParameterGroup(name: key, parameters: [(key, tensor)], learningRate: phase.learningRate * multiplier))
                rates.append(phase.learningRate * multiplier)
            }
            remaining = []
        }
        for group in phase.groups where phase.learningRatePolicy == .groups {
            let members = remaining.filter { group.selection.matches($0.key) }
            remaining.removeAll { group.selection.matches($0.key) }
            guard !members.isEmpty else { continue }
            let rate = phase.learningRate * group.multiplier
            groups.append(ParameterGroup(name: group.name, parameters: members, learningRate: rate))
            rates.append(rate)
        }
        if !remaining.isEmpty {
            groups.append(ParameterGroup(name: "base", parameters: remaining, learningRate: phase.learningRate))
            rates.append(phase.learningRate)
        }
        self.groups = groups
        baseRates = rates
        trainable = selected.map(\.tensor)
        trainableParameters = selected
        trainableCount = selected.reduce(0) { $0 + $1.tensor.elementCount }
    }

    /// Auto-RGN's rates: each group's scheduled rate times its ‖g‖ / ‖w‖ over the largest such ratio.
    /// A tensor without a gradient this step gets rate 0; one whose weights are all zero (a bias at its
    /// initial value, where the ratio is undefined) gets the full scheduled rate, as the largest does.
    func autoRGNRates(scheduled: [Double]) throws -> [Double] {
        let ratios = try groups.map { group -> Double? in
            guard let weight = group.tensors.first, let gradient = try weight.gradient() else { return 0 }
            let weightNorm = try weight.square().sum().sqrt().item()
            guard weightNorm > 0 else { return nil }
            return try gradient.square().sum().sqrt().item() / weightNorm
        }
        let largest = ratios.compactMap { $0 }.max() ?? 0
        return zip(scheduled, ratios).map { rate, ratio in
            guard let ratio else { return rate }
            return largest > 0 ? rate * ratio / largest : 0
        }
    }

    /// The phase's optimizer over ``groups``.
    func makeOptimizer() throws -> any Optimizer {
        switch phase.optimizer {
        case .adam: try Adam(groups, learningRate: phase.learningRate, weightDecay: phase.weightDecay)
        case .adamW: try AdamW(groups, learningRate: phase.learningRate, weightDecay: phase.weightDecay)
        case .sgd(let momentum, let nesterov):
            try SGD(groups, learningRate: phase.learningRate, momentum: momentum, nesterov: nesterov,
                    weightDecay: phase.weightDecay)
        }
    }

    /// Puts the model in training mode, then BatchNorm layers in evaluation mode as the policy says.
    /// Under `freeze` and `freeze-frozen`, a feature link none of whose parameters train is a fixed
    /// feature extractor: every module in it (dropout and stochastic depth too) computes as in inference.
    func setTrainingMode(_ model: any Module) {
        model.setMode(.training)
        guard phase.batchNorm != .train else { return }
        for (_, module) in model.namedModules() {
            guard let norm = module as? BatchNorm2d else { continue }
            let frozen = [norm.weight, norm.bias].compactMap { $0 }.allSatisfy { !$0.requiresGradient }
            if phase.batchNorm == .freeze || frozen { norm.mode = .evaluation }
        }
        if let layer = model as? any Layer, let chain = ModelChain(layer) {
            for link in chain.links where link.layer.parameters().allSatisfy({ !$0.tensor.requiresGradient }) {
                link.layer.setMode(.evaluation)
            }
        }
    }
}
