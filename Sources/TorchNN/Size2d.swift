// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0

/// A `(height, width)` pair for kernel sizes, strides, padding and dilation (PyTorch's `_size_2_t`).
///
/// An integer literal means the same value on both axes, as an `int` does in PyTorch:
/// `Conv2d(inputChannels: 3, outputChannels: 64, kernelSize: 7, stride: 2, padding: 3)`;
/// write `Size2d(1, 7)` for a non-square one, and `Size2d(k)` for a square one from a variable.
public struct Size2d: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same value on both axes.
    public init(_ both: Int) {
        self.init(both, both)
    }

    public init(integerLiteral value: Int) {
        self.init(value)
    }

    /// As the functional API takes it.
    public var pair: (Int, Int) { (height, width) }

    public var description: String { height == width ? "\(height)" : "(\(height), \(width))" }
}
