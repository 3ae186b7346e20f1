// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0

/// Random brightness then contrast changes (a fixed order, unlike torchvision's random order). Each
/// factor is drawn uniformly from `[max(0, 1 − amount), 1 + amount]`; brightness multiplies every
/// value, contrast blends with the mean grey level (`0.299 R + 0.587 G + 0.114 B` for RGB, the plain
/// mean for one channel): `f · x + (1 − f) · mean`. Results are clamped to [0, 1]. A zero amount draws
/// nothing.
public struct ColorJitter: Transform {
    public let brightness: Double
    public let contrast: Double

    public init(brightness: Double = 0, contrast: Double = 0) {
        self.brightness = brightness
        self.contrast = contrast
    }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard brightness >= 0, contrast >= 0 else {
            throw TransformError("ColorJitter: brightness and contrast must not be negative, got \(brightness), \(contrast)")
        }
        var out = sample
        if brightness > 0 {
            let f = Float(generator.uniform(max(0, 1 - brightness)...(1 + brightness)))
            out.pixels = out.pixels.map { min(max($0 * f, 0), 1) }
        }
        if contrast > 0 {
            let f = Float(generator.uniform(max(0, 1 - contrast)...(1 + contrast)))
            let mean = Self.meanGrey(out)
            out.pixels = out.pixels.map { min(max(f * $0 + (1 - f) * mean, 0), 1) }
        }
        return out
    }

    static func meanGrey(_ sample: ImageSample) -> Float {
        let plane = sample.width * sample.height
        if sample.channels == 3 {
            var sum: Float = 0
            for p in 0..<plane {
                sum += 0.299 * sample.pixels[p] + 0.587 * sample.pixels[plane + p] + 0.114 * sample.pixels[2 * plane + p]
            }
            return sum / Float(plane)
        }
        return sample.pixels.reduce(0, +) / Float(sample.pixels.count)
    }
}

/// Repeats a one-channel image into three channels, as torchvision's `Grayscale(num_output_channels=3)`
/// does to a gray PIL image (its tensor version keeps one channel); three-channel images pass through
/// unchanged (not converted to grey).
public struct GrayToRGB: Transform {
    public init() {}

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        if sample.channels == 3 { return sample }
        guard sample.channels == 1 else { throw TransformError("GrayToRGB: expected 1 or 3 channels, got \(sample.channels)") }
        return try ImageSample(width: sample.width, height: sample.height, channels: 3,
                               pixels: sample.pixels + sample.pixels + sample.pixels)
    }
}

/// Per channel: `(x − mean[c]) / std[c]`. The channel counts must match the sample's.
public struct Normalize: Transform {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) { self.mean = mean; self.std = std }

    /// ImageNet's statistics, for backbones pretrained on it.
    public static let imageNet = Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard mean.count == std.count else {
            throw TransformError("Normalize: mean has \(mean.count) channels but std has \(std.count)")
        }
        guard mean.count == sample.channels else {
            throw TransformError("Normalize: mean/std have \(mean.count) channels but the image has \(sample.channels)")
        }
        guard std.allSatisfy({ $0 > 0 }) else { throw TransformError("Normalize: std must be positive, got \(std)") }
        let plane = sample.width * sample.height
        var out = sample
        for c in 0..<sample.channels {
            for p in 0..<plane { out.pixels[c * plane + p] = (sample.pixels[c * plane + p] - mean[c]) / std[c] }
        }
        return out
    }
}
