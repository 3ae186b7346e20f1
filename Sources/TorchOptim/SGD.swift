// Scalpel — TorchOptim
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay
/// (`torch.optim.SGD`), on libtorch's fused kernel (`torch._fused_sgd_`).
///
/// For each parameter `p` with gradient `g` (negated when `maximize`):
/// ```
/// g ← g + weightDecay · p
/// b ← g                                    on the first step with momentum
/// b ← momentum · b + (1 − dampening) · g   afterwards
/// g ← nesterov ? g + momentum · b : b      (with momentum)
/// p ← p − learningRate · g
/// ```
/// Per-group ``ParameterGroup/learningRate``, ``ParameterGroup/weightDecay`` and
/// ``ParameterGroup/momentum`` override the defaults; ``ParameterGroup/betas`` is rejected. Float16,
/// bfloat16, float32 and float64 parameters are supported, mixed freely within a group: each step makes
/// one kernel call per group, device and dtype.
public final class SGD: Optimizer {
    /// Hyperparameters of one group.
    struct Settings {
        var learningRate: Double
        var momentum: Double
        var weightDecay: Double
    }

    /// `SGD`: the algorithm name a saved state records.
    public let name = "SGD"

    private let table: ParameterTable
    private var settings: [Settings]
    /// Scales the gradient added to a momentum buffer by `1 − dampening`; shared by every group (restored by
    /// ``load(stateDict:)``, like the next two).
    public private(set) var dampening: Double
    /// Whether momentum is Nesterov's.
    public private(set) var nesterov: Bool
    /// Whether the optimizer ascends.
    public private(set) var maximize: Bool
    /// Momentum buffers by group and parameter; nil until the parameter's first step with momentum.
    private var buffers: [[Tensor?]]

    /// - Parameters:
    ///   - groups: the parameter groups; each may override `learningRate`, `weightDecay` and `momentum`.
    ///   - learningRate: PyTorch's default is 1e-3.
    ///   - momentum: momentum factor; 0 keeps no buffers.
    ///   - dampening: scales the gradient added to the momentum buffer by `1 − dampening` (after the first step).
    ///   - nesterov: Nesterov momentum; needs momentum > 0 and dampening 0 in every group.
    ///   - weightDecay: L2 penalty added to the gradient.
    ///   - maximize: ascend instead of descend.
    /// - Throws: ``OptimizerError/invalidHyperparameter(_:)`` for a negative or non-finite learning rate,
    ///   momentum or weight decay, a non-finite dampening, Nesterov without momentum or with dampening, or a
    ///   `betas` override; ``OptimizerError/invalidParameters(_:)`` for unusable groups.
    public init(_ groups: [ParameterGroup], learningRate: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                nesterov: Bool = false, weightDecay: Double = 0, maximize: Bool = false) throws {
        table = try ParameterTable(groups, optimizer: "SGD")
        settings = groups.map {
            Settings(learningRate: $0.learningRate ?? learningRate, momentum: $0.momentum ?? momentum,
                     weightDecay: $0.weightDecay ?? weightDecay)
        }
        self.dampening = dampening
        self.nesterov = nesterov
        self.maximize = maximize
        buffers = table.tensors.map { [Tensor?](repeating: nil, count: $0.count) }
        for group in groups where group.betas != nil {
            throw OptimizerError.invalidHyperparameter(
                "SGD group '\(group.name)': betas are an Adam hyperparameter; SGD takes momentum")
        }
        try Self.validate(settings, dampening: dampening, nesterov: nesterov, names: table.names)
    }

    private static func validate(_ settings: [Settings], dampening: Double, nesterov: Bool, names: [String]) throws {
        guard dampening.isFinite else {
            throw OptimizerError.invalidHyperparameter("SGD: dampening \(dampening) must be finite")
        }
        for (group, values) in settings.enumerated() {
            let context = "SGD group '\(names[group])'"
            try Check.learningRate(values.learningRate, context)
            try Check.nonNegative(values.momentum, "momentum", context)
            try Check.weightDecay(values.weightDecay, context)
            if nesterov && (values.momentum <= 0 || dampening != 0) {
                throw OptimizerError.invalidHyperparameter(
                    "\(context): Nesterov momentum requires momentum > 0 and dampening 0 "
                        + "(momentum \(values.momentum), dampening \(dampening))")
            }
        }
    }

    public var groups: [ParameterGroup] {
        table.names.indices.map { group in
            ParameterGroup(name: table.names[group], parameters: Array(zip(table.keys[group], table.tensors[group])),
                           learningRate: settings[group].learningRate, weightDecay: settings[group].weightDecay,
                           momentum: settings[group].momentum)
        }
    }

