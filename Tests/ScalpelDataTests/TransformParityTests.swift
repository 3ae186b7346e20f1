// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport
@testable import ScalpelData

/// Scalpel's transforms against torchvision 0.29.2 on the same inputs
/// (scripts/fixtures/fixtures_transforms.py → Fixtures/transforms/transforms_parity.safetensors).
@Suite struct TransformParityTests {
    let expected: StateDict

    init() throws {
        expected = try Fixtures(bundle: .module).tensors("transforms/transforms_parity")
    }

    func sample(_ key: String) throws -> ImageSample {
        let tensor = try expected.required(key)
        let shape = tensor.shape
        return try ImageSample(width: shape[2], height: shape[1], channels: shape[0], pixels: try tensor.hostArray(of: Float.self))
    }

    /// Same shape and every value within `tolerance` of torchvision's.
    func check(_ transform: any Transform, _ input: String, _ key: String, tolerance: Float = 1e-5) throws {
        let got = try transform(try sample(input), seed: 0)
        let want = try sample(key)
        let gotShape: [Int] = [got.channels, got.height, got.width], wantShape: [Int] = [want.channels, want.height, want.width]
        #expect(gotShape == wantShape, "\(key): shape")
        guard got.pixels.count == want.pixels.count else { return }
        let worst = zip(got.pixels, want.pixels).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance, "\(key): largest difference \(worst)")
    }

    @Test(arguments: [("a", 4, 6), ("a", 7, 5), ("a", 17, 20), ("b", 3, 3), ("b", 5, 11), ("a", 9, 4)])
    func resizeAntialiasedAndPlain(_ input: String, _ height: Int, _ width: Int) throws {
        let name = "\(input)_\(height)x\(width)"
        try check(Resize(height: height, width: width), "in_\(input)", "resize_aa_\(name)")
        try check(Resize(height: height, width: width, antialias: false), "in_\(input)", "resize_plain_\(name)")
    }

    @Test func resizeShorterSide() throws {
        try check(Resize(shorterSide: 5), "in_a", "resize_short_a_5")
        try check(Resize(shorterSide: 3), "in_b", "resize_short_b_3")
    }

    @Test(arguments: [("a", 4, 4), ("a", 5, 8), ("a", 6, 12), ("b", 3, 3), ("b", 5, 1), ("b", 10, 9), ("b", 4, 9)])
    func centerCrop(_ input: String, _ height: Int, _ width: Int) throws {
        try check(CenterCrop(height: height, width: width), "in_\(input)", "center_crop_\(input)_\(height)x\(width)", tolerance: 0)
    }

    @Test func padAndFlips() throws {
        try check(Pad(amount: 2, value: 0.25), "in_a", "pad_a_2", tolerance: 0)
        try check(Pad(amount: 1), "in_b", "pad_b_1", tolerance: 0)
        try check(RandomHorizontalFlip(probability: 1), "in_a", "hflip_a", tolerance: 0)
        try check(RandomVerticalFlip(probability: 1), "in_a", "vflip_a", tolerance: 0)
    }

    /// RandomResizedCrop once its region is drawn: torchvision's `resized_crop(top, left, h, w, size)`.
    @Test func resizedCropOfAGivenRegion() throws {
        struct CropThenResize: Transform {
            var top: Int, left: Int, height: Int, width: Int, size: Int
            func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
                try Resize.resize(crop(sample, top: top, left: left, height: height, width: width), height: size, width: size,
                                  antialias: RandomResizedCrop(size: size).antialias)
            }
        }
        try check(CropThenResize(top: 1, left: 2, height: 6, width: 9, size: 5), "in_a", "resized_crop_a_1_2_6_9_to_5")
        try check(CropThenResize(top: 0, left: 3, height: 4, width: 5, size: 12), "in_a", "resized_crop_a_0_3_4_5_to_12")
        try check(CropThenResize(top: 2, left: 1, height: 5, width: 4, size: 3), "in_b", "resized_crop_b_2_1_5_4_to_3")
    }

    @Test(arguments: [("a", "30", 30.0), ("a", "m17.5", -17.5), ("b", "90", 90.0), ("b", "45", 45.0), ("a", "180", 180.0)])
    func rotationByAFixedAngle(_ input: String, _ name: String, _ degrees: Double) throws {
        struct Rotate: Transform {
            var degrees: Double, interpolation: RandomRotation.Interpolation
            func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
                RandomRotation.rotate(sample, degrees: degrees, interpolation: interpolation)
            }
        }
        #expect(RandomRotation(degrees: 10).interpolation == .nearest)
        try check(Rotate(degrees: degrees, interpolation: .nearest), "in_\(input)", "rotate_\(input)_\(name)", tolerance: 0)
        if name == "30" {
            try check(Rotate(degrees: degrees, interpolation: .bilinear), "in_a", "rotate_bilinear_a_30")
        }
    }

    @Test func normalizeAndGrayToRGB() throws {
        try check(Normalize.imageNet, "in_a", "normalize_a")
        try check(GrayToRGB(), "in_gray", "gray_to_rgb", tolerance: 0)
    }
}
