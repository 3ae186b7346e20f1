// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// An image decoded to host memory: `height × width × channels` samples, row-major, interleaved, at
/// 8 or 16 bits. Sendable, so decoding can run on any thread; tensors are made from it later.
public struct DecodedImage: Sendable, Equatable {
    public enum Samples: Sendable, Equatable {
        case uint8([UInt8])
        case uint16([UInt16])
    }

    public var width: Int
    public var height: Int
    /// 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
    public var channels: Int
    public var samples: Samples

    public init(width: Int, height: Int, channels: Int, samples: Samples) {
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }

    /// 8 or 16.
    public var bitDepth: Int {
        if case .uint16 = samples { return 16 }
        return 8
    }

    /// The largest sample value (255 or 65535).
    public var maximumValue: Double { bitDepth == 16 ? 65535 : 255 }

    /// A float32 `[channels, height, width]` CPU tensor of the samples divided by ``maximumValue``
    /// (so in [0, 1]); alpha, when present, is dropped.
    public func tensor() throws -> Tensor {
        let values: [Float] = switch samples {
        case .uint8(let bytes): bytes.map { Float($0) }
        case .uint16(let words): words.map { Float($0) }
        }
        let hwc = try Tensor(values, shape: [height, width, channels]) / maximumValue
        let chw = try hwc.permuted([2, 0, 1])
        let colour = channels == 2 || channels == 4 ? try chw.slice(axis: 0, start: 0, end: channels - 1) : chw
        return try colour.contiguous()
    }
}
