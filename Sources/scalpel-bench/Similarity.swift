// Scalpel — benchmark: representation similarity (`similarity-cka_svcca-N-bD`): linear CKA and SVCCA
// (99 % variance, google/svcca CCA) between two N × D float32 feature matrices.
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAnalysis
import Torch

/// Datapoints per second of computing linear CKA and SVCCA for one pair of representations
/// (N = the case's size, D = its batch), streaming 2 048 rows at a time as a run analysis does.
/// bench/similarity_bench.py times the reference pipelines (google/svcca with the tutorial's SVD step,
/// the CKA notebook) on the same shapes.
func similarityDatapointsPerSecond(_ options: Options) throws -> Double {
    let c = options.benchCase
    let generator = try Generator(seed: 0)
    let x = try Tensor.randn([c.size, c.batch], generator: generator)
    let y = try x * 0.5 + (try Tensor.randn([c.size, c.batch], generator: generator))
    var similarity = SimilarityOptions()
    similarity.measures = [.linearCKA, .svcca]
    let seconds = try medianSeconds(steps: options.steps, warmup: options.warmup) {
        let scores = try SimilarityComparison.compare(x, y, options: similarity, baselineDraws: 0, chunk: 2048).scores
        guard scores.linearCKA != nil, scores.svcca != nil else { throw BenchError("similarity: a measure is missing") }
    }
    return Double(c.size) / seconds
}
