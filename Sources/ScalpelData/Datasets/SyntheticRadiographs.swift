// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelRandom

/// A generated, clearly synthetic stand-in for a chest X-ray task, for when no real data is at hand
/// (the demo on a machine without PneumoniaMNIST, tests). Every image is a grey-scale "radiograph":
/// a bright body outline with two darker lung fields, ribs as faint bands and noise. Class
/// `opacity` adds one to three soft bright blobs inside the lungs (as consolidation looks); class
/// `clear` has none. Image `i` depends only on the seed and `i`, so the set is the same everywhere.
public struct SyntheticRadiographs: ImageDataset {
    public let count: Int
    public let size: Int
    public let seed: UInt64

    /// - Parameters:
    ///   - count: images (half of each class, alternating).
    ///   - size: side in pixels (at least 16).
    public init(count: Int, size: Int = 28, seed: UInt64 = 0) throws {
        guard count > 0, size >= 16 else {
            throw DatasetError(file: "synthetic radiographs", key: "count/size", expected: "count > 0 and size >= 16",
                               found: "count \(count), size \(size)")
        }
        self.count = count
        self.size = size
        self.seed = seed
    }

    public var source: String { "synthetic radiographs (generated, seed \(seed))" }
    public var task: ClassificationTask { .binary }
    public var classNames: [String] { ["clear", "opacity"] }
    public func sampleID(_ index: Int) -> String { "synthetic/\(index)" }
    public func labels(_ index: Int) -> [Int] { [index % 2] }

    public func image(_ index: Int) throws -> DecodedImage {
        var random = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index) &+ 1)
        func uniform(_ low: Double, _ high: Double) -> Double { Double.random(in: low...high, using: &random) }
        let n = Double(size)
        // Lungs: two ellipses, jittered per image.
        let lungs = (0..<2).map { side -> (Double, Double, Double, Double) in
            let centreX = n * (side == 0 ? 0.32 : 0.68) + uniform(-0.03, 0.03) * n
            return (centreX, n * uniform(0.48, 0.54), n * uniform(0.14, 0.17), n * uniform(0.28, 0.33))
        }
        var blobs: [(Double, Double, Double, Double)] = []
        if index % 2 == 1 {
            for _ in 0..<Int(uniform(1, 3.99)) {
                let lung = lungs[Int(uniform(0, 1.99))]
                blobs.append((lung.0 + uniform(-0.5, 0.5) * lung.2, lung.1 + uniform(-0.5, 0.5) * lung.3,
                              n * uniform(0.06, 0.11), uniform(0.25, 0.45)))
            }
        }
        let ribPhase = uniform(0, 6.28)
        var pixels = [UInt8](repeating: 0, count: size * size)
        for y in 0..<size {
            for x in 0..<size {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                let bodyX = (px - n / 2) / (n * 0.46), bodyY = (py - n * 0.55) / (n * 0.5)
                var value = bodyX * bodyX + bodyY * bodyY < 1 ? 0.75 : 0.08
                for lung in lungs {
                    let dx = (px - lung.0) / lung.2, dy = (py - lung.1) / lung.3
                    if dx * dx + dy * dy < 1 { value = 0.3 + 0.05 * (0.5 + 0.5 * sin(py / n * 40 + ribPhase)) }
                }
                for blob in blobs {
                    let d2 = ((px - blob.0) * (px - blob.0) + (py - blob.1) * (py - blob.1)) / (blob.2 * blob.2)
                    value += blob.3 * exp(-d2)
                }
                value += uniform(-0.06, 0.06)
                pixels[y * size + x] = UInt8(max(0, min(255, (value * 255).rounded())))
            }
        }
        return DecodedImage(width: size, height: size, channels: 1, samples: .uint8(pixels))
    }
}
