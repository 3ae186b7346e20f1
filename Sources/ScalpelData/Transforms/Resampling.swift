// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0

/// The source taps of one resampled axis: output index `d` reads `count[d]` source values from
/// `start[d]` on, weighted by `weights[d · stride ..< d · stride + count[d]]`.
struct AxisTaps {
    var start: [Int]
    var count: [Int]
    var weights: [Float]
    var stride: Int

    /// Bilinear taps with PyTorch's antialiasing (`F.interpolate(mode: "bilinear", antialias: True)`,
    /// the same triangle filter as PIL): the filter's support is 1 source pixel when enlarging and
    /// `n / m` pixels when shrinking, so every source pixel under an output pixel counts. For output
    /// `d`: `centre = (d + 0.5) · n / m`, taps `⌊centre − support + 0.5⌋ … ⌊centre + support + 0.5⌋ − 1`
    /// (clamped to the axis), weight `max(0, 1 − |j − centre + 0.5| / max(n / m, 1))`, normalised to sum 1.
    static func antialiased(from n: Int, to m: Int) -> AxisTaps {
        let scale = Double(n) / Double(m)
        let support = max(scale, 1)
        let invScale = scale >= 1 ? 1 / scale : 1
        let stride = Int(support.rounded(.up)) * 2 + 1
        var taps = AxisTaps(start: [], count: [], weights: [Float](repeating: 0, count: m * stride), stride: stride)
        for d in 0 ..< m {
            let centre = scale * (Double(d) + 0.5)
            let low = max(Int(centre - support + 0.5), 0)
            let high = min(Int(centre + support + 0.5), n)
            let size = min(max(high - low, 1), stride)
            var raw = [Double](repeating: 0, count: size)
            for j in 0 ..< size {
                raw[j] = max(0, 1 - abs((Double(j + low) - centre + 0.5) * invScale))
            }
            let total = raw.reduce(0, +)
            for j in 0 ..< size { taps.weights[d * stride + j] = Float(total > 0 ? raw[j] / total : 0) }
            taps.start.append(min(low, n - 1))
            taps.count.append(size)
        }
        return taps
    }

    /// Plain bilinear taps (`F.interpolate(mode: "bilinear", align_corners: False, antialias: False)`):
    /// `s = max((d + 0.5) · n / m − 0.5, 0)`, `i0 = ⌊s⌋`, `i1 = min(i0 + 1, n − 1)`, `λ = s − i0`, value
    /// `(1 − λ) · in[i0] + λ · in[i1]`. Shrinking by more than 2× skips source pixels (aliasing).
    static func plain(from n: Int, to m: Int) -> AxisTaps {
        let scale = Double(n) / Double(m)
        var taps = AxisTaps(start: [], count: [], weights: [Float](repeating: 0, count: m * 2), stride: 2)
        for d in 0 ..< m {
            let s = max((Double(d) + 0.5) * scale - 0.5, 0)
            let i0 = min(Int(s), n - 1)
            let lambda = Float(s - Double(i0))
            taps.start.append(i0)
            taps.count.append(i0 + 1 < n ? 2 : 1)
            taps.weights[d * 2] = i0 + 1 < n ? 1 - lambda : 1
            taps.weights[d * 2 + 1] = i0 + 1 < n ? lambda : 0
        }
        return taps
    }
}

/// `sample` resampled to `height × width`, columns first, then rows.
func resample(_ sample: ImageSample, height: Int, width: Int, rows: AxisTaps, columns: AxisTaps) -> ImageSample {
    let (channels, inH, inW) = (sample.channels, sample.height, sample.width)
    var horizontal = [Float](repeating: 0, count: channels * inH * width)
    sample.pixels.withUnsafeBufferPointer { source in
        horizontal.withUnsafeMutableBufferPointer { target in
            for line in 0 ..< channels * inH {
                let inBase = line * inW, outBase = line * width
                for x in 0 ..< width {
                    let start = columns.start[x], tapBase = x * columns.stride
                    var sum: Float = 0
                    for j in 0 ..< columns.count[x] { sum += columns.weights[tapBase + j] * source[inBase + start + j] }
                    target[outBase + x] = sum
                }
            }
        }
    }
    var out = [Float](repeating: 0, count: channels * height * width)
    horizontal.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { target in
            for c in 0 ..< channels {
                let inPlane = c * inH * width, outPlane = c * height * width
                for y in 0 ..< height {
                    let start = rows.start[y], tapBase = y * rows.stride
                    let outRow = outPlane + y * width
                    for j in 0 ..< rows.count[y] {
                        let weight = rows.weights[tapBase + j]
                        let inRow = inPlane + (start + j) * width
                        for x in 0 ..< width { target[outRow + x] += weight * source[inRow + x] }
                    }
                }
            }
        }
    }
    return ImageSample.unchecked(width: width, height: height, channels: channels, pixels: out)
}
