// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Torch
import ScalpelRandom

/// An image in host memory as `channels × height × width` floats (CHW, row-major), the sample every
/// ``Transform`` takes and returns. Values are kept as given (typically in [0, 1]).
public struct ImageSample: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    /// `channels × height × width` values, CHW.
    public var pixels: [Float]

    /// A sample of the given size; `pixels.count` must equal `channels × height × width`.
    public init(width: Int, height: Int, channels: Int, pixels: [Float]) throws {
        guard width > 0, height > 0, channels > 0 else {
            throw TransformError("ImageSample: width, height and channels must be positive, got \(width)×\(height)×\(channels)")
        }
        guard pixels.count == width * height * channels else {
            throw TransformError("ImageSample: expected \(channels)×\(height)×\(width) = \(channels * height * width) pixels, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The decoded image's samples divided by its ``DecodedImage/maximumValue`` (so in [0, 1]),
    /// reordered from HWC to CHW; alpha, when present, is dropped.
    public init(_ image: DecodedImage) throws {
        let values: [Float] = switch image.samples {
        case .uint8(let bytes): bytes.map { Float($0) }
        case .uint16(let words): words.map { Float($0) }
        }
        let source = image.channels
        guard values.count == image.width * image.height * source else {
            throw TransformError("ImageSample: decoded image has \(values.count) samples, expected \(image.height)×\(image.width)×\(source)")
        }
        let colour = source == 2 || source == 4 ? source - 1 : source
        let scale = Float(image.maximumValue)
        let plane = image.width * image.height
        var chw = [Float](repeating: 0, count: colour * plane)
        for c in 0..<colour {
            for p in 0..<plane { chw[c * plane + p] = values[p * source + c] / scale }
        }
        try self.init(width: image.width, height: image.height, channels: colour, pixels: chw)
    }

    /// The value at channel `c`, row `y`, column `x`.
    @inlinable public subscript(c: Int, y: Int, x: Int) -> Float {
        get { pixels[(c * height + y) * width + x] }
        set { pixels[(c * height + y) * width + x] = newValue }
    }

    /// A blank sample (filled with `value`) of the given size; sizes are checked by callers.
    static func filled(width: Int, height: Int, channels: Int, value: Float = 0) -> ImageSample {
        ImageSample(unchecked: width, height, channels, [Float](repeating: value, count: width * height * channels))
    }

    /// A sample from values whose count callers have checked.
    static func unchecked(width: Int, height: Int, channels: Int, pixels: [Float]) -> ImageSample {
        ImageSample(unchecked: width, height, channels, pixels)
    }

    private init(unchecked width: Int, _ height: Int, _ channels: Int, _ pixels: [Float]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// An invalid transform parameter or an input it cannot handle.
public struct TransformError: Error, UserFacingError, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A host-side image transform. Randomness always arrives as `generator`, never from shared state,
/// so the same generator state gives the same output.
public protocol Transform: Sendable {
    func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample
}

extension Transform {
    /// Applies the transform with a fresh ``SplitMix64`` seeded with `seed`.
    public func callAsFunction(_ sample: ImageSample, seed: UInt64) throws -> ImageSample {
        var generator = SplitMix64(seed: seed)
        return try self(sample, using: &generator)
    }
}

/// Transforms applied in order, each drawing from the same generator.
public struct Compose: Transform {
    public let transforms: [any Transform]

    public init(_ transforms: [any Transform]) { self.transforms = transforms }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        var current = sample
        for transform in transforms { current = try transform(current, using: &generator) }
        return current
    }
}


extension RandomNumberGenerator {
    /// A uniform draw from `[range.lowerBound, range.upperBound]` (a degenerate range gives its bound).
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound == range.upperBound ? range.lowerBound : Double.random(in: range, using: &self)
    }
}
