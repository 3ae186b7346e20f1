// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Torch

/// Pictures of class activation maps: each map coloured with the jet colour map and blended with
/// its image, as pytorch-grad-cam's `show_cam_on_image` (image weight 0.5, then divided by the
/// maximum), and grids of such overlays.
public enum CAMOverlay {
    /// RGB samples `height × width × 3` of `image` `[C, H, W]` (C = 1 or 3, any range: min–max
    /// scaled for display) blended with the jet colouring of `map` `[H, W]` (values in `[0, 1]`).
    public static func rgb(image: Tensor, map: Tensor, imageWeight: Double = 0.5) throws -> [UInt8] {
        guard image.rank == 3, [1, 3].contains(image.shape[0]), map.shape == Array(image.shape.dropFirst()) else {
            throw AttributionError("an overlay needs an image [1 or 3, H, W] and a map [H, W]; got \(image.shape) and \(map.shape)")
        }
        guard (0...1).contains(imageWeight) else { throw AttributionError("the image weight must be in [0, 1], got \(imageWeight)") }
        let (height, width) = (image.shape[1], image.shape[2])
        var pixels = try image.to(dtype: .float32).to(device: .cpu).permuted([1, 2, 0]).contiguous().hostArray(of: Float.self)
        if image.shape[0] == 1 { pixels = pixels.flatMap { [$0, $0, $0] } }
        let low = pixels.min() ?? 0, high = pixels.max() ?? 0
        let span = high > low ? high - low : 1
        let values = try map.to(dtype: .float32).to(device: .cpu).contiguous().hostArray(of: Float.self)
        var blended = [Float](repeating: 0, count: height * width * 3)
        for index in 0..<(height * width) {
            let colour = jet(values[index])
            for channel in 0..<3 {
                let sample = (pixels[index * 3 + channel] - low) / span
                blended[index * 3 + channel] = Float(1 - imageWeight) * colour[channel] + Float(imageWeight) * sample
            }
        }
        let peak = max(blended.max() ?? 1, 1e-12)
        return blended.map { UInt8(max(0, min(255, ($0 / peak * 255).rounded(.down)))) }
    }

    /// The jet colour (red, green, blue in `[0, 1]`) of `value` in `[0, 1]`: blue, cyan, yellow, red.
    /// OpenCV's `COLORMAP_JET` quantises the same piecewise-linear ramps to 256 entries.
    public static func jet(_ value: Float) -> [Float] {
        let v = max(0, min(1, value.isFinite ? value : 0))
        func ramp(_ centre: Float) -> Float { max(0, min(1, 1.5 - abs(4 * v - centre))) }
        return [ramp(3), ramp(2), ramp(1)]
    }

    /// Tiles (each `tileHeight × tileWidth × 3` RGB samples) laid out row by row, `columns` per row,
    /// with a `gap`-pixel white border; an empty list is an error.
    public static func grid(_ tiles: [[UInt8]], tileWidth: Int, tileHeight: Int, columns: Int, gap: Int = 2) throws
        -> (pixels: [UInt8], width: Int, height: Int)
    {
        guard !tiles.isEmpty, columns > 0, tileWidth > 0, tileHeight > 0,
              tiles.allSatisfy({ $0.count == tileWidth * tileHeight * 3 }) else {
            throw AttributionError("a grid needs at least one tile of \(tileWidth)×\(tileHeight) RGB pixels")
        }
        let columnCount = min(columns, tiles.count)
        let rowCount = (tiles.count + columnCount - 1) / columnCount
        let width = columnCount * (tileWidth + gap) + gap
        let height = rowCount * (tileHeight + gap) + gap
        var pixels = [UInt8](repeating: 255, count: width * height * 3)
        for (index, tile) in tiles.enumerated() {
            let left = gap + (index % columnCount) * (tileWidth + gap)
            let top = gap + (index / columnCount) * (tileHeight + gap)
            for row in 0..<tileHeight {
                let target = ((top + row) * width + left) * 3
                pixels.replaceSubrange(target..<(target + tileWidth * 3), with: tile[(row * tileWidth * 3)..<((row + 1) * tileWidth * 3)])
            }
        }
        return (pixels, width, height)
    }
}
