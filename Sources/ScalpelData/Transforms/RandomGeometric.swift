// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Rotates by an angle drawn uniformly from `[-degrees, degrees]` (positive is counter-clockwise on
/// screen) about the image centre `((W − 1) / 2, (H − 1) / 2)`, keeping the size. Each output pixel
/// samples the inverse-rotated source position bilinearly; neighbours outside the image count as 0.
public struct RandomRotation: Transform {
    public let degrees: Double

    public init(degrees: Double) { self.degrees = degrees }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard degrees >= 0, degrees.isFinite else { throw TransformError("RandomRotation: degrees must be finite and not negative, got \(degrees)") }
        let angle = generator.uniform(-degrees...degrees) * .pi / 180
        return Self.rotate(sample, radians: angle)
    }

    /// `sample` rotated counter-clockwise by `radians`, bilinear, zero fill.
    static func rotate(_ sample: ImageSample, radians: Double) -> ImageSample {
        let (h, w) = (sample.height, sample.width)
        let cx = Double(w - 1) / 2, cy = Double(h - 1) / 2
        let cosA = cos(radians), sinA = sin(radians)
        var out = ImageSample.filled(width: w, height: h, channels: sample.channels)
        func at(_ c: Int, _ y: Int, _ x: Int) -> Float {
            (0..<h).contains(y) && (0..<w).contains(x) ? sample[c, y, x] : 0
        }
        for y in 0..<h {
            for x in 0..<w {
                // Screen y points down, so a counter-clockwise turn maps source (sx, sy) to
                // (cos·dx + sin·dy, −sin·dx + cos·dy); invert it to find the source.
                let dx = Double(x) - cx, dy = Double(y) - cy
                let sx = cosA * dx - sinA * dy + cx
                let sy = sinA * dx + cosA * dy + cy
                let x0 = Int(floor(sx)), y0 = Int(floor(sy))
                let lx = Float(sx - Double(x0)), ly = Float(sy - Double(y0))
                for c in 0..<sample.channels {
                    let top = (1 - lx) * at(c, y0, x0) + lx * at(c, y0, x0 + 1)
                    let bottom = (1 - lx) * at(c, y0 + 1, x0) + lx * at(c, y0 + 1, x0 + 1)
                    out[c, y, x] = (1 - ly) * top + ly * bottom
                }
            }
        }
        return out
    }
}

/// torchvision's `RandomResizedCrop`: up to 10 attempts draw an area fraction uniformly from `scale`
/// and a log-uniform aspect ratio (width / height) from `ratio`, giving `w = round(√(A·r))`,
/// `h = round(√(A / r))`; the first that fits is cut at a uniform corner. Otherwise the fallback is a
/// centre crop of the whole image clamped to the ratio range. The crop is then resized (``Resize``)
/// to `size × size`.
public struct RandomResizedCrop: Transform {
    public let size: Int
    public let scale: ClosedRange<Double>
    public let ratio: ClosedRange<Double>

    public init(size: Int, scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3)) {
        self.size = size
        self.scale = scale
        self.ratio = ratio
    }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard size > 0 else { throw TransformError("RandomResizedCrop: size must be positive, got \(size)") }
        guard scale.lowerBound > 0, scale.upperBound <= 1 else {
            throw TransformError("RandomResizedCrop: scale must lie in (0, 1], got \(scale)")
        }
        guard ratio.lowerBound > 0, ratio.upperBound.isFinite else {
            throw TransformError("RandomResizedCrop: ratio must be positive and finite, got \(ratio)")
        }
        let (top, left, height, width) = region(sample, using: &generator)
        let cut = crop(sample, top: top, left: left, height: height, width: width)
        return try Resize.bilinear(cut, height: size, width: size)
    }

    /// The crop's `(top, left, height, width)`.
    func region(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) -> (Int, Int, Int, Int) {
        let (imageH, imageW) = (sample.height, sample.width)
        let area = Double(imageH * imageW)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let targetArea = area * generator.uniform(scale)
            let aspect = exp(generator.uniform(logRatio))
            let w = Int((targetArea * aspect).squareRoot().rounded())
            let h = Int((targetArea / aspect).squareRoot().rounded())
            if w > 0, w <= imageW, h > 0, h <= imageH {
                let top = Int.random(in: 0...(imageH - h), using: &generator)
                let left = Int.random(in: 0...(imageW - w), using: &generator)
                return (top, left, h, w)
            }
        }
        let inRatio = Double(imageW) / Double(imageH)
        var (w, h) = (imageW, imageH)
        if inRatio < ratio.lowerBound {
            h = max(1, Int((Double(w) / ratio.lowerBound).rounded()))
        } else if inRatio > ratio.upperBound {
            w = max(1, Int((Double(h) * ratio.upperBound).rounded()))
        }
        return ((imageH - h) / 2, (imageW - w) / 2, h, w)
    }
}
