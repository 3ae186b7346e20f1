// Scalpel — TorchOptim
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Adam (`torch.optim.Adam`) on libtorch's fused kernel (`torch._fused_adam_`), with optional AMSGrad,
/// maximisation and L2 weight decay; ``AdamW`` is the same algorithm with decoupled weight decay.
///
/// For each parameter `p` with gradient `g` (negated when `maximize`), at step `t`:
/// ```
/// g ← g + weightDecay · p                  (Adam; AdamW instead does p ← p · (1 − learningRate · weightDecay))
/// m ← beta1 · m + (1 − beta1) · g
/// v ← beta2 · v + (1 − beta2) · g²
/// v̂ ← amsgrad ? max(v̂, v) : v
/// p ← p − learningRate / (1 − beta1ᵗ) · m / (√v̂ / √(1 − beta2ᵗ) + eps)
/// ```
/// The step count `t` of each parameter is a float32 scalar on the parameter's device, incremented
/// before the kernel runs, as PyTorch's fused path does. Per-group ``ParameterGroup/learningRate``,
/// ``ParameterGroup/weightDecay`` and ``ParameterGroup/betas`` override the defaults;
/// ``ParameterGroup/momentum`` is rejected. Float16, bfloat16, float32 and float64 parameters are
/// supported (the fused CPU and CUDA kernels take all four), mixed freely within a group.
public class Adam: Optimizer {
    /// Hyperparameters of one group.
    struct Settings {
        var learningRate: Double
        var weightDecay: Double
        var beta1: Double
        var beta2: Double
    }

    /// The state of one parameter, created on its first step.
    struct Slot {
        var step: Tensor
        var expAvg: Tensor
        var expAvgSq: Tensor
        var maxExpAvgSq: Tensor?
    }

    /// `Adam`, or `AdamW` with decoupled weight decay: the algorithm name a saved state records.
    public let name: String
    /// Whether weight decay shrinks the parameters directly (AdamW) instead of adding to the gradient.
    public let decoupledWeightDecay: Bool
    /// Added to the denominator; shared by every group (restored by ``load(stateDict:)``, like the next two).
    public private(set) var eps: Double
    /// Whether the running maximum of the second moment is used (AMSGrad).
    public private(set) var amsgrad: Bool
    /// Whether the optimizer ascends.
    public private(set) var maximize: Bool

    private let table: ParameterTable
    private var settings: [Settings]
    private var slots: [[Slot?]]
    /// A float32 1 per device, added to the step counts.
    private var units: [Device: Tensor] = [:]

    /// - Parameters:
    ///   - groups: the parameter groups; each may override `learningRate`, `weightDecay` and `betas`.
    ///   - betas: decay rates of the first and second moment estimates, each in [0, 1).
    ///   - eps: added to the denominator; ≥ 0.
    ///   - weightDecay: L2 penalty added to the gradient (decoupled when `decoupledWeightDecay`).
    ///   - amsgrad: keep the running maximum of the second moment (AMSGrad).
    ///   - maximize: ascend instead of descend.
    ///   - decoupledWeightDecay: AdamW's weight decay, as PyTorch's `Adam(decoupled_weight_decay=True)`;
    ///     the state it saves then reads `AdamW`.
    /// - Throws: ``OptimizerError/invalidHyperparameter(_:)`` for a negative or non-finite learning rate,
    ///   eps or weight decay, a beta outside [0, 1), or a `momentum` override;
    ///   ``OptimizerError/invalidParameters(_:)`` for unusable groups.
    public init(_ groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false,
                decoupledWeightDecay: Bool = false) throws {
        let name = decoupledWeightDecay ? "AdamW" : "Adam"
        self.name = name
        self.decoupledWeightDecay = decoupledWeightDecay
        table = try ParameterTable(groups, optimizer: name)
        settings = groups.map {
            let groupBetas = $0.betas ?? betas
            return Settings(learningRate: $0.learningRate ?? learningRate, weightDecay: $0.weightDecay ?? weightDecay,
                            beta1: groupBetas.0, beta2: groupBetas.1)
        }
        self.eps = eps
        self.amsgrad = amsgrad
        self.maximize = maximize
        slots = table.tensors.map { [Slot?](repeating: nil, count: $0.count) }
        for group in groups where group.momentum != nil {
            throw OptimizerError.invalidHyperparameter(
                "\(name) group '\(group.name)': momentum is an SGD hyperparameter; \(name) takes betas")
        }
        try validate(settings, eps: eps)
    }

