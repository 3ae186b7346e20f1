// Scalpel — TorchOptim
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Named parameters that one optimizer updates with shared hyperparameters (PyTorch's `param_groups`).
///
/// A group's learning rate, weight decay, momentum (``SGD``) and betas (``Adam``, ``AdamW``) override the
/// optimizer's defaults; `nil` means "use the default". A typical fine-tuning set-up gives the pretrained
/// backbone a smaller learning rate than the new head:
///
/// ```swift
/// let optimizer = try AdamW([
///     ParameterGroup(name: "backbone", parameters: backboneParameters, learningRate: 1e-4),
///     ParameterGroup(name: "head", parameters: headParameters),
/// ], learningRate: 1e-3)
/// ```
///
/// An optimizer's ``Optimizer/groups`` hold the values in effect, with every override it uses filled in.
public struct ParameterGroup {
    /// A label for messages and state dicts, e.g. `backbone`.
    public var name: String
    /// The parameters in order, keyed by their dotted state-dict names (`layer4.1.conv2.weight`). Keys
    /// must be unique within one optimizer, because its state dict is keyed by them.
    public var parameters: [(key: String, tensor: Tensor)]
    /// Overrides the optimizer's learning rate.
    public var learningRate: Double?
    /// Overrides the optimizer's weight decay (L2 for ``SGD`` and ``Adam``, decoupled for ``AdamW``).
    public var weightDecay: Double?
    /// Overrides ``SGD``'s momentum; other optimizers reject it.
    public var momentum: Double?
    /// Overrides ``Adam``'s and ``AdamW``'s `(beta1, beta2)`; other optimizers reject it.
    public var betas: (Double, Double)?

    public init(name: String = "default", parameters: [(key: String, tensor: Tensor)], learningRate: Double? = nil,
                weightDecay: Double? = nil, momentum: Double? = nil, betas: (Double, Double)? = nil) {
        self.name = name
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.betas = betas
    }

    /// A group of every tensor of `parameters`, in its order.
    public init(name: String = "default", parameters: StateDict, learningRate: Double? = nil,
                weightDecay: Double? = nil, momentum: Double? = nil, betas: (Double, Double)? = nil) {
        self.init(name: name, parameters: parameters.entries, learningRate: learningRate, weightDecay: weightDecay,
                  momentum: momentum, betas: betas)
    }

    /// The parameter keys in order.
    public var keys: [String] { parameters.map(\.key) }

    /// The parameter tensors in order.
    public var tensors: [Tensor] { parameters.map(\.tensor) }
}
