// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import CImageCodecs
import CZlib
import Foundation
import Testing
import Torch
import TorchTestSupport
@testable import ScalpelData

/// Files crafted as an attacker would (issue 14): each must end in a clear error naming the field and the
/// limit, never in a crash, an abort or gigabytes of memory.
@Suite(.serialized) struct HostileInputTests {
    let fixtures = Fixtures(bundle: .module)

    func write(_ bytes: [UInt8], _ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-hostile-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// The message of the error `body` throws ("" and a recorded issue when it does not throw).
    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        Issue.record("no error thrown")
        return ""
    }

    /// Raw DEFLATE (no zlib header) of `bytes`, through the system zlib.
    static func rawDeflate(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        _ = deflateInit2_(&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))))
        var input = bytes
        input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                _ = deflate(&stream, Z_FINISH)
            }
        }
        return Array(output.prefix(Int(stream.total_out)))
    }

    // MARK: npy / npz

    @Test func npyShapeWhoseElementCountOverflowsIsRefused() {
        let bytes = SyntheticNpz.npy("<f8", [1 << 40, 1 << 40], [])
        let text = message { _ = try NpyArray(bytes, source: "bomb.npy") }
        #expect(text.contains("bomb.npy") && text.contains("overflows"), "\(text)")
    }

    @Test func deflateBombIsRefusedBeforeAllocating() throws {
        // 16 MiB of zeros deflates to about 16 KiB: under a 1 MiB output limit it is refused unread.
        let zeros = [UInt8](repeating: 0, count: 1 << 24)
        let compressed = Self.rawDeflate(zeros)
        var limits = InputLimits()
        limits.decompressedBytes = 1 << 20
        let capped = message {
            _ = try compressed.withUnsafeBytes { try Inflate.decompress($0, expectedSize: zeros.count, limits: limits) }
        }
        #expect(capped.contains("SCALPEL_MAX_DECOMPRESSED_BYTES"), "\(capped)")
        // A size no DEFLATE stream reaches from so few bytes (a zip64-style lie) is refused by the ratio cap.
        let lie = message {
            _ = try compressed.withUnsafeBytes { try Inflate.decompress($0, expectedSize: 1 << 40) }
        }
        #expect(lie.contains("SCALPEL_MAX_DECOMPRESSED_BYTES") || lie.contains("SCALPEL_MAX_COMPRESSION_RATIO"), "\(lie)")
        // Within the limits the same data inflates exactly.
        let inflated = try compressed.withUnsafeBytes { try Inflate.decompress($0, expectedSize: zeros.count) }
        #expect(inflated == zeros)
    }

    @Test func npzEntryDeclaringAHugeSizeIsRefused() throws {
        let array = SyntheticNpz.npy("|u1", [3], [7, 8, 9])
        let url = try write(SyntheticNpz.zip([("x.npy", Self.rawDeflate(array))], deflatedSizes: [0xFFFF_FFF0]), "huge.npz")
        let text = message { _ = try NpzFile(contentsOf: url).array("x") }
        #expect(text.contains("huge.npz") && text.contains("SCALPEL_MAX_COMPRESSION_RATIO"), "\(text)")
        // Inflating to fewer or more bytes than declared is named too.
        let longer = try write(SyntheticNpz.zip([("x.npy", Self.rawDeflate(array))], deflatedSizes: [array.count - 1]), "long.npz")
        #expect(message { _ = try NpzFile(contentsOf: longer).array("x") }.contains("declares \(array.count - 1)"))
        let cut = try write(SyntheticNpz.zip([("x.npy", Array(Self.rawDeflate(array).dropLast(3)))], deflatedSizes: [array.count]), "cut.npz")
        #expect(message { _ = try NpzFile(contentsOf: cut).array("x") }.contains("cut.npz"))
    }

    @Test func absurdLabelValuesAreRefused() throws {
        let label = withUnsafeBytes(of: Int64(1_000_000_000_000).littleEndian, Array.init)
        let bytes = SyntheticNpz.zip([("train_images.npy", SyntheticNpz.npy("|u1", [1, 2, 2], [0, 1, 2, 3])),
                                      ("train_labels.npy", SyntheticNpz.npy("<i8", [1, 1], label))])
        let url = try write(bytes, "labels.npz")
        let text = message { _ = try MedMNISTDataset(contentsOf: url, split: .train) }
        #expect(text.contains("train_labels") && text.contains("SCALPEL_MAX_CLASSES"), "\(text)")
    }

    // MARK: images

    /// A PNG signature and IHDR chunk declaring `width × height` 8-bit gray pixels, and no data.
    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        func be(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        let chunk = Array("IHDR".utf8) + be(width) + be(height) + [8, 0, 0, 0, 0]
        let crc = chunk.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be(13) + chunk + be(crc)
    }

    /// A JPEG up to its first scan header, declaring `width × height` gray pixels (no tables, no data).
    static func jpegHeader(width: Int, height: Int) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8),
         UInt8(width & 0xFF), 0x01, 0x01, 0x11, 0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]
            + [UInt8](repeating: 0, count: 64) + [0xFF, 0xD9]
    }

    @Test func imageHeadersClaimingHugeSizesAreRefusedBeforeDecoding() throws {
        let png = message { _ = try ImageDecoder.decode(Data(Self.pngHeader(width: 1 << 20, height: 1 << 20)), source: "big.png") }
        #expect(png.contains("big.png") && png.contains("SCALPEL_MAX_IMAGE_SIDE"), "\(png)")
        let wide = message { _ = try ImageDecoder.decode(Data(Self.pngHeader(width: 100_000, height: 100_000)), source: "wide.png") }
        #expect(wide.contains("SCALPEL_MAX_IMAGE_PIXELS"), "\(wide)")
        let jpeg = message { _ = try ImageDecoder.decode(Data(Self.jpegHeader(width: 65_000, height: 65_000)), source: "big.jpg") }
        #expect(jpeg.contains("big.jpg") && jpeg.contains("SCALPEL_MAX_IMAGE_PIXELS"), "\(jpeg)")
    }

    @Test func bmpOverTheLimitsIsRefusedWithTheGivenLimits() throws {
        // A real 2×2 BMP is within the defaults but over a 1-pixel-per-side limit.
        let data = try [UInt8](Data(contentsOf: fixtures.url("gray8.bmp")))
        var limits = scalpel_pixel_limits(max_side: 1, max_pixels: 1)
        var image = scalpel_image()
        var text = [CChar](repeating: 0, count: 512)
        let status = scalpel_decode_bmp(data, data.count, &limits, &image, &text, text.count)
        defer { scalpel_image_free(&image) }
        #expect(status != 0)
        let reason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(reason.contains("BMP header declares") && reason.contains("SCALPEL_MAX_IMAGE_SIDE"), "\(reason)")
    }

    @Test func jpegCutShortButEndingWithEndOfImageIsAnError() throws {
        let whole = try [UInt8](Data(contentsOf: fixtures.url("rgb.jpg")))
        // Keep the headers and half the scan, then close the file properly: libjpeg would pad the rest with grey.
        let cut = Array(whole.prefix(whole.count / 2)) + [0xFF, 0xD9]
        let text = message { _ = try ImageDecoder.decode(Data(cut), source: "cut.jpg") }
        #expect(text.contains("cut.jpg"), "\(text)")
    }

    // MARK: DICOM

    /// A Part 10 file (explicit VR little endian) whose dataset is `dataset`.
    static func dicom(_ dataset: [UInt8]) -> [UInt8] {
        func le(_ value: Int, _ width: Int) -> [UInt8] { TestZip.le(value, width) }
        var syntax = Array("1.2.840.10008.1.2.1".utf8)
        if syntax.count % 2 == 1 { syntax.append(0) }
        let meta = [0x02, 0x00, 0x10, 0x00] + Array("UI".utf8) + le(syntax.count, 2) + syntax
        return [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + meta + dataset
    }

    /// `depth` sequences, each holding one item holding the next, with undefined lengths.
    static func nestedSequences(_ depth: Int) -> [UInt8] {
        let open: [UInt8] = [0x08, 0x00, 0x15, 0x11] + Array("SQ".utf8) + [0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
            + [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
        let close: [UInt8] = [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]
        return Array(repeating: open, count: depth).flatMap { $0 } + Array(repeating: close, count: depth).flatMap { $0 }
    }

    @Test func deeplyNestedDicomSequencesAreRefusedBeforeDCMTKRecurses() throws {
        let deep = Data(Self.dicom(Self.nestedSequences(50_000)))
        let text = message { _ = try DicomDecoder.header(deep, source: "deep.dcm") }
        #expect(text.contains("deep.dcm") && text.contains("SCALPEL_MAX_DICOM_SEQUENCE_DEPTH"), "\(text)")
        let decoded = message { _ = try DicomDecoder.decode(deep, source: "deep.dcm") }
        #expect(decoded.contains("SCALPEL_MAX_DICOM_SEQUENCE_DEPTH"), "\(decoded)")
        // A few levels are ordinary and parse.
        #expect(throws: Never.self) { _ = try DicomDecoder.header(Data(Self.dicom(Self.nestedSequences(5))), source: "ok.dcm") }
    }

    @Test func multiFrameSizeThatWrapsIsRefused() throws {
        func element(_ group: Int, _ element: Int, _ vr: String, _ value: [UInt8]) -> [UInt8] {
            TestZip.le(group, 2) + TestZip.le(element, 2) + Array(vr.utf8)
                + (vr == "OW" ? [0, 0] + TestZip.le(value.count, 4) : TestZip.le(value.count, 2)) + value
        }
        func us(_ value: Int) -> [UInt8] { TestZip.le(value, 2) }
        // 16384 × 16384 (within the pixel limit) × 3 samples × 65535 bits × 2³¹−1 frames overflows 64 bits;
        // the 8 bytes of pixel data must not pass a wrapped product.
        let dataset = element(0x0028, 0x0002, "US", us(3)) + element(0x0028, 0x0004, "CS", Array("RGB ".utf8))
            + element(0x0028, 0x0008, "IS", Array("2147483647".utf8)) + element(0x0028, 0x0010, "US", us(16384))
            + element(0x0028, 0x0011, "US", us(16384)) + element(0x0028, 0x0100, "US", us(65535))
            + element(0x0028, 0x0101, "US", us(8)) + element(0x7FE0, 0x0010, "OW", [UInt8](repeating: 0, count: 8))
        let text = message { _ = try DicomDecoder.decode(Data(Self.dicom(dataset)), source: "wrap.dcm") }
        #expect(text.contains("wrap.dcm") && (text.contains("overflow") || text.contains("truncated")), "\(text)")
    }

    @Test func jpegFragmentThatWouldLoopDCMTKForeverIsRefused() throws {
        // DCMTK 3.6.7 scans a JPEG fragment's markers for the bit depth and never moves past a TEM marker
        // (FF01): found by the Swift DICOM fuzz harness as a hang. Put one right after the SOI of a valid file.
        var bytes = try [UInt8](Data(contentsOf: fixtures.url("dicom/jpeg8.dcm")))
        let soi: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0]
        let at = try #require((0...(bytes.count - 4)).first { Array(bytes[$0..<$0 + 4]) == soi })
        bytes[at + 3] = 0x01
        let text = message { _ = try DicomDecoder.decode(Data(bytes), source: "tem.dcm") }
        #expect(text.contains("tem.dcm") && text.contains("FF01"), "\(text)")
        // The untouched file still decodes: the walk stops at the frame header as DCMTK's does.
        bytes[at + 3] = 0xE0
        #expect(throws: Never.self) { _ = try DicomDecoder.decode(Data(bytes), source: "jpeg8.dcm") }
    }

    @Test func undefinedLengthUNPixelDataIsScannedAsDCMTKReadsIt() throws {
        // DCMTK reads (7FE0,0010) UN of undefined length as a sequence of implicit-VR items, so the JPEG bytes
        // inside become element headers with gigabyte lengths; found by the libFuzzer DICOM harness (a 3.7 GB
        // allocation). The pre-scan must read it the same way and refuse before DCMTK allocates.
        var bytes = try [UInt8](Data(contentsOf: fixtures.url("dicom/jpeg8.dcm")))
        let pixelData: [UInt8] = [0xE0, 0x7F, 0x10, 0x00] + Array("OB".utf8)
        let at = try #require((0...(bytes.count - 6)).first { Array(bytes[$0..<$0 + 6]) == pixelData })
        bytes[at + 4] = UInt8(ascii: "U")
        bytes[at + 5] = UInt8(ascii: "N")
        let text = message { _ = try DicomDecoder.decode(Data(bytes), source: "un.dcm") }
        #expect(text.contains("un.dcm") && text.contains("declaring"), "\(text)")
    }

    // MARK: folders

    @Test func symlinkLoopsAndDuplicateLinksListEachImageOnce() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-loop-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        let png = try Data(contentsOf: fixtures.url("gray8.png"))
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
            try png.write(to: root.appendingPathComponent("\(name)/1.png"))
        }
        defer { try? FileManager.default.removeItem(at: root) }
        // a/loop → a (a loop), a/again.png → a/1.png (one file, two names), b/up → the root.
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("a/loop").path, withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("a/again.png").path, withDestinationPath: "1.png")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("b/up").path, withDestinationPath: "..")
        let dataset = try ImageFolderDataset(root: root)
        #expect(dataset.relativePaths.count == 2, "\(dataset.relativePaths)")
        let list = try ImageFileList(paths: [root.path], task: .binary, classNames: ["a", "b"])
        #expect(list.count == 2, "\(list.files)")
        // A class folder that is itself a link to the root is named.
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("c").path, withDestinationPath: ".")
        let text = message { _ = try ImageFolderDataset(root: root) }
        #expect(text.contains("'c'") && text.contains("link"), "\(text)")
    }

    @Test func hostileImagesAreNamedAndSkippedUnderTheSkipPolicy() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-skip-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        defer { try? FileManager.default.removeItem(at: root) }
        let png = try Data(contentsOf: fixtures.url("gray8.png"))
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
            try png.write(to: root.appendingPathComponent("\(name)/good.png"))
        }
        // A header claiming 2²⁰ × 2²⁰ pixels, a DICOM nested 50 000 deep and a JPEG cut short: each skipped by name.
        try Data(Self.pngHeader(width: 1 << 20, height: 1 << 20)).write(to: root.appendingPathComponent("a/huge.png"))
        try Data(Self.dicom(Self.nestedSequences(50_000))).write(to: root.appendingPathComponent("b/deep.dcm"))
        let jpeg = try [UInt8](Data(contentsOf: fixtures.url("rgb.jpg")))
        try Data(Array(jpeg.prefix(jpeg.count / 2)) + [0xFF, 0xD9]).write(to: root.appendingPathComponent("b/cut.jpg"))
        let dataset = try ImageFolderDataset(root: root)
        let loader = try DataLoader(dataset: dataset, transform: Compose([]), batchSize: 2, shuffle: false, onBadImage: .skip)
        var iterator = loader.batches(epoch: 0)
        var kept = 0
        while let batch = try iterator.next() { kept += batch.count }
        #expect(kept == 2)
        let skipped = iterator.skipped.map(\.sampleID).sorted()
        #expect(skipped == ["a/huge.png", "b/cut.jpg", "b/deep.dcm"], "\(skipped)")
        #expect(iterator.skipped.allSatisfy { !$0.reason.isEmpty })
        #expect(iterator.skipped.contains { $0.reason.contains("SCALPEL_MAX_IMAGE_SIDE") })
    }

    @Test func threadAndWorkerCountsAreCapped() throws {
        let tooMany = InputLimits.maximumThreads + 1
        #expect(message { try TorchRuntime.configure(threads: tooMany) }.contains("at most \(InputLimits.maximumThreads)"))
        let images = try ImageFileList(paths: [fixtures.url("gray8.png").path], task: .binary, classNames: ["a", "b"])
        let text = message {
            _ = try DataLoader(dataset: images, transform: Compose([]), batchSize: 1, shuffle: false, workers: 100_000)
        }
        #expect(text.contains("--workers") && text.contains("at most"), "\(text)")
    }
}
