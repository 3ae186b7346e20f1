// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// How class activation maps are scaled and brought to the input size, as pytorch-grad-cam does
/// (`utils/image.py: scale_cam_image`), so maps compare with its maps.
public enum CAMScaling {
    /// Each map `x` of `[N, h, w]` becomes `(x − min x) / (1e-7 + max(x − min x))`: in `[0, 1)`,
    /// and all zeros for a constant map.
    public static func minMaxScaled(_ maps: Tensor) throws -> Tensor {
        let shape = maps.shape
        let flat = try maps.reshaped(to: [shape[0], shape.dropFirst().reduce(1, *)])
        let shifted = try flat - flat.min(axes: [1], keepDimensions: true)
        return try (shifted / (shifted.max(axes: [1], keepDimensions: true) + 1e-7)).reshaped(to: shape)
    }

    /// Maps `[N, h, w]` resized to `[N, height, width]` by bilinear interpolation with half-pixel
    /// centres and clamped borders: `cv2.resize(map, (width, height))` with its default
    /// `INTER_LINEAR` on float32, which is torch's `interpolate(mode="bilinear", align_corners=False)`
    /// when enlarging (the fixture script checks the two agree).
    public static func resized(_ maps: Tensor, height: Int, width: Int) throws -> Tensor {
        if maps.shape[1] == height && maps.shape[2] == width { return maps }
        return try maps.unsqueezed(axis: 1).interpolate(size: (height, width), mode: .bilinear, alignCorners: false)
            .squeezed(axis: 1)
    }

    /// pytorch-grad-cam's full path for one target layer: scale, resize, then scale again (its
    /// `aggregate_multi_layers` re-scales the mean over layers, here one).
    public static func inputSized(_ rawMaps: Tensor, height: Int, width: Int) throws -> Tensor {
        try minMaxScaled(resized(minMaxScaled(rawMaps), height: height, width: width))
    }
}
