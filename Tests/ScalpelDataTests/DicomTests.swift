// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport
@testable import ScalpelData

/// DICOM decoding through DCMTK against values computed in numpy from the standard's formulas
/// (scripts/fixtures/fixtures_dicom.py). DCMTK truncates `offset + x · gradient` where the script floors
/// the standard's form of the same line, so levels may differ by one of 65535.
@Suite struct DicomTests {
    let fixtures = Fixtures(bundle: .module)

    func url(_ name: String) -> URL { fixtures.url("dicom/\(name).dcm") }

    func expected(_ key: String) throws -> Tensor { try fixtures.tensor("dicom/expected", key) }

    func samples(_ image: DecodedImage) throws -> Tensor {
        let values: [Int] = switch image.samples {
        case .uint8(let bytes): bytes.map(Int.init)
        case .uint16(let words): words.map(Int.init)
        }
        let shape = image.channels == 1 ? [image.height, image.width] : [image.height, image.width, image.channels]
        return try Tensor(values, shape: shape)
    }

    @Test(arguments: [
        ("ct16", DicomWindow.fromFile, "ct16"),
        ("ct16", .minMax, "ct16_minmax"),
        ("ct16", .explicit(center: -500, width: 1500), "ct16_explicit"),
        ("ct16_rle", .fromFile, "ct16"),
        ("mono1_8", .fromFile, "mono1_8"),
        ("bits12", .fromFile, "bits12"),
        ("signed16", .fromFile, "signed16"),
        ("nowindow", .fromFile, "nowindow"),
        ("nowindow", .explicit(center: 0, width: 301), "nowindow_explicit"),
    ])
    func monochromeFramesFollowTheModalityLUTAndWindow(_ name: String, _ window: DicomWindow, _ key: String) throws {
        let image = try DicomDecoder.decode(contentsOf: url(name), window: window)
        #expect(image.channels == 1)
        #expect(image.bitDepth == 16)
        #expect(image.width == 16 && image.height == 12)
        assertClose(try samples(image), try expected(key), rtol: 0, atol: 1, "\(name) \(window)")
    }

    @Test func monochrome1IsInvertedSoHigherIsBrighter() throws {
        let image = try DicomDecoder.decode(contentsOf: url("mono1_8"))
        let header = try DicomDecoder.header(contentsOf: url("mono1_8"))
        #expect(header.photometric == "MONOCHROME1")
        // Stored 0 is white in MONOCHROME1: the darkest stored values must render brightest.
        guard case .uint16(let words) = image.samples else { Issue.record("expected 16-bit output"); return }
        let stored = try Data(contentsOf: url("mono1_8")).suffix(16 * 12).map(Int.init)
        let darkest = stored.indices.min { stored[$0] < stored[$1] }!
        let brightest = stored.indices.max { stored[$0] < stored[$1] }!
        #expect(words[darkest] > words[brightest])
    }