    private func validate(_ settings: [Settings], eps: Double) throws {
        try Check.nonNegative(eps, "eps", name)
        for (group, values) in settings.enumerated() {
            let context = "\(name) group '\(table.names[group])'"
            try Check.learningRate(values.learningRate, context)
            try Check.beta(values.beta1, index: 0, context)
            try Check.beta(values.beta2, index: 1, context)
            try Check.weightDecay(values.weightDecay, context)
        }
    }

    public var groups: [ParameterGroup] {
        table.names.indices.map { group in
            ParameterGroup(name: table.names[group], parameters: Array(zip(table.keys[group], table.tensors[group])),
                           learningRate: settings[group].learningRate, weightDecay: settings[group].weightDecay,
                           betas: (settings[group].beta1, settings[group].beta2))
        }
    }

    public func learningRate(forGroup index: Int) -> Double {
        settings[index].learningRate
    }

    public func setLearningRate(_ learningRate: Double, forGroup index: Int) throws {
        try Check.groupIndex(index, count: settings.count, name)
        try Check.learningRate(learningRate, "\(name) group '\(table.names[index])'")
        settings[index].learningRate = learningRate
    }

    public func step() throws {
        // Gather and check every gradient first, so a mismatch leaves all parameters untouched.
        let gradients = try table.names.indices.map { try table.gradients(ofGroup: $0) }
        for (group, present) in gradients.enumerated() where !present.isEmpty {
            for item in present where slots[group][item.index] == nil {
                slots[group][item.index] = try makeSlot(for: table.tensors[group][item.index])
            }
            let values = settings[group]
            for run in partitioned(present, by: { DeviceAndType($0.gradient) }) {
                let runSlots = run.map { slots[group][$0.index]! }
                let unit = try unit(on: run[0].gradient.device)
                for slot in runSlots {
                    try slot.step.addInPlace(unit)
                }
                try OptimizerKernels.adamStep(
                    parameters: run.map { table.tensors[group][$0.index] }, gradients: run.map(\.gradient),
                    firstMoments: runSlots.map(\.expAvg), secondMoments: runSlots.map(\.expAvgSq),
                    maxSecondMoments: amsgrad ? runSlots.map { $0.maxExpAvgSq! } : [], steps: runSlots.map(\.step),
                    learningRate: values.learningRate, beta1: values.beta1, beta2: values.beta2,
                    weightDecay: values.weightDecay, eps: eps, amsgrad: amsgrad, maximize: maximize,
                    decoupledWeightDecay: decoupledWeightDecay)
            }
        }
    }

    private func makeSlot(for parameter: Tensor) throws -> Slot {
        Slot(step: try Tensor.zeros([], dtype: .float32, on: parameter.device),
             expAvg: try zerosPreservingLayout(of: parameter), expAvgSq: try zerosPreservingLayout(of: parameter),
             maxExpAvgSq: amsgrad ? try zerosPreservingLayout(of: parameter) : nil)
    }

    private func unit(on device: Device) throws -> Tensor {
        if let unit = units[device] { return unit }
        let unit = try Tensor.ones([], dtype: .float32, on: device)
        units[device] = unit
        return unit
    }

