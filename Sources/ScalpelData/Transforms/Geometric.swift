// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0

/// Bilinear resizing, equal to torchvision's `Resize` on tensors (within float rounding): by default
/// antialiased as torchvision (`antialias=True`) and PIL do — when shrinking, the triangle filter
/// widens with the factor so every source pixel counts (see ``AxisTaps/antialiased(from:to:)``); when
/// enlarging this equals plain bilinear. `antialias: false` gives `F.interpolate(mode: "bilinear",
/// align_corners: False, antialias: False)`, which skips pixels when shrinking by more than 2×.
public struct Resize: Transform {
    enum Target: Sendable { case size(height: Int, width: Int), shorterSide(Int) }
    let target: Target
    /// Whether shrinking filters over every covered source pixel (torchvision's default).
    public let antialias: Bool

    /// Resizes to exactly `height × width`.
    public init(height: Int, width: Int, antialias: Bool = true) {
        target = .size(height: height, width: width)
        self.antialias = antialias
    }

    /// Resizes so that the shorter side is `shorterSide`, keeping the aspect ratio; the longer side is
    /// `Int(shorterSide · long / short)` (truncated, as torchvision does).
    public init(shorterSide: Int, antialias: Bool = true) {
        target = .shorterSide(shorterSide)
        self.antialias = antialias
    }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        switch target {
        case .size(let height, let width):
            return try Self.resize(sample, height: height, width: width, antialias: antialias)
        case .shorterSide(let side):
            guard side > 0 else { throw TransformError("Resize: shorterSide must be positive, got \(side)") }
            if sample.height <= sample.width {
                return try Self.resize(sample, height: side, width: side * sample.width / sample.height, antialias: antialias)
            }
            return try Self.resize(sample, height: side * sample.height / sample.width, width: side, antialias: antialias)
        }
    }

    /// `sample` resized to `height × width`, antialiased or plain.
    static func resize(_ sample: ImageSample, height: Int, width: Int, antialias: Bool) throws -> ImageSample {
        guard height > 0, width > 0 else { throw TransformError("Resize: size must be positive, got \(height)×\(width)") }
        if height == sample.height, width == sample.width { return sample }
        let taps = antialias ? AxisTaps.antialiased(from:to:) : AxisTaps.plain(from:to:)
        return resample(sample, height: height, width: width,
                        rows: taps(sample.height, height), columns: taps(sample.width, width))
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

/// Cuts the central `height × width` region as torchvision's `CenterCrop` does: the top-left corner
/// is `(H − h) / 2, (W − w) / 2` rounded half to even (Python's `round`); a crop larger than the image
/// first pads it with zeros, `⌊(h − H) / 2⌋` above and the rest below (likewise left and right).
public struct CenterCrop: Transform {
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int) { self.height = height; self.width = width }
    public init(size: Int) { self.init(height: size, width: size) }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard height > 0, width > 0 else { throw TransformError("CenterCrop: size must be positive, got \(height)×\(width)") }
        var image = sample
        if height > sample.height || width > sample.width {
            let padTop = max(height - sample.height, 0) / 2, padLeft = max(width - sample.width, 0) / 2
            let newH = max(height, sample.height), newW = max(width, sample.width)
            image = ImageSample.filled(width: newW, height: newH, channels: sample.channels)
            for c in 0 ..< sample.channels {
                for y in 0 ..< sample.height {
                    for x in 0 ..< sample.width { image[c, y + padTop, x + padLeft] = sample[c, y, x] }
                }
            }
        }
        func offset(_ extra: Int) -> Int { Int((Double(extra) / 2).rounded(.toNearestOrEven)) }
        return crop(image, top: offset(image.height - height), left: offset(image.width - width), height: height, width: width)
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