    public func learningRate(forGroup index: Int) -> Double {
        settings[index].learningRate
    }

    public func setLearningRate(_ learningRate: Double, forGroup index: Int) throws {
        try Check.groupIndex(index, count: settings.count, name)
        try Check.learningRate(learningRate, "SGD group '\(table.names[index])'")
        settings[index].learningRate = learningRate
    }

    public func step() throws {
        // Gather and check every gradient first, so a mismatch leaves all parameters untouched.
        let gradients = try table.names.indices.map { try table.gradients(ofGroup: $0) }
        for (group, present) in gradients.enumerated() where !present.isEmpty {
            let values = settings[group]
            let usesMomentum = values.momentum != 0
            // The kernel initialises buffers on a first step for a whole call, so parameters that already
            // have a buffer and parameters stepping with momentum for the first time go to separate calls.
            let runs = partitioned(present) { item in
                Run(placement: DeviceAndType(item.gradient), isFirstStep: usesMomentum && buffers[group][item.index] == nil)
            }
            for run in runs {
                let isFirstStep = usesMomentum && buffers[group][run[0].index] == nil
                // On a first step the kernel overwrites the buffers with the gradient; cloning keeps its layout.
                let runBuffers: [Tensor] = !usesMomentum ? [] : try run.map { item in
                    try isFirstStep ? item.gradient.detached().clone() : buffers[group][item.index]!
                }
                try OptimizerKernels.sgdStep(
                    parameters: run.map { table.tensors[group][$0.index] }, gradients: run.map(\.gradient),
                    momentumBuffers: runBuffers, learningRate: values.learningRate, momentum: values.momentum,
                    dampening: dampening, weightDecay: values.weightDecay, nesterov: nesterov, maximize: maximize,
                    firstStep: isFirstStep)
                if isFirstStep {
                    for (item, buffer) in zip(run, runBuffers) { buffers[group][item.index] = buffer }
                }
            }
        }
    }

    /// One fused call: the parameters of one device and dtype that all have, or all lack, a momentum buffer.
    private struct Run: Hashable {
        let placement: DeviceAndType
        let isFirstStep: Bool
    }

    public func stateDict() throws -> OptimizerState {
        var tensors = StateDict()
        for group in table.names.indices {
            for (index, buffer) in buffers[group].enumerated() {
                guard let buffer else { continue }
                tensors["\(table.keys[group][index]).momentum_buffer"] = try buffer.clone()
            }
        }
        let records = table.names.indices.map { group in
            var record = table.record(ofGroup: group, learningRate: settings[group].learningRate,
                                      weightDecay: settings[group].weightDecay)
            record.momentum = settings[group].momentum
            return record
        }
        let configuration = OptimizerConfiguration(optimizer: name, groups: records, dampening: dampening,
                                                   nesterov: nesterov, maximize: maximize)
        return OptimizerState(configuration: configuration, tensors: tensors)
    }

    public func load(stateDict state: OptimizerState) throws {
        try state.checkHeader(optimizer: name)
        let configuration = state.configuration
        try table.checkLayout(of: configuration.groups)
        guard let savedDampening = configuration.dampening, let savedNesterov = configuration.nesterov else {
            throw OptimizerError.stateMismatch("the SGD record lacks dampening or nesterov")
        }
        let savedSettings = try configuration.groups.map { record in
            guard let momentum = record.momentum else {
                throw OptimizerError.stateMismatch("SGD group '\(record.name)' has no momentum in the state")
            }
            return Settings(learningRate: record.learningRate, momentum: momentum, weightDecay: record.weightDecay)
        }
        try Self.validate(savedSettings, dampening: savedDampening, nesterov: savedNesterov, names: table.names)

        var expected = Set<String>()
        var loaded = table.tensors.map { [Tensor?](repeating: nil, count: $0.count) }
        for group in table.names.indices {
            for (index, parameter) in table.tensors[group].enumerated() {
                let key = table.keys[group][index]
                expected.insert("\(key).momentum_buffer")
                loaded[group][index] = try state.copy(key, "momentum_buffer", like: parameter)
                if loaded[group][index] != nil && savedSettings[group].momentum == 0 {
                    throw OptimizerError.stateMismatch(
                        "'\(key)' has a momentum buffer but its group '\(table.names[group])' has momentum 0")
                }
            }
        }
        try state.checkNoUnexpectedTensors(expected: expected)
        settings = savedSettings
        dampening = savedDampening
        nesterov = savedNesterov
        maximize = configuration.maximize
        buffers = loaded
    }
}
