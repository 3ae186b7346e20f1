// Scalpel — benchmark: `grad-*` cases, an adversarial attack's inner step (see bench/README.md).
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch
import TorchNN

/// Seconds per input-gradient step: eval mode, frozen parameters, the gradient of the cross-entropy
/// with respect to the input only (what FGSM/PGD and Grad-CAM need), through the fused eval path.
func inputGradientSeconds(_ model: any Layer, images: Tensor, classes: Int, options: Options) throws -> Double {
    model.setMode(.evaluation)
    try model.freeze(matching: .all)
    let labels = try Tensor.randint(high: classes, shape: [images.shape[0]])
    return try medianSeconds(steps: options.steps, warmup: options.warmup) {
        let x = try images.detached().requiringGradient()
        _ = try gradients(of: crossEntropy(logits: model(x), targets: labels), withRespectTo: [x])
    }
}

/// This process's peak resident set size in MiB (`ru_maxrss`).
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}
