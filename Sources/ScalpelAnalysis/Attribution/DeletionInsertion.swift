// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import TorchNN
import Torch

/// Deletion and insertion curves of attribution maps (Petsiuk et al. 2018, RISE; the protocol of
/// torch-cam PR #419): a map is faithful when removing its most important pixels first makes the
/// class score fall fast (small area under the deletion curve) and adding them first to a blank
/// image makes it rise fast (large area under the insertion curve).
///
/// Pixels are ranked by the map, highest first (ties by position, row-major). At step `k` of
/// `steps` the first `round(k/steps · H·W)` pixels, all channels, are set to `baseline` (deletion)
/// or are the only ones kept from the image, the rest being `baseline` (insertion). The score is the
/// probability of the explained class (``Score``). `baseline` is in the network's input space: 0 after
/// mean/std normalisation is the dataset's mean intensity.
public struct DeletionInsertion: Sendable {
    /// How logits become the class probability scored: softmax over the classes (single-label tasks)
    /// or each logit's sigmoid (multi-label tasks).
    public enum Score: Sendable {
        case softmax, sigmoid

        /// Probabilities `[N, classes]` from logits `[N, classes]`.
        public func probabilities(_ logits: Tensor) throws -> Tensor {
            switch self {
            case .softmax: try logits.softmax(axis: 1)
            case .sigmoid: try logits.sigmoid()
            }
        }
    }

    public var steps: Int
    public var baseline: Double
    /// Perturbed images per forward pass.
    public var batchSize: Int
    public var score: Score

    public init(steps: Int = 16, baseline: Double = 0, batchSize: Int = 64, score: Score = .softmax) throws {
        guard (1...1024).contains(steps) else { throw AttributionError("deletion/insertion steps must be 1…1024, got \(steps)") }
        guard (1...4096).contains(batchSize) else { throw AttributionError("batch size must be 1…4096, got \(batchSize)") }
        guard baseline.isFinite else { throw AttributionError("the deletion/insertion baseline must be finite, got \(baseline)") }
        self.steps = steps
        self.baseline = baseline
        self.batchSize = batchSize
        self.score = score
    }

    /// One image's curves: scores at fractions `0, 1/steps, …, 1` and the areas under them (trapezoids).
    public struct Curves: Sendable, Equatable {
        public var deletion: [Double]
        public var insertion: [Double]
        public var deletionArea: Double { Self.area(deletion) }
        public var insertionArea: Double { Self.area(insertion) }

        static func area(_ scores: [Double]) -> Double {
            guard scores.count > 1 else { return scores.first ?? 0 }
            let width = 1 / Double(scores.count - 1)
            return zip(scores, scores.dropFirst()).reduce(0) { $0 + ($1.0 + $1.1) / 2 * width }
        }
    }

    /// Curves for each image of `images` `[N, C, H, W]` with its map `[N, H, W]` and class, from
    /// `network` (in evaluation mode, on the images' device) run without gradients.
    public func curves(network: any Layer, images: Tensor, maps: Tensor, classes: [Int]) throws -> [Curves] {
        guard images.rank == 4, maps.rank == 3, maps.shape[0] == images.shape[0],
              maps.shape[1] == images.shape[2], maps.shape[2] == images.shape[3], classes.count == images.shape[0] else {
            throw AttributionError("deletion/insertion needs images [N, C, H, W], maps [N, H, W] and N classes; got \(images.shape), \(maps.shape) and \(classes.count)")
        }
        let (height, width) = (images.shape[2], images.shape[3])
        let pixelCount = height * width
        let thresholds = (0...steps).map { Double(($0 * pixelCount + steps / 2) / steps) }
        let device = images.device
        let thresholdTensor = try Tensor(thresholds.map(Float.init), shape: [steps + 1, 1]).to(device: device)
        return try withNoGrad {
            try (0..<images.shape[0]).map { index in
                let image = try images.select(axis: 0, index: index)
                let order = try maps.select(axis: 0, index: index).reshaped(to: [pixelCount])
                    .sorted(axis: 0, descending: true, stable: true).indices
                let positions = try Tensor.arange(to: Double(pixelCount), dtype: .float32, on: device)
                let ranks = try positions.zerosLike().scatter(axis: 0, indices: order, source: positions)
                // removed[k, p] = 1 when pixel p is among the first thresholds[k].
                let removed = try ranks.unsqueezed(axis: 0).lt(thresholdTensor).to(dtype: image.dtype)
                    .reshaped(to: [steps + 1, 1, height, width])
                let kept = try 1 - removed
                let deleted = try image.unsqueezed(axis: 0) * kept + removed * baseline
                let inserted = try image.unsqueezed(axis: 0) * removed + kept * baseline
                return Curves(deletion: try scores(network, deleted, classes[index]),
                              insertion: try scores(network, inserted, classes[index]))
            }
        }
    }

    private func scores(_ network: any Layer, _ batch: Tensor, _ target: Int) throws -> [Double] {
        var result: [Double] = []
        for start in stride(from: 0, to: batch.shape[0], by: batchSize) {
            let chunk = try batch.slice(axis: 0, start: start, end: min(start + batchSize, batch.shape[0]))
            let logits = try network(chunk)
            guard (0..<logits.shape[1]).contains(target) else {
                throw AttributionError("class \(target) is out of range: the network predicts \(logits.shape[1]) classes")
            }
            result += try score.probabilities(logits).select(axis: 1, index: target).to(dtype: .float64).to(device: .cpu)
                .hostArray(of: Double.self)
        }
        return result
    }
}
