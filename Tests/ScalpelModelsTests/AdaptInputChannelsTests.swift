// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import Testing
import Torch
import TorchTestSupport

/// A freshly initialised network adapted to grey-scale input computes what it computed on the grey
/// image repeated in three channels (the MedMNIST protocol's conversion).
struct AdaptInputChannelsTests {
    @Test(arguments: [Architecture.resnet18Small, .efficientnetLite0])
    func greyInputEqualsTheImageRepeatedInRGB(_ architecture: Architecture) throws {
        let model = try architecture.makeModel(classCount: 3, generator: try Generator(seed: 5))
        model.setMode(.evaluation)
        let grey = try Tensor.rand([2, 1, 32, 32], generator: try Generator(seed: 6))
        let rgb = try withNoGrad { try model(try Tensor.cat([grey, grey, grey], axis: 1)) }
        try model.adaptInputChannels(1)
        let adapted = try withNoGrad { try model(grey) }
        assertClose(adapted, rgb, rtol: 1e-4, atol: 1e-5)
        #expect(try adapted.abs().max().item() > 0)
    }
}
