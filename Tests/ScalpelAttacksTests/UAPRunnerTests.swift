// Scalpel — ScalpelAttacksTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import ScalpelData
import Testing
import Torch

/// Fixture images as 8-bit RGB, an ``ImageDataset`` held in memory; `broken` indices fail to decode.
struct TensorImages: ImageDataset {
    let bytes: [[UInt8]]
    let side: Int
    let broken: Set<Int>

    init(_ images: Tensor, broken: Set<Int> = []) throws {
        let count = images.shape[0]
        side = images.shape[2]
        let hwc = try (images * 255).rounded().clamped(min: 0, max: 255).permuted([0, 2, 3, 1]).contiguous()
            .to(dtype: .uint8).hostArray(of: UInt8.self)
        let size = side * side * 3
        bytes = (0..<count).map { Array(hwc[($0 * size)..<(($0 + 1) * size)]) }
        self.broken = broken
    }

    var source: String { "fixture images" }
    var task: ClassificationTask { .multiClass }
    var classNames: [String] { ["red", "green", "blue"] }
    var count: Int { bytes.count }
    func sampleID(_ index: Int) -> String { "image-\(index)" }
    func labels(_ index: Int) -> [Int] { [0] }
    func patientID(_ index: Int) -> String? { nil }
    func image(_ index: Int) throws -> DecodedImage {
        if broken.contains(index) { throw AttackError("broken on purpose") }
        return DecodedImage(width: side, height: side, channels: 3, samples: .uint8(bytes[index]))
    }
}

