// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport
@testable import ScalpelData

@Suite struct ImageDecoderTests {
    let fixtures = Fixtures(bundle: .module)

    func samples(_ image: DecodedImage) throws -> Tensor {
        let values: [Int] = switch image.samples {
        case .uint8(let bytes): bytes.map(Int.init)
        case .uint16(let words): words.map(Int.init)
        }
        let shape = image.channels == 1 ? [image.height, image.width] : [image.height, image.width, image.channels]
        return try Tensor(values, shape: shape)
    }

    @Test(arguments: [("gray8", 1, 8), ("rgb8", 3, 8), ("rgba8", 4, 8), ("gray16", 1, 16)])
    func pngSamplesAreExact(_ name: String, _ channels: Int, _ depth: Int) throws {
        let image = try ImageDecoder.decode(contentsOf: fixtures.url("\(name).png"))
        #expect(image.channels == channels)
        #expect(image.bitDepth == depth)
        assertEqual(try samples(image), try fixtures.tensor("expected", name), name)
    }

    @Test(arguments: ["rgb", "gray"])
    func jpegSamplesMatchPillowWithinRounding(_ name: String) throws {
        let image = try ImageDecoder.decode(contentsOf: fixtures.url("\(name).jpg"))
        // Two libjpeg builds may round the inverse DCT differently by a level or two.
        assertClose(try samples(image), try fixtures.tensor("expected", "\(name)_jpeg"), rtol: 0, atol: 2, name)
    }

    @Test func tensorsAreChannelFirstInTheUnitRange() throws {
        let rgba = try ImageDecoder.decode(contentsOf: fixtures.url("rgba8.png"))
        let tensor = try rgba.tensor()
        #expect(tensor.shape == [3, rgba.height, rgba.width])  // alpha dropped
        let expected = try fixtures.tensor("expected", "rgba8").to(dtype: .float32).permuted([2, 0, 1])
            .slice(axis: 0, start: 0, end: 3) / 255.0
        assertClose(tensor, expected)
        let deep = try ImageDecoder.decode(contentsOf: fixtures.url("gray16.png")).tensor()
        #expect(try deep.max().item() <= 1)
        #expect(deep.shape.first == 1)
    }

    @Test(arguments: [("gray8.bmp", "bmp_gray8", 1, 8), ("rgb8.bmp", "bmp_rgb8", 3, 8), ("palette.bmp", "bmp_palette", 3, 8),
                      ("gray8.tif", "tiff_gray8", 1, 8), ("gray8_lzw.tif", "tiff_gray8_lzw", 1, 8),
                      ("gray16.tif", "tiff_gray16", 1, 16), ("gray16_be.tif", "tiff_gray16", 1, 16),
                      ("rgb8.tif", "tiff_rgb8", 3, 8), ("rgba8.tif", "tiff_rgba8", 4, 8),
                      ("rgb16.tif", "tiff_rgb16", 3, 16), ("rgb16_be.tif", "tiff_rgb16", 3, 16)])
    func bmpAndTiffSamplesAreExact(_ file: String, _ key: String, _ channels: Int, _ depth: Int) throws {
        let image = try ImageDecoder.decode(contentsOf: fixtures.url(file))
        #expect(image.channels == channels, "\(file)")
        #expect(image.bitDepth == depth, "\(file)")
        assertEqual(try samples(image), try fixtures.tensor("expected", key), file)
    }

    @Test func formatsAreRecognisedByTheirFirstBytes() {
        #expect(ImageDecoder.format(of: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageDecoder.format(of: [0x89, 0x50, 0x4E, 0x47]) == .png)
        #expect(ImageDecoder.format(of: Array("BM\u{0}\u{0}".utf8)) == .bmp)
        #expect(ImageDecoder.format(of: [0x49, 0x49, 0x2A, 0x00]) == .tiff)
        #expect(ImageDecoder.format(of: [0x4D, 0x4D, 0x00, 0x2A]) == .tiff)
        #expect(ImageDecoder.format(of: [0x49, 0x49, 0x00, 0x2A]) == nil)  // wrong byte order for "II"
        #expect(ImageDecoder.format(of: [UInt8]()) == nil)
    }

    @Test func theFormatComesFromTheBytesNotTheName() throws {
        let data = try Data(contentsOf: fixtures.url("rgb16.tif"))
        let image = try ImageDecoder.decode(data, source: "misnamed.png")
        #expect(image.channels == 3 && image.bitDepth == 16)
    }

    @Test(arguments: [("truncated.jpg", "cannot be decoded"), ("truncated_late.jpg", "Premature end"), ("corrupt.png", "cannot be decoded"),
                      ("not_an_image.png", "is not a JPEG, PNG, BMP, TIFF or DICOM image"),
                      ("truncated.bmp", "truncated BMP data"), ("truncated.tif", "cannot be decoded as TIFF"),
                      ("float.tif", "floating-point TIFF samples are not supported"),
                      ("planar16.tif", "16-bit TIFF layout is not supported")])
    func badFilesAreNamedAndExplained(_ name: String, _ expected: String) {
        let url = fixtures.url(name)
        let error = #expect(throws: ImageDecodingError.self) { try ImageDecoder.decode(contentsOf: url) }
        #expect(error?.file == url.path)
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func aMissingFileIsNamed() {
        let url = URL(fileURLWithPath: "/nonexistent/scan.png")
        let error = #expect(throws: ImageDecodingError.self) { try ImageDecoder.decode(contentsOf: url) }
        #expect(error?.file == url.path)
    }
}

@Suite struct ImageDecoderShortInputTests {
    @Test(arguments: [(Array("BM1234".utf8), "truncated BMP header"), ([0x49, 0x49, 0x2A, 0x00, 0xFF, 0xFF, 0xFF, 0x7F], "cannot be decoded as TIFF")])
    func headersAloneAreErrorsNamingTheSource(_ bytes: [UInt8], _ expected: String) {
        let error = #expect(throws: ImageDecodingError.self) { try ImageDecoder.decode(Data(bytes), source: "scan-42") }
        #expect(error?.file == "scan-42")
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }
}
