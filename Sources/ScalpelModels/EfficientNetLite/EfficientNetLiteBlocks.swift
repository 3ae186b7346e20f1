// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// A bias-free convolution with TensorFlow's `"SAME"` padding: the input is zero-padded so the output
/// is ⌈input / stride⌉, the odd pixel going to the right and bottom (`Conv2dDynamicSamePadding` in
/// lukemelas' EfficientNet-PyTorch). Keys: `weight` only, as a plain `nn.Conv2d`.
final class SamePaddedConv2d: Layer, InputChannelAdaptable, BatchNormFusible {
    let conv: Conv2d

    init(_ input: Int, _ output: Int, kernel: Int, stride: Int = 1, groups: Int = 1, generator: Generator?) throws {
        conv = try Conv2d(inputChannels: input, outputChannels: output, kernelSize: Size2d(kernel),
                          stride: Size2d(stride), groups: groups, bias: false, generator: generator)
    }

    var weight: Tensor { conv.weight }

    func canFuse(with norm: BatchNorm2d, input: Tensor) -> Bool { conv.canFuse(with: norm, input: input) }

    func callAsFunction(_ input: Tensor, normalizedBy norm: BatchNorm2d, activation: FusedActivation,
                        adding residual: Tensor?) throws -> Tensor {
        guard input.rank == 4 else { return try conv(input, normalizedBy: norm, activation: activation, adding: residual) }
        let pads = padding(height: input.shape[2], width: input.shape[3])
        return try conv(pads.allSatisfy { $0 == 0 } ? input : input.padded(pads), normalizedBy: norm,
                        activation: activation, adding: residual)
    }
    func adaptInputChannels(_ count: Int) throws { try conv.adaptInputChannels(count) }
    var namedParameters: [(String, Tensor)] { conv.namedParameters }

    /// `[left, right, top, bottom]` for an input of `height` × `width`.
    func padding(height: Int, width: Int) -> [Int] {
        func total(_ size: Int, _ kernel: Int, _ stride: Int) -> Int {
            let output = (size + stride - 1) / stride
            return max((output - 1) * stride + kernel - size, 0)
        }
        let padW = total(width, conv.kernelSize.width, conv.stride.width)
        let padH = total(height, conv.kernelSize.height, conv.stride.height)
        return [padW / 2, padW - padW / 2, padH / 2, padH - padH / 2]
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard input.rank == 4 else { return try conv(input) }  // the convolution reports the bad rank
        let pads = padding(height: input.shape[2], width: input.shape[3])
        return try conv(pads.allSatisfy { $0 == 0 } ? input : input.padded(pads))
    }
}

/// Lite's batch norm: eps 1e-3, momentum 0.01 (TensorFlow's 0.99 in PyTorch's convention).
func liteBatchNorm(_ channels: Int) throws -> BatchNorm2d {
    try BatchNorm2d(featureCount: channels, eps: 1e-3, momentum: 0.01)
}

/// The mobile inverted bottleneck of EfficientNet-Lite (no squeeze-excitation, ReLU6):
/// 1×1 expansion (when the ratio is not 1), depthwise k×k with "same" padding and the stride, 1×1
/// projection, and a skip connection with drop-connect when the stride is 1 and the channels match.
/// Keys: `_expand_conv`, `_bn0` (expansion only), `_depthwise_conv`, `_bn1`, `_project_conv`, `_bn2`.
final class LiteMBConv: Layer, ModeDependent {
    let expandConv: SamePaddedConv2d?, bn0: BatchNorm2d?
    let depthwiseConv: SamePaddedConv2d, bn1: BatchNorm2d
    let projectConv: SamePaddedConv2d, bn2: BatchNorm2d
    let hasSkip: Bool
    /// Probability of dropping the residual branch per sample while training (lukemelas' `drop_connect`).
    let dropConnectRate: Double
    var mode: ModuleMode = .training

    init(input: Int, output: Int, kernel: Int, stride: Int, expandRatio: Int, dropConnectRate: Double,
         generator g: Generator?) throws {
        let hidden = input * expandRatio
        if expandRatio != 1 {
            expandConv = try SamePaddedConv2d(input, hidden, kernel: 1, generator: g)
            bn0 = try liteBatchNorm(hidden)
        } else {
            expandConv = nil
            bn0 = nil
        }
        depthwiseConv = try SamePaddedConv2d(hidden, hidden, kernel: kernel, stride: stride, groups: hidden, generator: g)
        bn1 = try liteBatchNorm(hidden)
        projectConv = try SamePaddedConv2d(hidden, output, kernel: 1, generator: g)
        bn2 = try liteBatchNorm(output)
        hasSkip = stride == 1 && input == output
        self.dropConnectRate = dropConnectRate
    }

    var namedChildren: [(String, any Module)] {
        var children: [(String, any Module)] = []
        if let expandConv, let bn0 { children += [("_expand_conv", expandConv), ("_bn0", bn0)] }
        return children + [("_depthwise_conv", depthwiseConv), ("_bn1", bn1), ("_project_conv", projectConv),
                           ("_bn2", bn2)]
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        var x = input
        if let expandConv, let bn0 { x = try expandConv(x, normalizedBy: bn0, activation: .relu6) }
        x = try depthwiseConv(x, normalizedBy: bn1, activation: .relu6)
        // Without drop-connect the skip addition is part of the (possibly fused) projection.
        let dropsConnections = hasSkip && dropConnectRate > 0 && mode == .training
        x = try projectConv(x, normalizedBy: bn2, activation: .none, adding: hasSkip && !dropsConnections ? input : nil)
        guard dropsConnections else { return x }
        do {
            // keep = ⌊(1 − p) + U[0, 1)⌋ per sample; survivors scaled by 1 / (1 − p), as lukemelas' drop_connect.
            let keep = 1 - dropConnectRate
            let mask = try (Tensor.rand([x.shape[0], 1, 1, 1], dtype: x.dtype, on: x.device) + keep).floor()
            x = try x / keep * mask
        }
        return try x + input
    }
}
