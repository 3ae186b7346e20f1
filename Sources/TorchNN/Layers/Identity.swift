// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Returns its input unchanged: a placeholder, e.g. for a removed classifier.
///
/// Equivalent to `torch.nn.Identity`. No state-dict keys.
public final class Identity: Layer {
    public init() {}

    public func callAsFunction(_ input: Tensor) throws -> Tensor { notifyingObserver(input: input, output: input) }
}
