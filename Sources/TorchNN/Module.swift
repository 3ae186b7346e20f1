// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// A node in a model tree whose tensors have PyTorch state-dict keys.
///
/// A module declares its structure explicitly: its direct children, the trainable tensors it owns
/// (parameters) and the non-trainable state it owns (buffers), each under a *local* name. Full keys
/// such as `layer1.0.conv1.weight` come from walking the tree, as PyTorch's `named_parameters()` and
/// `state_dict()` build them, so a model written with torchvision's local names loads torchvision's
/// weights key for key.
///
/// ```swift
/// final class Stem: Layer {
///     let conv: Conv2d, norm: BatchNorm2d
///     init() throws {
///         conv = try Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: 3, padding: 1, bias: false)
///         norm = try BatchNorm2d(featureCount: 8)
///     }
///     var namedChildren: [(String, any Module)] { [("conv", conv), ("norm", norm)] }
///     func callAsFunction(_ input: Tensor) throws -> Tensor { try norm(conv(input)).relu() }
/// }
/// // stem.stateDict().keys == ["conv.weight", "norm.weight", "norm.bias", "norm.running_mean",
/// //                           "norm.running_var", "norm.num_batches_tracked"]
/// ```
///
/// Local names must not contain `.` and must be unique among a module's parameters, buffers and
/// children; the tree walk stops with a precondition failure otherwise, because a model with
/// ambiguous keys is a programming error, never something to rename silently.
///
/// Modules are not `Sendable`: a model lives in one isolation domain.
///
/// ### See Also
/// - ``Layer``
/// - ``ModeDependent``
/// - ``Module/stateDict()``
/// - ``Module/load(_:policy:)``
public protocol Module: AnyObject {
    /// Direct children, in PyTorch registration order, keyed by their local state-dict name.
    var namedChildren: [(String, any Module)] { get }
    /// Trainable tensors owned directly by this module, e.g. `("weight", weight)`.
    var namedParameters: [(String, Tensor)] { get }
    /// Non-trainable state owned directly by this module, e.g. `("running_mean", runningMean)`.
    var namedBuffers: [(String, Tensor)] { get }
}

extension Module {
    public var namedChildren: [(String, any Module)] { [] }
    public var namedParameters: [(String, Tensor)] { [] }
    public var namedBuffers: [(String, Tensor)] { [] }
}

/// A module that maps one tensor to another: `torch.nn.Module.forward` with a single input.
public protocol Layer: Module {
    /// Applies the layer.
    ///
    /// - Throws: ``TorchError`` when the input's shape, dtype or device does not fit the layer.
    func callAsFunction(_ input: Tensor) throws -> Tensor
}

/// Whether a module computes as in training or as in inference (`nn.Module.train()` / `.eval()`).
public enum ModuleMode: Sendable, Equatable, CaseIterable {
    /// Batch statistics in normalisation layers, active dropout.
    case training
    /// Running statistics in normalisation layers, dropout is the identity.
    case evaluation
}

/// A module whose computation depends on its ``ModuleMode`` (`BatchNorm2d`, `Dropout`, containers).
///
/// The mode is stored on the module, never in a global, so a fine-tuning strategy can keep the batch
/// normalisation layers of a backbone in evaluation while its head trains. Set a whole tree with
/// ``Module/setMode(_:)``.
public protocol ModeDependent: Module {
    var mode: ModuleMode { get set }
}
