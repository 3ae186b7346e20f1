// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// Sampling used by ``Tensor/interpolate(size:mode:alignCorners:antialias:)``.
public enum InterpolationMode: String, Sendable, CaseIterable {
    case nearest, bilinear
}

/// Border handling for ``Tensor/padded(_:mode:value:)``.
public enum PaddingMode: Sendable {
    case constant, reflect, replicate

    var cValue: ctorch_pad_mode {
        switch self {
        case .constant: CTORCH_PAD_CONSTANT
        case .reflect: CTORCH_PAD_REFLECT
        case .replicate: CTORCH_PAD_REPLICATE
        }
    }
}

// The functional layer (`torch.nn.functional`) for `[N, C, H, W]` batches.
extension Tensor {
    /// 2-D convolution (`torch.nn.functional.conv2d`).
    ///
    /// - Parameters:
    ///   - weight: `[outputChannels, inputChannels / groups, kH, kW]`, same dtype and device as the input.
    ///   - stride, padding, dilation: `(height, width)`.
    /// - Returns: `[N, outputChannels, H', W']`.
    /// - Throws: ``TorchError`` if rank, channel count, dtype or device do not match.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                       dilation: (Int, Int) = (1, 1), groups: Int = 1) throws -> Tensor {
        let s = [Int64(stride.0), Int64(stride.1)]
        let p = [Int64(padding.0), Int64(padding.1)]
        let d = [Int64(dilation.0), Int64(dilation.1)]
        return try withExtendedLifetime(bias) {
            try shimTensor {
                ctorch_conv2d(rawHandle, weight.rawHandle, bias?.rawHandle, s, p, d, Int64(groups), $0, $1)
            }
        }
    }

    /// `x · weightᵀ + bias` over the last axis (`torch.nn.functional.linear`); weight is `[out, in]`.
    public func linear(weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        try withExtendedLifetime(bias) {
            try shimTensor { ctorch_linear(rawHandle, weight.rawHandle, bias?.rawHandle, $0, $1) }
        }
    }

    /// Batch normalisation over axis 1. In training mode it normalises with the batch statistics and
    /// updates `runningMean`/`runningVariance` in place with `momentum` (PyTorch's convention:
    /// `running = (1 − momentum) · running + momentum · batch`).
    public func batchNorm(weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVariance: Tensor?,
                          training: Bool, momentum: Double = 0.1, eps: Double = 1e-5) throws -> Tensor {
        try withExtendedLifetime((weight, bias, runningMean, runningVariance)) {
            try shimTensor {
                ctorch_batch_norm(rawHandle, weight?.rawHandle, bias?.rawHandle, runningMean?.rawHandle,
                                  runningVariance?.rawHandle, training, momentum, eps, $0, $1)
            }
        }
    }

    public func maxPool2d(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) throws -> Tensor {
        let k = [Int64(kernelSize.0), Int64(kernelSize.1)]
        let s = stride.map { [Int64($0.0), Int64($0.1)] } ?? k
        let p = [Int64(padding.0), Int64(padding.1)]
        let d = [Int64(dilation.0), Int64(dilation.1)]
        return try shimTensor { ctorch_max_pool2d(rawHandle, k, s, p, d, ceilMode, $0, $1) }
    }

    public func avgPool2d(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          ceilMode: Bool = false, countIncludePad: Bool = true) throws -> Tensor {
        let k = [Int64(kernelSize.0), Int64(kernelSize.1)]
        let s = stride.map { [Int64($0.0), Int64($0.1)] } ?? k
        let p = [Int64(padding.0), Int64(padding.1)]
        return try shimTensor { ctorch_avg_pool2d(rawHandle, k, s, p, ceilMode, countIncludePad, $0, $1) }
    }

    /// Average pooling to a fixed `(height, width)` whatever the input size.
    public func adaptiveAvgPool2d(outputSize: (Int, Int)) throws -> Tensor {
        let size = [Int64(outputSize.0), Int64(outputSize.1)]
        return try shimTensor { ctorch_adaptive_avg_pool2d(rawHandle, size, $0, $1) }
    }

    public func adaptiveMaxPool2d(outputSize: (Int, Int)) throws -> Tensor {
        let size = [Int64(outputSize.0), Int64(outputSize.1)]
        return try shimTensor { ctorch_adaptive_max_pool2d(rawHandle, size, $0, $1) }
    }

    /// Resizes the spatial axes to `size` = `(height, width)` (`torch.nn.functional.interpolate`).
    public func interpolate(size: (Int, Int), mode: InterpolationMode = .bilinear, alignCorners: Bool = false,
                            antialias: Bool = false) throws -> Tensor {
        let dims = [Int64(size.0), Int64(size.1)]
        return try shimTensor {
            ctorch_interpolate(rawHandle, dims, mode == .bilinear, alignCorners, antialias, $0, $1)
        }
    }

    /// Zeroes each element with probability `p` and scales survivors by 1/(1−p) when `training`;
    /// the identity otherwise. A `generator` makes the mask reproducible.
    public func dropout(probability p: Double, training: Bool, generator: Generator? = nil) throws -> Tensor {
        try withExtendedLifetime(generator) {
            try shimTensor { ctorch_dropout(rawHandle, p, training, generator?.rawHandle, $0, $1) }
        }
    }

    /// Pads the last axes: `pads` = `[left, right, top, bottom, …]` (`torch.nn.functional.pad`).
    public func padded(_ pads: [Int], mode: PaddingMode = .constant, value: Double = 0) throws -> Tensor {
        try withDims(pads) { dims, count in
            try shimTensor { ctorch_pad(rawHandle, dims, count, mode.cValue, value, $0, $1) }
        }
    }
}