@Suite struct UAPRunnerTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-uap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func inputs(broken: Set<Int> = []) throws -> (source: SourceImages, reference: SourceImages, heldout: Tensor) {
        let source = try AttackFixture.tensor("attack_uap", "source")
        let heldout = try AttackFixture.tensor("attack_uap", "heldout")
        let dataset = try TensorImages(source, broken: broken)
        return (try SourceImages(dataset: dataset, size: 16, channels: 3),
                try SourceImages(dataset: try TensorImages(heldout), size: 16, channels: 3), heldout)
    }

    /// An attack stopped after one chunk and run again ends with the same perturbation and files as
    /// an uninterrupted one; until then it never looks finished.
    @Test func resumedAttackEqualsUninterruptedOne() throws {
        let classifier = try AttackFixture.classifier()
        let settings = try UAPJobSettings(norm: .l2, zeta: 0.15, fgsmEpsilon: 0.03, chunkSize: 8, passes: 2, randomDraws: 3,
                                          seed: 4, source: "fixture")
        let whole = try temporaryDirectory(), pieces = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: whole); try? FileManager.default.removeItem(at: pieces) }

        let (source, reference, heldout) = try inputs()
        let straight = try #require(try UAPRunner(classifier: classifier, settings: settings, directory: whole,
                                                  classNames: ["r", "g", "b"])
            .run(source: source, reference: reference, heldout: heldout, heldoutLabels: nil))
        #expect(straight.curve.count == 3 && straight.imagesSeen == 24)
        #expect(straight.perturbationL2 <= straight.radius * (1 + 1e-5))
        #expect(straight.curve.last!.l2 > 0, "the attack never moved: the case tests nothing")

        let stopped = try UAPRunner(classifier: classifier, settings: settings, directory: pieces, classNames: ["r", "g", "b"])
        let (source2, reference2, _) = try inputs()
        #expect(try stopped.run(source: source2, reference: reference2, heldout: heldout, heldoutLabels: nil, chunkLimit: 1) == nil)
        let files = try FileManager.default.contentsOfDirectory(atPath: pieces.path)
        #expect(files == [UAPRunner.progressFile], "an interrupted attack left \(files)")
        // Resumable only with the same settings.
        var other = settings
        other.zeta = 0.1
        #expect(throws: AttackError.self) { try UAPRunner.existingProgress(in: pieces, settings: other) }

        let (source3, reference3, _) = try inputs()
        let resumed = try #require(try stopped.run(source: source3, reference: reference3, heldout: heldout, heldoutLabels: nil))
        #expect(resumed == straight)
        let a = try SafeTensors.read(contentsOf: whole.appendingPathComponent("uap.safetensors")).tensors.required("perturbation")
        let b = try SafeTensors.read(contentsOf: pieces.appendingPathComponent("uap.safetensors")).tensors.required("perturbation")
        #expect(try (a - b).abs().max().item() == 0)
        #expect(!FileManager.default.fileExists(atPath: pieces.appendingPathComponent(UAPRunner.progressFile).path))
        // A finished attack is never overwritten.
        #expect(throws: AttackError.self) { try UAPRunner.existingProgress(in: pieces, settings: settings) }
        // The .npy holds the same values.
        let npy = try NpyArray([UInt8](Data(contentsOf: pieces.appendingPathComponent("uap.npy"))), source: "uap.npy")
        #expect(npy.shape == [3, 16, 16] && npy.dtype == .float32)
        #expect(try NpyArray(float32: b) == npy)
        // Triptych: 4 held-out rows of 3 panels, 16 px enlarged 8 times, 4 px gaps.
        let triptych = try ImageDecoder.decode(contentsOf: pieces.appendingPathComponent("triptych.png"))
        #expect(triptych.width == 3 * 128 + 2 * 4 && triptych.height == 4 * 128 + 3 * 4 && triptych.channels == 3)
        let amplified = try ImageDecoder.decode(contentsOf: pieces.appendingPathComponent("uap-amplified.png"))
        #expect(amplified.width == 128 && amplified.height == 128)
        let csv = try String(contentsOf: pieces.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 1 + 3 + (straight.randomAtUAPNorm == nil ? 0 : 3))
    }

    /// A UAP smaller than its ball also gets random controls of its own size (Natural_UAP's control),
    /// written to results.json, results.csv and results.md; one that fills the ball does not.
    @Test func smallUAPGetsControlsOfItsOwnSize() throws {
        let classifier = try AttackFixture.classifier()
        let settings = try UAPJobSettings(norm: .l2, zeta: 0.5, fgsmEpsilon: 0.001, chunkSize: 24, randomDraws: 3, source: "fixture")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (source, reference, heldout) = try inputs()
        let result = try #require(try UAPRunner(classifier: classifier, settings: settings, directory: directory, classNames: ["r", "g", "b"])
            .run(source: source, reference: reference, heldout: heldout, heldoutLabels: nil))
        #expect(result.perturbationL2 > 0 && result.perturbationL2 < result.radius / 10, "the case needs a UAP well inside its ball")
        let small = try #require(result.randomAtUAPNorm)
        #expect(small.draws == 3 && small.foolingRates.count == 3 && small.foolingRates.allSatisfy { (0...1).contains($0) })
        let csv = try String(contentsOf: directory.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").filter { $0.hasPrefix("random-uap-norm-") }.count == 3)
        #expect(try String(contentsOf: directory.appendingPathComponent("results.md"), encoding: .utf8).contains("radius ‖v‖ ="))
        let decoded = try JSONDecoder().decode(UAPResult.self, from: Data(contentsOf: directory.appendingPathComponent("results.json")))
        #expect(decoded.randomAtUAPNorm == small)
    }

    @Test func unreadableSourceImagesAreSkippedAndNamed() throws {
        let classifier = try AttackFixture.classifier()
        let settings = try UAPJobSettings(norm: .linf, zeta: 0.05, fgsmEpsilon: 0.01, chunkSize: 12, randomDraws: 0,
                                          source: "fixture")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (source, reference, heldout) = try inputs(broken: [3, 17])
        let result = try #require(try UAPRunner(classifier: classifier, settings: settings, directory: directory,
                                                classNames: ["r", "g", "b"])
            .run(source: source, reference: reference, heldout: heldout, heldoutLabels: nil))
        #expect(result.imagesSeen == 22)
        #expect(result.skipped.count == 2 && result.skipped[0].hasPrefix("image-3"))
        #expect(try UAPRunner(classifier: classifier, settings: settings, directory: directory, classNames: ["r", "g", "b"]).classNames.count == 3)
        #expect(throws: AttackError.self) {
            try UAPRunner(classifier: classifier, settings: try UAPJobSettings(norm: .l2, zeta: 0.04, targetClass: 3, source: "x"),
                          directory: directory, classNames: ["r", "g", "b"])
        }
    }

    /// Views add inputs; a grey model gets luma-weighted grey images.
    @Test func viewsAndGreyConversion() throws {
        let images = try AttackFixture.tensor("attack_uap", "source").slice(axis: 0, start: 0, end: 2)
        let views = try SourceImages(dataset: TensorImages(images), size: 16, channels: 3, views: 4, seed: 1)
        let chunk = try #require(try views.chunk(0..<2))
        #expect(chunk.shape == [8, 3, 16, 16])
        // View 0 is the image itself; the others differ from it.
        #expect(try (chunk.select(axis: 0, index: 0) - images.select(axis: 0, index: 0)).abs().max().item() < 1.0 / 255 + 1e-6)
        #expect(try (chunk.select(axis: 0, index: 1) - chunk.select(axis: 0, index: 0)).abs().max().item() > 0.01)
        let again = try #require(try SourceImages(dataset: TensorImages(images), size: 16, channels: 3, views: 4, seed: 1).chunk(0..<2))
        #expect(try (again - chunk).abs().max().item() == 0)
        let grey = try #require(try SourceImages(dataset: TensorImages(images), size: 16, channels: 1).chunk(0..<1))
        #expect(grey.shape == [1, 1, 16, 16])
        let rgb = try TensorImages(images).image(0)
        guard case .uint8(let bytes) = rgb.samples else { Issue.record("not 8-bit"); return }
        let expected = (0.299 * Double(bytes[0]) + 0.587 * Double(bytes[1]) + 0.114 * Double(bytes[2])) / 255
        #expect(abs(try grey.flattened().select(axis: 0, index: 0).item() - expected) < 1e-5)
    }
}
