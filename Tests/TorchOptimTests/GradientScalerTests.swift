// Scalpel — TorchOptimTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
@testable import TorchOptim

@Suite struct GradientScalerTests {
    /// A parameter whose gradient after backward of `scale · Σ w·x` is `scale · x`.
    func parameterWithGradient(_ values: [Float], scaler: GradientScaler) throws -> Tensor {
        let weight = try Tensor([Float](repeating: 1, count: values.count), shape: [values.count])
        try weight.setRequiresGradient(true)
        let loss = try (weight * Tensor(values, shape: [values.count])).sum()
        try scaler.scaled(loss).backward()
        return weight
    }

    @Test func unscalingRecoversTheGradientsExactly() throws {
        let scaler = try GradientScaler(initialScale: 1024)
        let weight = try parameterWithGradient([0.5, -2, 3e-6], scaler: scaler)
        #expect(try weight.gradient()!.hostArray(of: Float.self) == [512, -2048, 1024 * 3e-6])
        #expect(try scaler.unscale([weight]))
        #expect(try weight.gradient()!.hostArray(of: Float.self) == [0.5, -2, 3e-6])
    }

    @Test func overflowSkipsTheStepAndBacksOff() throws {
        var scaler = try GradientScaler(initialScale: 8, growthInterval: 3)
        let weight = try parameterWithGradient([1, .infinity], scaler: scaler)
        #expect(try scaler.unscale([weight]) == false)
        scaler.update(gradientsFinite: false)
        #expect(scaler.scale == 4 && scaler.skippedSteps == 1 && scaler.finiteSteps == 0)
        let nan = try parameterWithGradient([.nan], scaler: scaler)
        #expect(try scaler.unscale([nan]) == false)
    }

    @Test func scaleGrowsAfterTheIntervalOfFiniteSteps() throws {
        var scaler = try GradientScaler(initialScale: 8, growthInterval: 3)
        for _ in 0..<2 { scaler.update(gradientsFinite: true) }
        #expect(scaler.scale == 8)
        scaler.update(gradientsFinite: true)
        #expect(scaler.scale == 16 && scaler.finiteSteps == 0)
    }

    @Test func rejectsBadSettings() {
        #expect(throws: TorchError.self) { try GradientScaler(initialScale: 0) }
        #expect(throws: TorchError.self) { try GradientScaler(backoffFactor: 1) }
        #expect(throws: TorchError.self) { try GradientScaler(growthInterval: 0) }
    }
}
