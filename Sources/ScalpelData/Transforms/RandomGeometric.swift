// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Rotates by an angle drawn uniformly from `[-degrees, degrees]` (positive is counter-clockwise on
/// screen) about the image centre `((W − 1) / 2, (H − 1) / 2)`, keeping the size and filling with 0,
/// as torchvision's `RandomRotation` does; nearest interpolation by default, like torchvision. For a
/// given angle the output equals `torchvision.transforms.functional.rotate` (the source position is
/// computed in float32 the way its `affine_grid` + `grid_sample` do, so ties round the same way).
public struct RandomRotation: Transform {
    /// How rotation samples the source image.
    public enum Interpolation: String, Sendable, CaseIterable {
        /// The nearest source pixel (torchvision's default for rotation).
        case nearest
        /// Bilinear between the four neighbours, those outside the image counting as 0.
        case bilinear
    }

    public let degrees: Double
    public let interpolation: Interpolation

    public init(degrees: Double, interpolation: Interpolation = .nearest) {
        self.degrees = degrees
        self.interpolation = interpolation
    }

    public func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
        guard degrees >= 0, degrees.isFinite else { throw TransformError("RandomRotation: degrees must be finite and not negative, got \(degrees)") }
        let angle = generator.uniform(-degrees...degrees)
        return Self.rotate(sample, degrees: angle, interpolation: interpolation)
    }

    /// `sample` rotated counter-clockwise by `degrees`, zero fill.
    static func rotate(_ sample: ImageSample, degrees: Double, interpolation: Interpolation) -> ImageSample {
        let (h, w) = (sample.height, sample.width)
        // torchvision's inverse matrix for angle a is [cos r, sin r; −sin r, cos r] with r = −a (radians),
        // in float32, divided by (W / 2, H / 2) to map to grid_sample's [−1, 1] coordinates.
        let r = -degrees * .pi / 180
        let m0 = Float(cos(r)), m1 = Float(sin(r)), m3 = Float(-sin(r)), m4 = Float(cos(r))
        let halfW = Float(w) * 0.5, halfH = Float(h) * 0.5
        let (xx, yx, xy, yy) = (m0 / halfW, m1 / halfW, m3 / halfH, m4 / halfH)
        var out = ImageSample.filled(width: w, height: h, channels: sample.channels)
        func at(_ c: Int, _ y: Int, _ x: Int) -> Float {
            (0..<h).contains(y) && (0..<w).contains(x) ? sample[c, y, x] : 0
        }
        for y in 0..<h {
            let by = Float(y) - halfH + 0.5
            for x in 0..<w {
                let bx = Float(x) - halfW + 0.5
                let gx = bx * xx + by * yx, gy = bx * xy + by * yy
                let sx = (gx + 1) * halfW - 0.5, sy = (gy + 1) * halfH - 0.5
                switch interpolation {
                case .nearest:
                    let ix = Int(sx.rounded(.toNearestOrEven)), iy = Int(sy.rounded(.toNearestOrEven))
                    for c in 0..<sample.channels { out[c, y, x] = at(c, iy, ix) }
                case .bilinear:
                    let x0f = sx.rounded(.down), y0f = sy.rounded(.down)
                    let x0 = Int(x0f), y0 = Int(y0f)
                    let lx = sx - x0f, ly = sy - y0f
                    for c in 0..<sample.channels {
                        let top = (1 - lx) * at(c, y0, x0) + lx * at(c, y0, x0 + 1)
                        let bottom = (1 - lx) * at(c, y0 + 1, x0) + lx * at(c, y0 + 1, x0 + 1)
                        out[c, y, x] = (1 - ly) * top + ly * bottom
                    }
                }
            }
        }
        return out
    }
}

/// torchvision's `RandomResizedCrop`: up to 10 attempts draw an area fraction uniformly from `scale`
/// and a log-uniform aspect ratio (width / height) from `ratio`, giving `w = round(√(A·r))`,
/// `h = round(√(A / r))`; the first that fits is cut at a uniform corner. Otherwise the fallback is a
/// centre crop of the whole image clamped to the ratio range. The crop is then resized (``Resize``,
/// antialiased by default as torchvision does) to `size × size`.
public struct RandomResizedCrop: Transform {
    public let size: Int
    public let scale: ClosedRange<Double>
    public let ratio: ClosedRange<Double>
    public let antialias: Bool

    public init(size: Int, scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3),
                antialias: Bool = true) {
        self.size = size
        self.scale = scale
        self.ratio = ratio
        self.antialias = antialias
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
        return try Resize.resize(cut, height: size, width: size, antialias: antialias)
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
