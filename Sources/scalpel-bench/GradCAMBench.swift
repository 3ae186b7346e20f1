// Scalpel — benchmark: Grad-CAM maps per second (`gradcam-ARCH-SIZE-bBATCH`), against
// pytorch-grad-cam on the same model in bench/gradcam_bench.py.
// SPDX-License-Identifier: Apache-2.0
import ScalpelAnalysis
import ScalpelModels
import Torch
import TorchNN

/// Images explained per second: Grad-CAM at the last block cut point (ResNet `layer4`) for the
/// predicted class of each image of a random batch, maps scaled and resized to the input as
/// pytorch-grad-cam does; random weights (timing does not depend on them), evaluation mode.
func gradCAMImagesPerSecond(_ options: Options) throws -> Double {
    let c = options.benchCase
    let model = try c.architecture().makeModel(classCount: 1000, generator: try Generator(seed: 0))
    model.setMode(.evaluation)
    var images = try Tensor.randn([c.batch, 3, c.size, c.size], generator: try Generator(seed: 1))
    if options.channelsLast {
        try useChannelsLast(model)
        images = try images.channelsLast()
    }
    let explainer = try GradCAM(network: model, cut: model.cutPoints(.block).last!, method: .gradCAM)
    let seconds = try medianSeconds(steps: options.steps, warmup: options.warmup) {
        _ = try explainer.explain(images).maps.hostArray(of: Float.self)   // the maps on the host, as numpy's
    }
    return Double(c.batch) / seconds
}
