// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

/// torchvision's `BasicBlock(inplanes, planes, stride, downsample)`, written the way a backbone
/// would write it: keys conv1, bn1, conv2, bn2, downsample.{0,1} (its ReLU has no keys).
final class BasicBlock: Layer {
    let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d
    let downsample: Sequential?

    init(inputChannels: Int, outputChannels: Int, stride: Int) throws {
        conv1 = try Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3,
                           stride: Size2d(stride), padding: 1, bias: false)
        bn1 = try BatchNorm2d(featureCount: outputChannels)
        conv2 = try Conv2d(inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3, padding: 1,
                           bias: false)
        bn2 = try BatchNorm2d(featureCount: outputChannels)
        downsample = stride == 1 && inputChannels == outputChannels ? nil : Sequential([
            try Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1,
                       stride: Size2d(stride), bias: false),
            try BatchNorm2d(featureCount: outputChannels),
        ])
    }

    var namedChildren: [(String, any Module)] {
        var children: [(String, any Module)] = [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)]
        if let downsample { children.append(("downsample", downsample)) }
        return children
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        let residual = try bn2(conv2(bn1(conv1(input)).relu()))
        let identity = try downsample.map { try $0(input) } ?? input
        return try (residual + identity).relu()
    }
}

@Suite struct TorchvisionBlockTests {
    @Test func basicBlockHasTorchvisionsKeysInOrder() throws {
        let fixture = try LayerCase("torchvision_basic_block")
        try fixture.expectSameKeys(BasicBlock(inputChannels: 4, outputChannels: 8, stride: 2))
        #expect(fixture.keys.count == 18)
    }

    @Test func basicBlockParityInBothModes() throws {
        let fixture = try LayerCase("torchvision_basic_block")
        try fixture.expectParity(BasicBlock(inputChannels: 4, outputChannels: 8, stride: 2), mode: .training)
        try fixture.expectParity(BasicBlock(inputChannels: 4, outputChannels: 8, stride: 2), mode: .evaluation)
    }
}
