// Scalpel — TorchOptim
// SPDX-License-Identifier: Apache-2.0
import Torch

/// An algorithm that updates parameters in place from their gradients (`torch.optim.Optimizer`).
///
/// A training step reads:
///
/// ```swift
/// try optimizer.zeroGradients()
/// let loss = try crossEntropy(logits: model(images), targets: labels)
/// try loss.backward()
/// try optimizer.step()
/// ```
///
/// Scalpel's optimizers (``SGD``, ``Adam``, ``AdamW``) run libtorch's fused multi-tensor kernels: one call
/// per group and (device, dtype) updates every parameter, with PyTorch's arithmetic.
///
/// Optimizers are not `Sendable`: keep one in the isolation domain that trains.
public protocol Optimizer: AnyObject {
    /// The parameter groups with the hyperparameters in effect (every override the algorithm uses filled in).
    var groups: [ParameterGroup] { get }

    /// The learning rate group `index` steps with.
    func learningRate(forGroup index: Int) -> Double

    /// Sets the learning rate of group `index` for the following steps (what a scheduler does each step or epoch).
    ///
    /// - Throws: ``OptimizerError/invalidHyperparameter(_:)`` for a negative or non-finite rate,
    ///   ``OptimizerError/invalidParameters(_:)`` for a group that does not exist.
    func setLearningRate(_ learningRate: Double, forGroup index: Int) throws

    /// Updates every parameter that has a gradient; parameters whose gradient is nil are skipped and keep
    /// their state (PyTorch's behaviour).
    ///
    /// - Throws: ``OptimizerError/invalidGradient(key:reason:)`` when a gradient does not match its
    ///   parameter (nothing is updated then), ``TorchError`` when a kernel fails.
    func step() throws

    /// A copy of all optimizer state: step counts, moments or momentum buffers, and every group's
    /// hyperparameters (learning rates set by a scheduler included).
    func stateDict() throws -> OptimizerState

    /// Replaces all optimizer state with `stateDict`'s, hyperparameters included, so that continuing
    /// gives the same parameters as the run that saved it. The tensors are copied onto each parameter's
    /// device and dtype. Nothing changes when it throws.
    ///
    /// - Throws: ``OptimizerError/stateMismatch(_:)`` when the state comes from another algorithm or from
    ///   other parameters (group count, parameter count, keys or shapes), or lacks a state tensor;
    ///   ``OptimizerError/invalidHyperparameter(_:)`` when a saved hyperparameter is out of range.
    func load(stateDict: OptimizerState) throws
}

extension Optimizer {
    /// Every group's learning rate, in group order.
    public var learningRates: [Double] { groups.indices.map { learningRate(forGroup: $0) } }

    /// Sets the same learning rate on every group.
    public func setLearningRate(_ learningRate: Double) throws {
        for index in groups.indices {
            try setLearningRate(learningRate, forGroup: index)
        }
    }

    /// Clears the gradient of every parameter (`optimizer.zero_grad()`): drops it when `setToNone`
    /// (the default, as in PyTorch; the next backward allocates a fresh one), zeroes it in place otherwise.
    public func zeroGradients(setToNone: Bool = true) throws {
        for group in groups {
            for (_, tensor) in group.parameters {
                try tensor.zeroGradient(setToNone: setToNone)
            }
        }
    }
}
