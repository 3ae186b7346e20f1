// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Takes the maximum over sliding windows of each channel of an `[N, C, H, W]` (or `[C, H, W]`) input.
///
/// Equivalent to `torch.nn.MaxPool2d`; padding is implicit −∞. No state-dict keys.
///
/// ```swift
/// let pool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)   // the ResNet stem pool
/// ```
public final class MaxPool2d: Layer {
    public let kernelSize: Size2d
    /// Defaults to ``kernelSize``.
    public let stride: Size2d
    public let padding: Size2d
    public let dilation: Size2d
    /// Whether the output size rounds up (windows may start in the right or bottom padding).
    public let ceilMode: Bool

    public init(kernelSize: Size2d, stride: Size2d? = nil, padding: Size2d = 0, dilation: Size2d = 1,
                ceilMode: Bool = false) {
        precondition(kernelSize.height > 0 && kernelSize.width > 0, "MaxPool2d kernelSize must be positive")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
    }

    /// - Throws: ``TorchError`` for a rank other than 3 or 4, padding above half the kernel, or an input
    ///   smaller than the window.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        notifyingObserver(input: input, output: try input.maxPool2d(
            kernelSize: kernelSize.pair, stride: stride.pair, padding: padding.pair, dilation: dilation.pair,
            ceilMode: ceilMode))
    }
}

/// Averages sliding windows of each channel of an `[N, C, H, W]` (or `[C, H, W]`) input.
///
/// Equivalent to `torch.nn.AvgPool2d`. No state-dict keys.
public final class AvgPool2d: Layer {
    public let kernelSize: Size2d
    /// Defaults to ``kernelSize``.
    public let stride: Size2d
    public let padding: Size2d
    public let ceilMode: Bool
    /// Whether zero padding counts in the divisor (`count_include_pad`, true in PyTorch).
    public let countIncludesPadding: Bool

    public init(kernelSize: Size2d, stride: Size2d? = nil, padding: Size2d = 0, ceilMode: Bool = false,
                countIncludesPadding: Bool = true) {
        precondition(kernelSize.height > 0 && kernelSize.width > 0, "AvgPool2d kernelSize must be positive")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludesPadding = countIncludesPadding
    }

    /// - Throws: ``TorchError`` for a rank other than 3 or 4, padding above half the kernel, or an input
    ///   smaller than the window.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        notifyingObserver(input: input, output: try input.avgPool2d(
            kernelSize: kernelSize.pair, stride: stride.pair, padding: padding.pair, ceilMode: ceilMode,
            countIncludePad: countIncludesPadding))
    }
}

/// Averages each channel down to a fixed ``outputSize`` whatever the input size.
///
/// Equivalent to `torch.nn.AdaptiveAvgPool2d`; `AdaptiveAvgPool2d(outputSize: 1)` is the global
/// average pool before a classifier. No state-dict keys.
public final class AdaptiveAvgPool2d: Layer {
    public let outputSize: Size2d

    public init(outputSize: Size2d) {
        precondition(outputSize.height > 0 && outputSize.width > 0, "AdaptiveAvgPool2d outputSize must be positive")
        self.outputSize = outputSize
    }

    /// - Returns: `[N, C, outputSize.height, outputSize.width]`.
    /// - Throws: ``TorchError`` for a rank other than 3 or 4.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        notifyingObserver(input: input, output: try input.adaptiveAvgPool2d(outputSize: outputSize.pair))
    }
}
