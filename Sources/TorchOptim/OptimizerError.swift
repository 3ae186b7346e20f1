// Scalpel — TorchOptim
// SPDX-License-Identifier: Apache-2.0

/// Why an optimizer cannot be built, stepped, or loaded. Each message names the optimizer, the group or
/// parameter key, the offending value and what is expected.
public enum OptimizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A hyperparameter outside the range PyTorch accepts (a negative learning rate, a beta of 1, Nesterov
    /// without momentum, ...), or an override the optimizer does not have.
    case invalidHyperparameter(String)
    /// The parameter groups cannot be optimized: none at all, an empty group, a duplicate key, an integer or
    /// non-leaf tensor.
    case invalidParameters(String)
    /// A parameter's gradient does not match it in shape, dtype or device.
    case invalidGradient(key: String, reason: String)
    /// A saved optimizer state that does not fit this optimizer: another algorithm, other parameters
    /// (count, keys or shapes), or missing and unexpected state tensors.
    case stateMismatch(String)

    public var description: String {
        switch self {
        case .invalidHyperparameter(let message): "invalid hyperparameter: \(message)"
        case .invalidParameters(let message): "invalid parameters: \(message)"
        case .invalidGradient(let key, let reason): "invalid gradient for '\(key)': \(reason)"
        case .stateMismatch(let message): "optimizer state does not match: \(message)"
        }
    }
}
