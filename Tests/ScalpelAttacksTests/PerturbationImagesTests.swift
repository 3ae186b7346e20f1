// Scalpel — ScalpelAttacksTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import ScalpelData
import Testing
import Torch

/// The PNG pictures of a perturbation, decoded back by libpng: panel placement, enlargement, the
/// amplification and the clip of the perturbed panel, pixel by pixel.
struct PerturbationImagesTests {
    @Test func triptychPanelsHoldCleanAmplifiedAndClippedPerturbedPixels() throws {
        let generator = try Generator(seed: 3)
        let images = try Tensor.rand([2, 3, 5, 4], generator: generator)
        let v = try (Tensor.rand([3, 5, 4], generator: generator) - 0.5) * 0.6   // large: the clip matters
        let png = try PerturbationImages.triptychPNG(examples: images, perturbation: v)
        let decoded = try ImageDecoder.decode(png, source: "triptych.png")
        let scale = PerturbationImages.scale(forSide: 5)
        #expect(scale == 8)
        let cellWidth = 4 * scale, cellHeight = 5 * scale, gap = 4
        #expect(decoded.width == 3 * cellWidth + 2 * gap && decoded.height == 2 * cellHeight + gap && decoded.channels == 3)
        guard case .uint8(let pixels) = decoded.samples else { Issue.record("not 8-bit"); return }
        func pixel(_ x: Int, _ y: Int, _ c: Int) -> Int { Int(pixels[(y * decoded.width + x) * 3 + c]) }
        func byte(_ value: Float) -> Int { Int(max(0, min(255, (value * 255).rounded()))) }
        let clean = try images.hostArray(of: Float.self), noise = try v.hostArray(of: Float.self)
        let peak = noise.map(abs).max()!
        var clipped = 0
        for row in 0..<2 {
            for (h, w) in [(0, 0), (4, 3), (2, 1)] {
                for c in 0..<3 {
                    let x = clean[((row * 3 + c) * 5 + h) * 4 + w], d = noise[(c * 5 + h) * 4 + w]
                    let y0 = row * (cellHeight + gap) + h * scale + scale / 2, x0 = w * scale + scale / 2
                    #expect(pixel(x0, y0, c) == byte(x))
                    #expect(pixel(x0 + cellWidth + gap, y0, c) == byte(0.5 + d / (2 * peak)))
                    #expect(pixel(x0 + 2 * (cellWidth + gap), y0, c) == byte(min(1, max(0, x + d))))
                    if x + d > 1 || x + d < 0 { clipped += 1 }
                }
            }
        }
        #expect(clipped > 0, "no sampled pixel needed the clip: the case does not test it")
        #expect(pixel(cellWidth + 1, 0, 0) == 255, "the gap is white")
    }

    @Test func amplifiedPerturbationIsGreyAtZeroAndSpansTheRange() throws {
        let v = try Tensor([Float(-0.02), 0, 0.01, 0.02], shape: [1, 2, 2])
        let decoded = try ImageDecoder.decode(try PerturbationImages.amplifiedPNG(v), source: "uap.png")
        #expect(decoded.channels == 1 && decoded.width == 16 && decoded.height == 16)
        guard case .uint8(let pixels) = decoded.samples else { Issue.record("not 8-bit"); return }
        #expect([pixels[0], pixels[8], pixels[8 * 16], pixels[8 * 16 + 8]] == [0, 128, 191, 255])
        #expect(throws: AttackError.self) { try PerturbationImages.triptychPNG(examples: try Tensor.zeros([1, 3, 2, 2]), perturbation: v) }
    }
}
