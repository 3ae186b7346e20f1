// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TorchTestSupport
@testable import ScalpelData

/// The real MedMNIST files of ../shared/data/medmnist (official, deflated .npz), when present.
private let medmnistDirectory: URL? = {
    let url = sharedDirectory()?.appendingPathComponent("data/medmnist")
    guard let url, FileManager.default.fileExists(atPath: url.appendingPathComponent("breastmnist.npz").path) else {
        print("NOTICE: ../shared/data/medmnist is absent; the MedMNIST real-file tests are skipped")
        return nil
    }
    return url
}()

/// Synthetic `.npy` / stored `.npz` bytes for the error cases (CRCs are left 0: the reader does not check them).
enum SyntheticNpz {
    static func npy(_ descr: String, _ shape: [Int], _ data: [UInt8], fortran: Bool = false) -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + data
    }

    /// A zip of stored entries, or of deflated ones when `deflatedSizes` gives each entry's inflated size.
    static func zip(_ entries: [(String, [UInt8])], deflatedSizes: [Int]? = nil) -> [UInt8] {
        TestZip.make(entries, deflatedSizes: deflatedSizes)
    }

    /// A stored npz with `n` 2×2 gray train images (pixel values 0, 1, 2, …) and the given labels.
    static func dataset(images n: Int, labels: [UInt8], withVal: Bool = false) -> [UInt8] {
        var entries = [("train_images.npy", npy("|u1", [n, 2, 2], (0 ..< n * 4).map { UInt8($0 % 256) })),
                       ("train_labels.npy", npy("|u1", [labels.count, 1], labels))]
        if withVal { entries.append(("val_labels.npy", npy("|u1", [0, 1], []))) }
        return zip(entries)
    }
}

