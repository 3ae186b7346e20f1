// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Applies a 2-D convolution over an `[N, C, H, W]` input.
///
/// Equivalent to `torch.nn.Conv2d` (zero padding). State-dict keys: `weight`
/// (`[outputChannels, inputChannels / groups, kernelSize.height, kernelSize.width]`) and, if
/// ``hasBias``, `bias` (`[outputChannels]`). Initialised as PyTorch does: the weight from
/// `kaiming_uniform_(a=√5)`, the bias from U(−1/√fan_in, 1/√fan_in), fan_in = `inputChannels / groups · kH · kW`.
///
/// ```swift
/// let stem = try Conv2d(inputChannels: 3, outputChannels: 64, kernelSize: 7, stride: 2, padding: 3, bias: false)
/// let depthwise = try Conv2d(inputChannels: 32, outputChannels: 32, kernelSize: 3, padding: 1, groups: 32)
/// ```
///
/// ### See Also
/// - ``Tensor/conv2d(weight:bias:stride:padding:dilation:groups:)``
public final class Conv2d: Layer {
    /// Changed only by ``adaptInputChannels(_:)``.
    public private(set) var inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Size2d
    public let stride: Size2d
    public let padding: Size2d
    public let dilation: Size2d
    public let groups: Int
    /// `float32` `[outputChannels, inputChannels / groups, kH, kW]`, requiring gradients.
    public let weight: Tensor
    /// `float32` `[outputChannels]`, or nil when built with `bias: false`.
    public let bias: Tensor?
    /// The batch norm after it folded in, prepacked, while ``InferenceFusion`` applies (never a parameter).
    var folded: FoldedConvolution?

    /// - Parameters:
    ///   - groups: must divide both channel counts; `groups == inputChannels` is a depthwise convolution.
    ///   - bias: whether to add a learned per-channel bias (`bias=` in PyTorch).
    ///   - generator: draws the initial values; libtorch's default generator when nil.
    /// - Throws: ``TorchError`` if the tensors cannot be created.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Size2d, stride: Size2d = 1,
                padding: Size2d = 0, dilation: Size2d = 1, groups: Int = 1, bias: Bool = true,
                generator: Generator? = nil) throws {
        precondition(inputChannels > 0 && outputChannels > 0, "Conv2d channel counts must be positive")
        precondition(groups > 0 && inputChannels % groups == 0 && outputChannels % groups == 0,
                     "Conv2d groups (\(groups)) must divide inputChannels (\(inputChannels)) and outputChannels (\(outputChannels))")
        precondition(kernelSize.height > 0 && kernelSize.width > 0, "Conv2d kernelSize must be positive")
        precondition(stride.height > 0 && stride.width > 0, "Conv2d stride must be positive")
        precondition(padding.height >= 0 && padding.width >= 0, "Conv2d padding must not be negative")
        precondition(dilation.height > 0 && dilation.width > 0, "Conv2d dilation must be positive")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        (weight, self.bias) = try Initialization.makeDefaultWeightAndBias(
            shape: [outputChannels, inputChannels / groups, kernelSize.height, kernelSize.width], bias: bias,
            generator: generator)
    }

    public var hasBias: Bool { bias != nil }

    /// Makes the convolution take `count` input channels, in place: the weight keeps its identity and
    /// becomes `[outputChannels, count, kH, kW]` of zeros, to be filled by loading (e.g. an RGB-pretrained
    /// stem adapted to grey-scale X-rays).
    ///
    /// - Throws: ``TorchError`` for a grouped convolution or a count below 1.
    public func adaptInputChannels(_ count: Int) throws {
        guard groups == 1, count > 0 else {
            throw TorchError(kind: .invalidValue,
                             message: "only an ungrouped convolution can change its input channels to a positive count (groups \(groups), count \(count))",
                             operation: "Conv2d.adaptInputChannels(_:)")
        }
        guard count != inputChannels else { return }
        try weight.setData(Tensor.zeros([outputChannels, count, kernelSize.height, kernelSize.width],
                                        dtype: weight.dtype, on: weight.device))
        inputChannels = count
    }

    public var namedParameters: [(String, Tensor)] {
        if let bias { return [("weight", weight), ("bias", bias)] }
        return [("weight", weight)]
    }

    /// - Parameter input: `[N, inputChannels, H, W]` (or unbatched `[inputChannels, H, W]`), same dtype and
    ///   device as the weight.
    /// - Returns: `[N, outputChannels, H', W']`, H' = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1.
    /// - Throws: ``TorchError`` if rank, channel count, dtype or device do not match, or the input is
    ///   smaller than the dilated kernel.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        // Running unfused (training, an observer, fusion off): a fused copy may go stale from here on.
        if folded != nil { folded = nil }
        return notifyingObserver(input: input, output: try input.conv2d(
            weight: weight, bias: bias, stride: stride.pair, padding: padding.pair, dilation: dilation.pair, groups: groups))
    }
}
