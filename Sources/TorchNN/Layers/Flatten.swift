// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Merges axes `startAxis ... endAxis` into one: `[N, C, H, W]` → `[N, C·H·W]` by default.
///
/// Equivalent to `torch.nn.Flatten(start_dim, end_dim)`. No state-dict keys.
public final class Flatten: Layer {
    /// First axis merged (PyTorch `start_dim`); negative counts from the end.
    public let startAxis: Int
    /// Last axis merged (PyTorch `end_dim`); negative counts from the end.
    public let endAxis: Int

    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
    }

    /// - Throws: ``TorchError`` if an axis is out of range for the input's rank, or the start comes after the end.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        notifyingObserver(input: input, output: try input.flattened(from: startAxis, to: endAxis))
    }
}
