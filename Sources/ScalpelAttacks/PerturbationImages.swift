// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Torch

/// Pictures of a perturbation, as PNG: the perturbation amplified for viewing, and triptychs
/// (clean | perturbation amplified | perturbed) of held-out images. Small images are enlarged by an
/// integer factor (nearest neighbour) so a 28 × 28 perturbation is visible.
public enum PerturbationImages {
    /// 0.5 + v / (2 max|v|): zero is mid-grey, the largest value black or white; `v` `[C, H, W]`.
    public static func amplified(_ perturbation: Tensor) throws -> Tensor {
        let v = try perturbation.to(device: .cpu).to(dtype: .float32)
        let peak = max(try v.abs().max().item(), 1e-12)
        return try v / (2 * peak) + 0.5
    }

    /// The enlargement for an image of `side` pixels: the largest factor up to 8 keeping it ≤ 256 pixels.
    public static func scale(forSide side: Int) -> Int { max(1, min(8, 256 / max(side, 1))) }

    /// PNG of the amplified perturbation `[C, H, W]` (C = 1 or 3).
    public static func amplifiedPNG(_ perturbation: Tensor) throws -> Data {
        let panel = try amplified(perturbation)
        let (channels, height, width) = try dimensions(panel)
        let scale = scale(forSide: max(height, width))
        var canvas = Canvas(width: width * scale, height: height * scale, channels: channels)
        try canvas.draw(panel, x: 0, y: 0, scale: scale)
        return try canvas.png()
    }

    /// PNG with one row per image of `examples` `[N, C, H, W]` (pixels in [0, 1], N ≤ 16): the clean
    /// image, the amplified perturbation and clip(x + v, 0, 1), separated by white gaps.
    public static func triptychPNG(examples: Tensor, perturbation: Tensor) throws -> Data {
        let images = try examples.to(device: .cpu).to(dtype: .float32)
        guard images.rank == 4, (1...16).contains(images.shape[0]), Array(images.shape.dropFirst()) == perturbation.shape else {
            throw AttackError("a triptych needs 1...16 images shaped like the perturbation \(perturbation.shape), got \(images.shape)")
        }
        let v = try perturbation.to(device: .cpu).to(dtype: .float32)
        let amplified = try amplified(v)
        let (channels, height, width) = try dimensions(amplified)
        let scale = scale(forSide: max(height, width)), gap = 4
        let cellWidth = width * scale, cellHeight = height * scale
        var canvas = Canvas(width: 3 * cellWidth + 2 * gap, height: images.shape[0] * cellHeight + (images.shape[0] - 1) * gap,
                            channels: channels, fill: 255)
        for row in 0..<images.shape[0] {
            let clean = try images.select(axis: 0, index: row)
            let y = row * (cellHeight + gap)
            try canvas.draw(clean, x: 0, y: y, scale: scale)
            try canvas.draw(amplified, x: cellWidth + gap, y: y, scale: scale)
            try canvas.draw((clean + v).clamped(min: 0, max: 1), x: 2 * (cellWidth + gap), y: y, scale: scale)
        }
        return try canvas.png()
    }

    static func dimensions(_ image: Tensor) throws -> (channels: Int, height: Int, width: Int) {
        guard image.rank == 3, image.shape[0] == 1 || image.shape[0] == 3, (1...4096).contains(image.shape[1]),
              (1...4096).contains(image.shape[2]) else {
            throw AttackError("an image to draw must be [1 or 3, H, W] with sides up to 4096, got \(image.shape)")
        }
        return (image.shape[0], image.shape[1], image.shape[2])
    }

    /// 8-bit samples, row-major, channels interleaved.
    struct Canvas {
        let width: Int, height: Int, channels: Int
        var pixels: [UInt8]

        init(width: Int, height: Int, channels: Int, fill: UInt8 = 0) {
            self.width = width
            self.height = height
            self.channels = channels
            pixels = Array(repeating: fill, count: width * height * channels)
        }

        /// Draws `image` `[C, H, W]` in [0, 1] (values outside are clipped) with its top-left corner at (x, y).
        mutating func draw(_ image: Tensor, x: Int, y: Int, scale: Int) throws {
            let (c, h, w) = try PerturbationImages.dimensions(image)
            precondition(c == channels && x + w * scale <= width && y + h * scale <= height)
            let values = try image.contiguous().hostArray(of: Float.self)
            for row in 0..<(h * scale) {
                for column in 0..<(w * scale) {
                    let source = (row / scale) * w + column / scale
                    let target = ((y + row) * width + x + column) * channels
                    for channel in 0..<c {
                        let value = values[channel * h * w + source]
                        pixels[target + channel] = value.isFinite ? UInt8(max(0, min(255, (value * 255).rounded()))) : 0
                    }
                }
            }
        }

        func png() throws -> Data { try PNGEncoder.encode(pixels, width: width, height: height, channels: channels) }
    }
}