    @Test func everyFrameOfAMultiFrameFileAndTheFirstByDefault() throws {
        let first = try DicomDecoder.decode(contentsOf: url("multiframe"))
        assertClose(try samples(first), try expected("multiframe_0"), rtol: 0, atol: 1, "default frame")
        for frame in 0..<3 {
            let image = try DicomDecoder.decode(contentsOf: url("multiframe"), frame: frame)
            assertClose(try samples(image), try expected("multiframe_\(frame)"), rtol: 0, atol: 1, "frame \(frame)")
        }
        let error = #expect(throws: ImageDecodingError.self) {
            try DicomDecoder.decode(contentsOf: url("multiframe"), frame: 3)
        }
        #expect(error?.file == url("multiframe").path)
        #expect(error?.reason.contains("NumberOfFrames (0028,0008) is 3") == true, "\(String(describing: error))")
    }

    @Test func rgbIsRenderedUnchanged() throws {
        let image = try DicomDecoder.decode(contentsOf: url("rgb8"))
        #expect(image.channels == 3)
        #expect(image.bitDepth == 8)
        assertEqual(try samples(image), try expected("rgb8"), "rgb8")
    }

    @Test func jpegBaselineDecodesLikePillow() throws {
        // Centre 128, width 256 maps level x to 257·x exactly; two libjpeg builds may differ by a level or two.
        let image = try DicomDecoder.decode(contentsOf: url("jpeg8"), window: .explicit(center: 128, width: 256))
        let pillow = try expected("jpeg8_pillow") * 257.0
        assertClose(try samples(image).to(dtype: .float64), try pillow.to(dtype: .float64), rtol: 0, atol: 2 * 257 + 1,
                    "jpeg8")
    }

    @Test func headerFields() throws {
        let header = try DicomDecoder.header(contentsOf: url("ct16"))
        #expect(header.patientID == "PAT-CT16")
        #expect(header.studyUID == "1.2.826.0.1.3680043.8.498.20261121.1")
        #expect(header.modality == "CT")
        #expect(header.rows == 12 && header.columns == 16)
        #expect(header.samplesPerPixel == 1 && header.bitsAllocated == 16 && header.bitsStored == 16)
        #expect(!header.isSigned)
        #expect(header.photometric == "MONOCHROME2")
        #expect(header.rescaleSlope == 1 && header.rescaleIntercept == -1024)
        #expect(header.windowCenter == 40 && header.windowWidth == 400)
        #expect(header.frames == 1)
        #expect(header.hasPixelData)
        #expect(header.transferSyntax == "1.2.840.10008.1.2.1")

        let plain = try DicomDecoder.header(contentsOf: url("nowindow"))
        #expect(plain.windowCenter == nil && plain.windowWidth == nil)
        #expect(plain.rescaleSlope == 0.5 && plain.rescaleIntercept == -200.25)
        #expect(try DicomDecoder.header(contentsOf: url("multiframe")).frames == 3)
        #expect(try DicomDecoder.header(contentsOf: url("signed16")).isSigned)
        #expect(try DicomDecoder.header(contentsOf: url("bits12")).bitsStored == 12)
        #expect(try DicomDecoder.header(contentsOf: url("no_pixels")).hasPixelData == false)
    }

    @Test func dicomIsRecognisedByItsMagic() throws {
        let ct = try Data(contentsOf: url("ct16"))
        #expect(DicomDecoder.isDicom(ct))
        #expect(DicomDecoder.isDicom((Data([0]) + ct).dropFirst()))  // a slice that does not start at 0
        #expect(!DicomDecoder.isDicom(try Data(contentsOf: url("not_dicom"))))
        #expect(!DicomDecoder.isDicom(try Data(contentsOf: fixtures.url("gray8.png"))))
        #expect(!DicomDecoder.isDicom(Data()))
    }

    @Test(arguments: [
        ("not_dicom", "is not a DICOM file"),
        ("no_pixels", "has no pixel data (7FE0,0010)"),
        ("truncated", "the file is truncated or corrupt"),
        ("short_pixels", "has truncated pixel data (7FE0,0010)"),
        ("bad_photometric", "unsupported PhotometricInterpretation (0028,0004) 'XYZ'"),
    ])
    func badFilesAreNamedAndExplained(_ name: String, _ expected: String) {
        let url = url(name)
        let error = #expect(throws: ImageDecodingError.self) { try DicomDecoder.decode(contentsOf: url) }
        #expect(error?.file == url.path)
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func badWindowsAndFramesAreRejected() {
        for window in [DicomWindow.explicit(center: 0, width: 0), .explicit(center: .nan, width: 10),
                       .explicit(center: 0, width: -5)] {
            let error = #expect(throws: ImageDecodingError.self) {
                try DicomDecoder.decode(contentsOf: url("ct16"), window: window)
            }
            #expect(error?.file == url("ct16").path)
            #expect(error?.reason.contains("width of at least 1") == true, "\(String(describing: error))")
        }
        let error = #expect(throws: ImageDecodingError.self) { try DicomDecoder.decode(contentsOf: url("ct16"), frame: -1) }
        #expect(error?.reason.contains("frame indices start at 0") == true)
    }

    @Test func aMissingFileIsNamed() {
        let url = URL(fileURLWithPath: "/nonexistent/scan.dcm")
        let error = #expect(throws: ImageDecodingError.self) { try DicomDecoder.decode(contentsOf: url) }
        #expect(error?.file == url.path)
        let header = #expect(throws: ImageDecodingError.self) { try DicomDecoder.header(contentsOf: url) }
        #expect(header?.file == url.path)
    }

    @Test func decodingFromSeveralThreadsAtOnceGivesTheSameFrames() async throws {
        let data = try Data(contentsOf: url("ct16_rle"))
        let reference = try DicomDecoder.decode(data, source: "ct16_rle")
        let results = try await withThrowingTaskGroup(of: DecodedImage.self) { group in
            for _ in 0..<16 {
                group.addTask { try DicomDecoder.decode(data, source: "ct16_rle") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0 == reference })
    }
}
