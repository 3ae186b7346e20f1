// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchNN
import TorchTestSupport
import ScalpelData
@testable import ScalpelModels

/// The embedded default backbone with its real ImageNet weights (installed by scripts/setup from PyPI)
/// classifies the natural photos in ../shared/data/natural/ — proof that architecture, weight loading,
/// image decoding and preprocessing agree end to end.
@Suite struct PretrainedLite0Tests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let weights = packageRoot.appendingPathComponent(".deps/weights/efficientnet-lite0-57934424.pth")
    static let natural = sharedDirectory()?.appendingPathComponent("data/natural")

    static var available: Bool {
        let ready = FileManager.default.fileExists(atPath: weights.path) && natural != nil
        if !ready {
            print("notice: PretrainedLite0Tests skipped: needs .deps/weights (scripts/setup) and ../shared/data/natural")
        }
        return ready
    }

    /// (file name, ImageNet class index) from ../shared/data/MANIFEST.md's table rows.
    static func labelledPhotos() throws -> [(String, Int)] {
        let manifest = try String(contentsOf: natural!.deletingLastPathComponent().appendingPathComponent("MANIFEST.md"),
                                  encoding: .utf8)
        return manifest.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4, cells[0].hasPrefix("natural/"), let index = Int(cells[cells.count - 1]) else { return nil }
            return (String(cells[0].dropFirst("natural/".count)), index)
        }
    }

    /// The weights' own preprocessing (``PretrainedConfig``): shorter side to `resizeSize` (bilinear,
    /// antialiased), centre crop `cropSize`, then per-channel (x · scale − mean) / std — for Lite, the
    /// TF-style (x − 127) / 128 on 0–255 pixel values.
    static func preprocess(_ image: DecodedImage, _ config: PretrainedConfig) throws -> Tensor {
        var pixels = try image.tensor()
        if pixels.shape[0] == 1 { pixels = try pixels.repeated([3, 1, 1]) }
        let (height, width) = (pixels.shape[1], pixels.shape[2])
        let scale = Double(config.resizeSize) / Double(min(height, width))
        let crop = config.cropSize
        let size = (max(crop, Int((Double(height) * scale).rounded())), max(crop, Int((Double(width) * scale).rounded())))
        let resized = try pixels.unsqueezed(axis: 0).interpolate(size: size, mode: .bilinear, antialias: true)
        let top = (size.0 - crop) / 2, left = (size.1 - crop) / 2
        let cropped = try resized.slice(axis: 2, start: top, end: top + crop).slice(axis: 3, start: left, end: left + crop)
        let mean = try Tensor(config.mean.map { Float($0) }, shape: [1, 3, 1, 1])
        let std = try Tensor(config.std.map { Float($0) }, shape: [1, 3, 1, 1])
        return try (cropped * config.scale - mean) / std
    }

    @Test(.enabled(if: available, "needs .deps/weights (scripts/setup) and ../shared/data/natural"))
    func imagenetWeightsClassifyNaturalPhotos() throws {
        let config = Architecture.efficientnetLite0.pretrainedConfig
        let model = try Architecture.efficientnetLite0.makeModel(classCount: 1000)
        let report = try model.loadWeights(from: Self.weights)
        #expect(report.isComplete)
        model.setMode(.evaluation)
        let photos = try Self.labelledPhotos()
        try #require(photos.count > 600, "expected the 667 labelled photos in MANIFEST.md")
        var top1 = 0, top5 = 0
        for batch in stride(from: 0, to: photos.count, by: 32).map({ Array(photos[$0 ..< min($0 + 32, photos.count)]) }) {
            let inputs = try batch.map {
                try Self.preprocess(ImageDecoder.decode(contentsOf: Self.natural!.appendingPathComponent($0.0)), config)
            }
            let predictions = try withNoGrad {
                try model(Tensor.cat(inputs)).topk(5, axis: 1).indices.hostArray(of: Int.self)
            }
            for (row, (_, label)) in batch.enumerated() {
                let best = predictions[row * 5 ..< row * 5 + 5]
                if best.first == label { top1 += 1 }
                if best.contains(label) { top5 += 1 }
            }
        }
        let accuracy1 = Double(top1) / Double(photos.count), accuracy5 = Double(top5) / Double(photos.count)
        print("EfficientNet-Lite0 on \(photos.count) natural photos: top-1 \(accuracy1), top-5 \(accuracy5)")
        #expect(accuracy5 >= 0.80)
    }
}
