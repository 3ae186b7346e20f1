// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ScalpelData
import ScalpelRandom

@Suite struct TransformTests {
    /// A sample whose values are 0, 1, 2, … in CHW order.
    func ramp(channels: Int = 1, height: Int, width: Int) throws -> ImageSample {
        try ImageSample(width: width, height: height, channels: channels,
                        pixels: (0..<(channels * height * width)).map { Float($0) })
    }

    func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test func fromDecodedImageScalesAndDropsAlpha() throws {
        let image = DecodedImage(width: 2, height: 1, channels: 2, samples: .uint8([255, 9, 51, 9]))
        let sample = try ImageSample(image)
        #expect(sample.channels == 1)
        #expect(sample.pixels == [1, 0.2])
        let rgb = DecodedImage(width: 1, height: 2, channels: 3, samples: .uint16([65535, 0, 0, 0, 65535, 0]))
        #expect(try ImageSample(rgb).pixels == [1, 0, 0, 1, 0, 0])
    }

    /// From the documented formula, 2 → 4 gives source positions max((d + 0.5)/2 − 0.5, 0) =
    /// 0, 0.25, 0.75, 1.25 → weights on [a, b]: a, 0.75a + 0.25b, 0.25a + 0.75b, b (index 1 clamps).
    /// With [[0, 1], [2, 3]] each value is 2·wy + wx for wy, wx ∈ {0, 0.25, 0.75, 1}.
    @Test func bilinearTwoByTwoToFourByFour() throws {
        let out = try Resize(height: 4, width: 4)(try ramp(height: 2, width: 2), seed: 0)
        #expect(out.height == 4 && out.width == 4)
        #expect(close(out.pixels, [0, 0.25, 0.75, 1,
                                   0.5, 0.75, 1.25, 1.5,
                                   1.5, 1.75, 2.25, 2.5,
                                   2, 2.25, 2.75, 3]))
    }

    @Test func bilinearDownsampleAndShorterSide() throws {
        // Plain, 4 → 2: positions (d + 0.5)·2 − 0.5 = 0.5, 2.5: the mean of each 2×2 block.
        let out = try Resize(height: 2, width: 2, antialias: false)(try ramp(height: 4, width: 4), seed: 0)
        #expect(close(out.pixels, [2.5, 4.5, 10.5, 12.5]))
        // Antialiased, 4 → 2 on one row [0, 1, 2, 3]: support 2, centres 1 and 3; output 0 weighs
        // sources 0, 1, 2 by 0.75, 0.75, 0.25 (normalised by 1.75), output 1 sources 1, 2, 3 likewise
        // by 0.25, 0.75, 0.75: (0.75 + 0.5) / 1.75 and (0.25 + 1.5 + 2.25) / 1.75.
        let smooth = try Resize(height: 1, width: 2)(try ramp(height: 1, width: 4), seed: 0)
        #expect(close(smooth.pixels, [1.25 / 1.75, 4 / 1.75]))
        let wide = try Resize(shorterSide: 4)(try ramp(height: 6, width: 9), seed: 0)
        #expect(wide.height == 4 && wide.width == 6)
        let tall = try Resize(shorterSide: 2)(try ramp(height: 7, width: 3), seed: 0)
        #expect(tall.height == 4 && tall.width == 2)
    }

    @Test func centerCropPadAndFlipsIndices() throws {
        let cropped = try CenterCrop(height: 2, width: 3)(try ramp(height: 4, width: 5), seed: 0)
        #expect(cropped.pixels == [6, 7, 8, 11, 12, 13])
        // Offsets round half to even like Python: (5 − 2) / 2 = 1.5 → 2, (3 − 2) / 2 = 0.5 → 0.
        #expect(try CenterCrop(height: 2, width: 2)(try ramp(height: 5, width: 3), seed: 0).pixels == [6, 7, 9, 10])
        // Larger than the image: zero padding, the odd pixel below / right.
        #expect(try CenterCrop(height: 2, width: 4)(try ramp(height: 1, width: 1), seed: 0).pixels == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try CenterCrop(height: 1, width: 3)(try ImageSample(width: 1, height: 1, channels: 1, pixels: [7]), seed: 0).pixels
                == [0, 7, 0])
        let padded = try Pad(amount: 1, value: 0.5)(try ImageSample(width: 1, height: 1, channels: 1, pixels: [5]), seed: 0)
        #expect(padded.pixels == [0.5, 0.5, 0.5, 0.5, 5, 0.5, 0.5, 0.5, 0.5])
        let image = try ramp(channels: 2, height: 2, width: 3)
        #expect(try RandomHorizontalFlip(probability: 1)(image, seed: 1).pixels == [2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9])
        #expect(try RandomVerticalFlip(probability: 1)(image, seed: 1).pixels == [3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8])
        for seed in 0..<20 as Range<UInt64> {
            #expect(try RandomHorizontalFlip(probability: 0)(image, seed: seed) == image)
            #expect(try RandomVerticalFlip(probability: 0)(image, seed: seed) == image)
        }
    }

    @Test func rotationByQuarterTurnAndZeroFill() throws {
        let image = try ramp(height: 3, width: 3)
        for interpolation in RandomRotation.Interpolation.allCases {
            let turned = RandomRotation.rotate(image, degrees: 90, interpolation: interpolation)
            #expect(close(turned.pixels, [2, 5, 8, 1, 4, 7, 0, 3, 6], tolerance: 1e-4))
        }
        #expect(try RandomRotation(degrees: 0)(image, seed: 3) == image)
        // 45° on a 2×2: every corner samples from outside the image, partly zero.
        let ones = try ImageSample(width: 2, height: 2, channels: 1, pixels: [1, 1, 1, 1])
        #expect(RandomRotation.rotate(ones, degrees: 45, interpolation: .bilinear).pixels.allSatisfy { $0 < 1 })
    }

    @Test func randomTransformsAreDeterministicPerSeed() throws {
        let image = try ImageSample(width: 16, height: 12, channels: 3,
                                    pixels: (0..<(3 * 12 * 16)).map { Float($0 % 97) / 97 })
        let transforms: [any Transform] = [
            RandomCrop(size: 8, padding: 2), RandomRotation(degrees: 30), RandomResizedCrop(size: 10),
            ColorJitter(brightness: 0.4, contrast: 0.4),
            Compose([RandomHorizontalFlip(), RandomVerticalFlip(), RandomResizedCrop(size: 9)]),
        ]
        for transform in transforms {
            let a = try transform(image, seed: 42), b = try transform(image, seed: 42)
            #expect(a == b)
            let others = try (43..<48 as Range<UInt64>).map { try transform(image, seed: $0) }
            #expect(others.contains { $0 != a }, "\(type(of: transform)) ignores the seed")
        }
    }

    @Test func randomResizedCropSizeAlwaysRight() throws {
        for (h, w) in [(12, 16), (1, 100), (100, 1), (5, 5), (3, 40)] {
            let image = try ramp(channels: 2, height: h, width: w)
            var generator = SplitMix64(seed: 7)
            for _ in 0..<50 {
                let out = try RandomResizedCrop(size: 8)(image, using: &generator)
                #expect(out.height == 8 && out.width == 8 && out.channels == 2)
                #expect(out.pixels.count == 2 * 64)
            }
        }
        // Scale 1 with ratio exactly the image's: the whole image.
        let square = try ramp(height: 6, width: 6)
        #expect(try RandomResizedCrop(size: 6, scale: 1...1, ratio: 1...1)(square, seed: 1) == square)
    }

    @Test func normalizeGrayToRGBAndJitter() throws {
        let image = try ImageSample(width: 2, height: 1, channels: 2, pixels: [0.5, 1, 0, 0.25])
        let out = try Normalize(mean: [0.5, 0.25], std: [0.5, 0.25])(image, seed: 0)
        #expect(close(out.pixels, [0, 1, -1, 0]))
        let gray = try ImageSample(width: 2, height: 1, channels: 1, pixels: [0.1, 0.9])
        let rgb = try GrayToRGB()(gray, seed: 0)
        #expect(rgb.channels == 3 && rgb.pixels == [0.1, 0.9, 0.1, 0.9, 0.1, 0.9])
        #expect(try ColorJitter()(gray, seed: 5) == gray)
        let jittered = try ColorJitter(brightness: 0.9, contrast: 0.9)(rgb, seed: 5)
        #expect(jittered.pixels.allSatisfy { (0...1).contains($0) })
    }

    @Test func invalidParametersThrow() throws {
        let image = try ramp(height: 4, width: 4)
        #expect(throws: TransformError.self) { try Resize(height: -1, width: 4)(image, seed: 0) }
        #expect(throws: TransformError.self) { try Resize(shorterSide: 0)(image, seed: 0) }
        #expect(throws: TransformError.self) { try CenterCrop(size: 0)(image, seed: 0) }
        #expect(throws: TransformError.self) { try Pad(amount: -1)(image, seed: 0) }
        #expect(throws: TransformError.self) { try RandomCrop(size: 6, padding: 0)(image, seed: 0) }
        #expect(throws: TransformError.self) { try RandomHorizontalFlip(probability: 1.5)(image, seed: 0) }
        #expect(throws: TransformError.self) { try RandomRotation(degrees: -3)(image, seed: 0) }
        #expect(throws: TransformError.self) { try RandomResizedCrop(size: 4, scale: 0...1)(image, seed: 0) }
        #expect(throws: TransformError.self) { try ColorJitter(brightness: -0.1)(image, seed: 0) }
        #expect(throws: TransformError.self) { try GrayToRGB()(try ramp(channels: 2, height: 2, width: 2), seed: 0) }
        #expect(throws: TransformError("Normalize: mean has 3 channels but std has 2")) {
            try Normalize(mean: [0, 0, 0], std: [1, 1])(image, seed: 0)
        }
        #expect(throws: TransformError.self) { try Normalize.imageNet(image, seed: 0) }
        #expect(throws: TransformError.self) { try ImageSample(width: 2, height: 2, channels: 1, pixels: [0]) }
    }
}
