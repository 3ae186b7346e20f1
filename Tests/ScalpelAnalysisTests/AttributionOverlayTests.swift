// Scalpel — ScalpelAnalysisTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import ScalpelData
@testable import ScalpelAnalysis

/// Overlays, grids and the PNG encoder they are written with.
struct AttributionOverlayTests {
    @Test func pngRoundTripsThroughTheDecoder() throws {
        let pixels = (0..<(5 * 3 * 3)).map { UInt8($0 * 5) }
        let data = try PNGEncoder.encode(pixels, width: 5, height: 3, channels: 3)
        let decoded = try ImageDecoder.decode(data, source: "encoded")
        #expect(decoded.width == 5 && decoded.height == 3 && decoded.channels == 3)
        guard case .uint8(let samples) = decoded.samples else { Issue.record("not 8-bit"); return }
        #expect(samples == pixels)
        let gray = try ImageDecoder.decode(try PNGEncoder.encode([0, 128, 255, 7], width: 2, height: 2, channels: 1), source: "gray")
        #expect(gray.channels == 1)
        #expect(throws: ImageEncodingError.self) { try PNGEncoder.encode([1, 2, 3], width: 2, height: 2, channels: 1) }
        #expect(throws: ImageEncodingError.self) { try PNGEncoder.encode([], width: 0, height: 0, channels: 3) }
    }

    @Test func jetRunsFromBlueToRed() {
        #expect(CAMOverlay.jet(0) == [0, 0, 0.5])
        #expect(CAMOverlay.jet(0.5) == [0.5, 1, 0.5])
        #expect(CAMOverlay.jet(1) == [0.5, 0, 0])
        #expect(CAMOverlay.jet(.nan) == CAMOverlay.jet(0))
    }

    @Test func overlayBlendsAndGridLaysOutTiles() throws {
        let image = try Tensor([Float(0), 1, 2, 3], shape: [1, 2, 2])
        let map = try Tensor([Float(1), 0, 0, 0], shape: [2, 2])
        let rgb = try CAMOverlay.rgb(image: image, map: map)
        #expect(rgb.count == 12)
        #expect(rgb[0] > rgb[2])          // the hot pixel is red
        #expect(rgb[11] > rgb[9])         // a cold pixel is blue
        #expect(rgb.max() == 255)         // divided by the maximum, as show_cam_on_image
        #expect(throws: AttributionError.self) { try CAMOverlay.rgb(image: image, map: try Tensor.zeros([3, 3])) }
        let grid = try CAMOverlay.grid([rgb, rgb, rgb], tileWidth: 2, tileHeight: 2, columns: 2, gap: 1)
        #expect(grid.width == 7 && grid.height == 7 && grid.pixels.count == 7 * 7 * 3)
        #expect(Array(grid.pixels[((1 * 7) + 1) * 3..<((1 * 7) + 1) * 3 + 3]) == Array(rgb[0..<3]))
        #expect(grid.pixels[0] == 255)    // the border is white
    }

    @Test func rankCorrelationOfAConstantMapIsUndefined() throws {
        let constant = try Tensor.zeros([1, 4, 4])
        let varying = try Tensor.rand([1, 4, 4], generator: try Generator(seed: 1))
        #expect(try RandomisationCheck.rankCorrelations(constant, varying)[0].isNaN)
    }
}
