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

    @Test(arguments: [("truncated.jpg", "cannot be decoded"), ("truncated_late.jpg", "Premature end"), ("corrupt.png", "cannot be decoded"),
                      ("not_an_image.png", "is not a JPEG or PNG image")])
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