    public func stateDict() throws -> OptimizerState {
        var tensors = StateDict()
        for group in table.names.indices {
            for (index, slot) in slots[group].enumerated() {
                guard let slot else { continue }
                let key = table.keys[group][index]
                tensors["\(key).step"] = try slot.step.clone()
                tensors["\(key).exp_avg"] = try slot.expAvg.clone()
                tensors["\(key).exp_avg_sq"] = try slot.expAvgSq.clone()
                if let max = slot.maxExpAvgSq { tensors["\(key).max_exp_avg_sq"] = try max.clone() }
            }
        }
        let records = table.names.indices.map { group in
            var record = table.record(ofGroup: group, learningRate: settings[group].learningRate,
                                      weightDecay: settings[group].weightDecay)
            record.beta1 = settings[group].beta1
            record.beta2 = settings[group].beta2
            return record
        }
        let configuration = OptimizerConfiguration(optimizer: name, groups: records, eps: eps, amsgrad: amsgrad,
                                                   maximize: maximize)
        return OptimizerState(configuration: configuration, tensors: tensors)
    }

    public func load(stateDict state: OptimizerState) throws {
        try state.checkHeader(optimizer: name)
        let configuration = state.configuration
        try table.checkLayout(of: configuration.groups)
        guard let savedEps = configuration.eps, let savedAmsgrad = configuration.amsgrad else {
            throw OptimizerError.stateMismatch("the \(name) record lacks eps or amsgrad")
        }
        let savedSettings = try configuration.groups.map { record in
            guard let beta1 = record.beta1, let beta2 = record.beta2 else {
                throw OptimizerError.stateMismatch("\(name) group '\(record.name)' has no betas in the state")
            }
            return Settings(learningRate: record.learningRate, weightDecay: record.weightDecay, beta1: beta1,
                            beta2: beta2)
        }
        try validate(savedSettings, eps: savedEps)

        var expected = Set<String>()
        var loaded = table.tensors.map { [Slot?](repeating: nil, count: $0.count) }
        for group in table.names.indices {
            for (index, parameter) in table.tensors[group].enumerated() {
                let key = table.keys[group][index]
                let slotNames = ["step", "exp_avg", "exp_avg_sq"] + (savedAmsgrad ? ["max_exp_avg_sq"] : [])
                expected.formUnion(slotNames.map { "\(key).\($0)" })
                let present = slotNames.filter { state.tensors["\(key).\($0)"] != nil }
                if present.isEmpty { continue }
                guard present.count == slotNames.count else {
                    let missing = slotNames.filter { !present.contains($0) }.map { "\(key).\($0)" }
                    throw OptimizerError.stateMismatch(
                        "'\(key)' has state \(present) but lacks \(missing.joined(separator: ", "))")
                }
                loaded[group][index] = Slot(
                    step: try state.copyStep(key, on: parameter.device)!,
                    expAvg: try state.copy(key, "exp_avg", like: parameter)!,
                    expAvgSq: try state.copy(key, "exp_avg_sq", like: parameter)!,
                    maxExpAvgSq: savedAmsgrad ? try state.copy(key, "max_exp_avg_sq", like: parameter)! : nil)
            }
        }
        try state.checkNoUnexpectedTensors(expected: expected)
        settings = savedSettings
        eps = savedEps
        amsgrad = savedAmsgrad
        maximize = configuration.maximize
        slots = loaded
    }
}

/// Adam with decoupled weight decay (`torch.optim.AdamW`): each step first shrinks every parameter by
/// `learningRate · weightDecay`, then applies the Adam update to the plain gradient. Runs on libtorch's
/// fused kernel (`torch._fused_adamw_`). Weight decay defaults to 1e-2, as in PyTorch.
public final class AdamW: Adam {
    /// - Parameters: as ``Adam/init(_:learningRate:betas:eps:weightDecay:amsgrad:maximize:decoupledWeightDecay:)``,
    ///   with weight decay decoupled and 1e-2 by default.
    /// - Throws: ``OptimizerError`` for invalid hyperparameters or groups, as ``Adam``.
    public init(_ groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) throws {
        try super.init(groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                       amsgrad: amsgrad, maximize: maximize, decoupledWeightDecay: true)
    }
}
