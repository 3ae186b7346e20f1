// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelRandom
import Torch

/// The images a UAP is computed from — a run's training split or any image folder — turned into pixel
/// tensors `[N, C, H, W]` in [0, 1] at the model's size and channel count, chunk by chunk.
///
/// Each image is resized (shorter side) and centre-cropped to `size`. With `views` > 1 it is also
/// seen through `views − 1` random augmented views (random resized crop of 50–100 % of the area, a
/// horizontal flip with probability ½, brightness and contrast ±20 %), so a few hundred photos give
/// many distinct inputs; view draws are seeded by (seed, image index, view), so a resumed run sees
/// the same views. Colour photos for a grey model (`channels` = 1) are converted to grey with the
/// luma weights 0.299 R + 0.587 G + 0.114 B; grey images for a colour model are repeated in 3 channels.
/// Images that fail to decode are skipped and listed in ``skipped``.
public final class SourceImages {
    public let dataset: any ImageDataset
    public let size: Int
    public let channels: Int
    public let views: Int
    public let seed: UInt64
    /// Sample ids of images that could not be decoded, with the reason.
    public private(set) var skipped: [(id: String, reason: String)] = []

    public init(dataset: any ImageDataset, size: Int, channels: Int, views: Int = 1, seed: UInt64 = 0) throws {
        guard (8...1024).contains(size) else { throw AttackError("image size must be in 8...1024, got \(size)") }
        guard channels == 1 || channels == 3 else { throw AttackError("models take 1 or 3 channels, got \(channels)") }
        guard (1...64).contains(views) else { throw AttackError("--views must be in 1...64, got \(views)") }
        guard dataset.count > 0 else { throw AttackError("\(dataset.source) holds no images") }
        self.dataset = dataset
        self.size = size
        self.channels = channels
        self.views = views
        self.seed = seed
    }

    /// Source images (each counted once, views not included).
    public var count: Int { dataset.count }

    /// Pixels `[n · views, C, size, size]` of images `range` (their views follow each image); nil when
    /// none of them decoded.
    public func chunk(_ range: Range<Int>) throws -> Tensor? {
        var pixels: [Float] = []
        var produced = 0
        for index in range.clamped(to: 0..<dataset.count) {
            let base: ImageSample
            do {
                base = try ImageSample(dataset.image(index))
            } catch {
                skipped.append((dataset.sampleID(index), "\(error)"))
                continue
            }
            for view in 0..<views {
                let sample = try render(base, index: index, view: view)
                pixels += sample.pixels
                produced += 1
            }
        }
        guard produced > 0 else { return nil }
        return try Tensor(pixels, shape: [produced, channels, size, size])
    }

    func render(_ image: ImageSample, index: Int, view: Int) throws -> ImageSample {
        var steps: [any Transform] = view == 0
            ? [Resize(shorterSide: size), CenterCrop(size: size)]
            : [RandomResizedCrop(size: size, scale: 0.5...1), RandomHorizontalFlip(), ColorJitter(brightness: 0.2, contrast: 0.2)]
        if channels == 3 { steps.append(GrayToRGB()) }
        var generator = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(view) &* 0xBF58_476D_1CE4_E5B9)
        let sample = try Compose(steps)(image, using: &generator)
        return channels == 1 ? try Self.grey(sample) : sample
    }

    /// Luma grey (0.299 R + 0.587 G + 0.114 B) of an RGB sample; a one-channel sample unchanged.
    static func grey(_ sample: ImageSample) throws -> ImageSample {
        guard sample.channels == 3 else { return sample }
        let plane = sample.width * sample.height
        var grey = [Float](repeating: 0, count: plane)
        for p in 0..<plane {
            grey[p] = 0.299 * sample.pixels[p] + 0.587 * sample.pixels[plane + p] + 0.114 * sample.pixels[2 * plane + p]
        }
        return try ImageSample(width: sample.width, height: sample.height, channels: 1, pixels: grey)
    }
}