@Suite(.serialized) struct MedMNISTTests {
    func write(_ bytes: [UInt8], _ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-medmnist-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    func error(_ body: () throws -> Void) -> DatasetError? {
        do { try body() } catch let error as DatasetError { return error } catch { Issue.record("other error \(error)") }
        return nil
    }

    // Real files: skipped with the notice above when ../shared/data/medmnist is absent.
    @Test(.enabled(if: medmnistDirectory != nil, "needs ../shared/data/medmnist"))
    func pneumoniaSplitsAndLabelCounts() throws {
        let url = medmnistDirectory!.appendingPathComponent("pneumoniamnist.npz")
        let counts = try MedMNISTDataset.Split.allCases.map { try MedMNISTDataset(contentsOf: url, split: $0).count }
        #expect(counts == [4708, 524, 624])
        let train = try MedMNISTDataset(contentsOf: url, split: .train)
        #expect(train.classCounts == [1214, 3494])
        #expect(train.task == .binary && train.classNames == ["normal", "pneumonia"])
        #expect(train.channels == 1 && train.height == 28 && train.width == 28 && train.labelWidth == 1)
        #expect(MedMNISTInfo.named("pneumoniamnist")?.splitSizes == ["train": 4708, "val": 524, "test": 624])
    }

    @Test(.enabled(if: medmnistDirectory != nil, "needs ../shared/data/medmnist"))
    func breastSplitsAndLabelCounts() throws {
        let url = medmnistDirectory!.appendingPathComponent("breastmnist.npz")
        let counts = try MedMNISTDataset.Split.allCases.map { try MedMNISTDataset(contentsOf: url, split: $0).count }
        #expect(counts == [546, 78, 156])
        #expect(try MedMNISTDataset(contentsOf: url, split: .train).classCounts == [147, 399])
    }

    @Test(.enabled(if: medmnistDirectory != nil, "needs ../shared/data/medmnist"))
    func retinaIsRGBOrdinal() throws {
        let data = try MedMNISTDataset(contentsOf: medmnistDirectory!.appendingPathComponent("retinamnist.npz"), split: .train)
        #expect(data.count == 1080 && data.height == 28 && data.width == 28 && data.channels == 3)
        #expect(data.task == .ordinal)
        #expect(Set(data.labels) == Set(0 ... 4))
        #expect(data.classCounts == [486, 128, 206, 194, 66])
    }

    // First train image against numpy, from:
    // .deps/python/bin/python -c "import numpy as np; [print(n, int(f.astype(np.int64).sum()), [int(f[i]) for i in
    //   (0, 100, 391, f.size - 1)]) for n in ('pneumoniamnist', 'breastmnist', 'retinamnist')
    //   for f in [np.load(f'../shared/data/medmnist/{n}.npz')['train_images'][0].reshape(-1)]]"
    @Test(.enabled(if: medmnistDirectory != nil, "needs ../shared/data/medmnist"),
          arguments: [("pneumoniamnist", 120758, [92, 163, 136, 139]), ("breastmnist", 79609, [139, 65, 143, 40]),
                      ("retinamnist", 120376, [2, 4, 92, 8])])
    func firstImageMatchesNumpy(_ name: String, _ sum: Int, _ probes: [Int]) throws {
        let data = try MedMNISTDataset(contentsOf: medmnistDirectory!.appendingPathComponent("\(name).npz"), split: .train)
        let image = data.image(0)
        guard case .uint8(let bytes) = image.samples else { Issue.record("not 8-bit"); return }
        #expect(bytes.reduce(0) { $0 + Int($1) } == sum)
        #expect([0, 100, 391, bytes.count - 1].map { Int(bytes[$0]) } == probes)
        #expect(image.width == 28 && image.height == 28 && image.channels == data.channels)
    }

    // Synthetic files.
    @Test func storedNpzRoundTrips() throws {
        let url = try write(SyntheticNpz.dataset(images: 3, labels: [0, 2, 1]), "tiny.npz")
        let data = try MedMNISTDataset(contentsOf: url, split: .train)
        #expect(data.count == 3 && data.channels == 1 && data.height == 2)
        #expect(data.image(1) == DecodedImage(width: 2, height: 2, channels: 1, samples: .uint8([4, 5, 6, 7])))
        #expect(Array(data.label(2)) == [1] && data.classCounts == [1, 1, 1] && data.task == .multiClass)
    }

    // Deflate (np.savez_compressed, the official files' method): a stored deflate block, then a bad block type.
    @Test func deflatedEntriesAreInflatedAndCorruptOnesNamed() throws {
        let array = SyntheticNpz.npy("|u1", [3], [7, 8, 9])
        let block = [0x01, UInt8(array.count & 0xFF), UInt8(array.count >> 8),
                     ~UInt8(array.count & 0xFF), ~UInt8(array.count >> 8)] + array
        let good = try write(SyntheticNpz.zip([("x.npy", block)], deflatedSizes: [array.count]), "deflated.npz")
        let npz = try NpzFile(contentsOf: good)
        let inflated = try npz.array("x")
        #expect(npz.keys == ["x"] && inflated.data == [7, 8, 9])
        let bad = try write(SyntheticNpz.zip([("x.npy", [0x07, 0, 0])], deflatedSizes: [array.count]), "badflate.npz")
        let failure = error { _ = try NpzFile(contentsOf: bad).array("x") }
        #expect(failure?.key == "x" && failure?.found.contains("invalid block type") == true)
        let short = try write(SyntheticNpz.zip([("x.npy", block)], deflatedSizes: [array.count + 1]), "short.npz")
        #expect(error { _ = try NpzFile(contentsOf: short).array("x") }?.found.contains("declares") == true)
    }

    @Test func npyDtypesAndFortranOrder() throws {
        let words = try NpyArray(SyntheticNpz.npy("<i8", [2], [5, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), source: "t")
        #expect(words.shape == [2] && words.integers() == [5, -1])
        let floats = try NpyArray(SyntheticNpz.npy("<f4", [1], [0, 0, 0x40, 0x40]), source: "t")
        #expect(floats.integers() == [3])
        let fortran = error { _ = try NpyArray(SyntheticNpz.npy("|u1", [1, 1], [0], fortran: true), source: "f.npy") }
        #expect(fortran?.description.contains("fortran_order") == true)
        let unknown = error { _ = try NpyArray(SyntheticNpz.npy("<c16", [1], []), source: "f.npy") }
        #expect(unknown?.found == "'<c16'")
    }

    @Test func badFilesNameFileKeyAndExpectation() throws {
        let missing = error { _ = try MedMNISTDataset(contentsOf: URL(fileURLWithPath: "/nonexistent/x.npz"), split: .train) }
        #expect(missing?.file == "/nonexistent/x.npz" && missing?.found == "no such file")

        let text = try write(Array("not a zip at all".utf8), "text.npz")
        #expect(error { _ = try MedMNISTDataset(contentsOf: text, split: .train) }?.key == "zip header")

        let whole = SyntheticNpz.dataset(images: 2, labels: [0, 1])
        let truncated = try write(Array(whole.prefix(whole.count - 30)), "truncated.npz")
        let cut = error { _ = try MedMNISTDataset(contentsOf: truncated, split: .train) }
        #expect(cut?.file == truncated.path && cut?.key == "zip directory")

        let noVal = try write(SyntheticNpz.dataset(images: 2, labels: [0, 1], withVal: true), "noval.npz")
        let absent = error { _ = try MedMNISTDataset(contentsOf: noVal, split: .val) }
        #expect(absent?.key == "val_images" && absent?.description.contains(noVal.path) == true)

        let uneven = try write(SyntheticNpz.dataset(images: 3, labels: [0, 1]), "uneven.npz")
        let counts = error { _ = try MedMNISTDataset(contentsOf: uneven, split: .train) }
        #expect(counts?.key == "train_labels" && counts?.expected.hasPrefix("3 labels") == true
                && counts?.found.hasPrefix("2") == true)

        let outside = try write(SyntheticNpz.dataset(images: 2, labels: [0, 5]), "outside.npz")
        let label = error { _ = try MedMNISTDataset(contentsOf: outside, split: .train, classCount: 2) }
        #expect(label?.key == "train_labels" && label?.found == "5 for sample 1")
    }

    @Test func infoCoversTheTwelveDatasets() {
        #expect(MedMNISTInfo.all.count == 12)
        #expect(MedMNISTInfo.named("ChestMNIST")?.task == .multiLabel && MedMNISTInfo.named("chestmnist")?.classes.count == 14)
        #expect(MedMNISTInfo.named("retinamnist")?.md5 == "bd4c0672f1bba3e3a89f0e4e876791e4")
        #expect(MedMNISTInfo.all.allSatisfy { $0.url.hasSuffix("/\($0.name).npz?download=1") })
    }
}
