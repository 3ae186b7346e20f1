// Scalpel — ScalpelAttacksTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import Torch
import TorchNN
import TorchTestSupport

/// The tiny CNN of `scripts/fixtures/fixtures_attacks.py` with its trained weights, seen from pixel space.
enum AttackFixture {
    static let fixtures = Fixtures(bundle: .module)
    static let mean: [Float] = [0.485, 0.456, 0.406]
    static let std: [Float] = [0.229, 0.224, 0.225]

    static func classifier() throws -> PixelClassifier {
        let network = Sequential([
            try Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
            try Conv2d(inputChannels: 8, outputChannels: 16, kernelSize: 3, padding: 1), ReLU(),
            AdaptiveAvgPool2d(outputSize: 1), Flatten(), try Linear(inputFeatures: 16, outputFeatures: 3),
        ])
        let stored = try fixtures.tensors("attack_model")
        let weights = try StateDict(stored.entries.filter { $0.key.hasPrefix("network.") }
            .map { (String($0.key.dropFirst("network.".count)), $0.tensor) })
        try network.load(weights)
        network.setMode(.evaluation)
        return try PixelClassifier(network: network, mean: mean, std: std, classCount: 3)
    }

    static func tensor(_ file: String, _ key: String) throws -> Tensor { try fixtures.tensor(file, key) }

    static func ints(_ tensor: Tensor) throws -> [Int] { try tensor.to(dtype: .int64).hostArray(of: Int64.self).map { Int($0) } }

    static func doubles(_ tensor: Tensor) throws -> [Double] { try tensor.to(dtype: .float64).hostArray(of: Double.self) }

    /// Largest |a − b| and the share of elements farther apart than `tolerance`.
    static func difference(_ a: Tensor, _ b: Tensor, tolerance: Double) throws -> (maximum: Double, share: Double) {
        let gap = try (a.to(dtype: .float64) - b.to(dtype: .float64)).abs()
        let values = try gap.hostArray(of: Double.self)
        return (values.max() ?? 0, Double(values.filter { $0 > tolerance }.count) / Double(max(values.count, 1)))
    }
}
