// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0

/// Bilinear resampling with PyTorch's `F.interpolate(mode: "bilinear", align_corners: False,
/// antialias: False)` formula, per axis: for output index `d` of an axis resized from `n` to `m`,
/// `s = max((d + 0.5) · n / m − 0.5, 0)`, `i0 = ⌊s⌋`, `i1 = min(i0 + 1, n − 1)`, `λ = s − i0`, and the
/// value is `(1 − λ) · in[i0] + λ · in[i1]`, applied to rows and columns together.
public struct Resize: Transform {
    enum Target: Sendable { case size(height: Int, width: Int), shorterSide(Int) }
    let target: Target

    /// Resizes to exactly `height × width`.
    public init(height: Int, width: Int) { target = .size(height: height, width: width) }

    /// Resizes so that the shorter side is `shorterSide`, keeping the aspect ratio; the longer side is
    /// `Int(shorterSide · long / short)` (truncated, as torchvision does).
    public init(shorterSide: Int) { target = .shorterSide(shorterSide) }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        switch target {
        case .size(let height, let width):
            return try Self.bilinear(sample, height: height, width: width)
        case .shorterSide(let side):
            guard side > 0 else { throw TransformError("Resize: shorterSide must be positive, got \(side)") }
            if sample.height <= sample.width {
                return try Self.bilinear(sample, height: side, width: side * sample.width / sample.height)
            }
            return try Self.bilinear(sample, height: side * sample.height / sample.width, width: side)
        }
    }

    /// Per output index of one axis: the two source indices and the weight of the second.
    static func axisWeights(from n: Int, to m: Int) -> [(Int, Int, Float)] {
        let scale = Double(n) / Double(m)
        return (0..<m).map { d in
            let s = max((Double(d) + 0.5) * scale - 0.5, 0)
            let i0 = min(Int(s), n - 1)
            return (i0, min(i0 + 1, n - 1), Float(s - Double(i0)))
        }
    }

    /// `sample` resized to `height × width` with the formula above.
    static func bilinear(_ sample: ImageSample, height: Int, width: Int) throws -> ImageSample {
        guard height > 0, width > 0 else { throw TransformError("Resize: size must be positive, got \(height)×\(width)") }
        if height == sample.height, width == sample.width { return sample }
        let rows = axisWeights(from: sample.height, to: height)
        let cols = axisWeights(from: sample.width, to: width)
        var out = ImageSample.filled(width: width, height: height, channels: sample.channels)
        for c in 0..<sample.channels {
            for (y, (y0, y1, ly)) in rows.enumerated() {
                for (x, (x0, x1, lx)) in cols.enumerated() {
                    let top = (1 - lx) * sample[c, y0, x0] + lx * sample[c, y0, x1]
                    let bottom = (1 - lx) * sample[c, y1, x0] + lx * sample[c, y1, x1]
                    out[c, y, x] = (1 - ly) * top + ly * bottom
                }
            }
        }
        return out
    }
}

/// Cuts the `height × width` region starting at row `top`, column `left` (which must lie inside).
func crop(_ sample: ImageSample, top: Int, left: Int, height: Int, width: Int) -> ImageSample {
    var out = ImageSample.filled(width: width, height: height, channels: sample.channels)
    for c in 0..<sample.channels {
        for y in 0..<height {
            for x in 0..<width { out[c, y, x] = sample[c, top + y, left + x] }
        }
    }
    return out
}

/// Cuts the central `height × width` region; the top-left corner is `((H − h) / 2, (W − w) / 2)`
/// rounded down. Throws when the crop is larger than the image.
public struct CenterCrop: Transform {
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int) { self.height = height; self.width = width }
    public init(size: Int) { self.init(height: size, width: size) }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard height > 0, width > 0 else { throw TransformError("CenterCrop: size must be positive, got \(height)×\(width)") }
        guard height <= sample.height, width <= sample.width else {
            throw TransformError("CenterCrop: crop \(height)×\(width) is larger than the image \(sample.height)×\(sample.width)")
        }
        return crop(sample, top: (sample.height - height) / 2, left: (sample.width - width) / 2, height: height, width: width)
    }
}

/// Adds `amount` pixels of constant `value` on every side.
public struct Pad: Transform {
    public let amount: Int
    public let value: Float

    public init(amount: Int, value: Float = 0) { self.amount = amount; self.value = value }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard amount >= 0 else { throw TransformError("Pad: amount must not be negative, got \(amount)") }
        if amount == 0 { return sample }
        var out = ImageSample.filled(width: sample.width + 2 * amount, height: sample.height + 2 * amount,
                                     channels: sample.channels, value: value)
        for c in 0..<sample.channels {
            for y in 0..<sample.height {
                for x in 0..<sample.width { out[c, y + amount, x + amount] = sample[c, y, x] }
            }
        }
        return out
    }
}

/// Zero-pads by `padding` on every side, then cuts a `size × size` region at a uniformly drawn
/// corner (row in `0...H − size`, then column in `0...W − size`).
public struct RandomCrop: Transform {
    public let size: Int
    public let padding: Int

    public init(size: Int, padding: Int = 0) { self.size = size; self.padding = padding }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard size > 0 else { throw TransformError("RandomCrop: size must be positive, got \(size)") }
        let padded = try Pad(amount: padding)(sample, using: &generator)
        guard size <= padded.height, size <= padded.width else {
            throw TransformError("RandomCrop: crop \(size)×\(size) is larger than the padded image \(padded.height)×\(padded.width)")
        }
        let top = Int.random(in: 0...(padded.height - size), using: &generator)
        let left = Int.random(in: 0...(padded.width - size), using: &generator)
        return crop(padded, top: top, left: left, height: size, width: size)
    }
}

/// Mirrors left–right with probability `probability` (one draw per call).
public struct RandomHorizontalFlip: Transform {
    public let probability: Double

    public init(probability: Double = 0.5) { self.probability = probability }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard (0...1).contains(probability) else { throw TransformError("RandomHorizontalFlip: probability must be in [0, 1], got \(probability)") }
        guard Double.random(in: 0..<1, using: &generator) < probability else { return sample }
        var out = sample
        for c in 0..<sample.channels {
            for y in 0..<sample.height {
                for x in 0..<sample.width { out[c, y, x] = sample[c, y, sample.width - 1 - x] }
            }
        }
        return out
    }
}

/// Mirrors top–bottom with probability `probability` (one draw per call).
public struct RandomVerticalFlip: Transform {
    public let probability: Double

    public init(probability: Double = 0.5) { self.probability = probability }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard (0...1).contains(probability) else { throw TransformError("RandomVerticalFlip: probability must be in [0, 1], got \(probability)") }
        guard Double.random(in: 0..<1, using: &generator) < probability else { return sample }
        var out = sample
        for c in 0..<sample.channels {
            for y in 0..<sample.height {
                for x in 0..<sample.width { out[c, y, x] = sample[c, sample.height - 1 - y, x] }
            }
        }
        return out
    }
}
