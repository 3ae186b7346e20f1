// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// The model of `fixtures_nn.py: small_cnn()`, with PyTorch's keys:
/// `features.{0..6}`, `pool`, `flatten`, `classifier.{0,1}` (index 0 is Dropout).
func makeSmallCNN(dropoutGenerator: Generator? = nil) throws -> Sequential {
    Sequential(named: [
        ("features", Sequential([
            try Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: 3, padding: 1, bias: false),
            try BatchNorm2d(featureCount: 8),
            ReLU(),
            MaxPool2d(kernelSize: 2),
            try Conv2d(inputChannels: 8, outputChannels: 16, kernelSize: 3, stride: 2, padding: 1),
            try BatchNorm2d(featureCount: 16),
            ReLU6(),
        ])),
        ("pool", AdaptiveAvgPool2d(outputSize: 1)),
        ("flatten", Flatten()),
        ("classifier", Sequential([Dropout(probability: 0.3, generator: dropoutGenerator),
                                   try Linear(inputFeatures: 16, outputFeatures: 5)])),
    ])
}
