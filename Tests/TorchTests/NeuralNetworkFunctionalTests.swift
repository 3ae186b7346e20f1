// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchTestSupport

/// A batch-norm closure: clones the running statistics (updated in place in training mode) and returns the
/// output with both statistics after the update.
private func batchNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVariance: Tensor,
                       momentum: Double, eps: Double) throws -> [Tensor] {
    let mean = try runningMean.clone()
    let variance = try runningVariance.clone()
    let y = try x.batchNorm(weight: weight, bias: bias, runningMean: mean, runningVariance: variance, training: true,
                            momentum: momentum, eps: eps)
    return [y, mean, variance]
}

extension OpCase {
    /// Mirrors `nn()` in fixtures_ops.py. Convolutions and batch norm sum 36–100 products per output
    /// through oneDNN/im2col in an order that may differ from PyTorch's run, so they allow rtol 1e-4,
    /// atol 1e-5 (gradients with respect to weights sum over the whole batch: atol 1e-4).
    static let nn = table("nn", [
        OpCase("conv2d", rtol: 1e-4, atol: 1e-5, gradientAtol: 1e-4) { x in try x[0].conv2d(weight: x[1], bias: x[2]) },
        OpCase("conv2d_stride2_pad1", rtol: 1e-4, atol: 1e-5, gradientAtol: 1e-4) { x in
            try x[0].conv2d(weight: x[1], bias: x[2], stride: (2, 2), padding: (1, 1))
        },
        OpCase("conv2d_dilation2_nobias", rtol: 1e-4, atol: 1e-5, gradientAtol: 1e-4) { x in
            try x[0].conv2d(weight: x[1], padding: (2, 2), dilation: (2, 2))
        },
        OpCase("conv2d_groups2", rtol: 1e-4, atol: 1e-5, gradientAtol: 1e-4) { x in
            try x[0].conv2d(weight: x[1], bias: x[2], padding: (1, 1), groups: 2)
        },
        OpCase("conv2d_depthwise", rtol: 1e-4, atol: 1e-5, gradientAtol: 1e-4) { x in
            try x[0].conv2d(weight: x[1], padding: (1, 1), groups: 4)
        },
        OpCase("conv2d_rect", rtol: 1e-4, atol: 1e-5, gradientAtol: 1e-4) { x in
            try x[0].conv2d(weight: x[1], stride: (2, 1), padding: (0, 1))
        },
        OpCase("conv2d_float64", rtol: 1e-10, atol: 1e-12) { x in
            try x[0].conv2d(weight: x[1], bias: x[2], padding: (1, 1))
        },
        OpCase("linear") { x in try x[0].linear(weight: x[1], bias: x[2]) },
        OpCase("linear_3d_nobias") { x in try x[0].linear(weight: x[1]) },
        OpCase("batch_norm_train", rtol: 1e-4, atol: 1e-5, outputs: { x in
            try batchNorm(x[0], weight: x[1], bias: x[2], runningMean: x[3], runningVariance: x[4], momentum: 0.1,
                          eps: 1e-5)
        }),
        OpCase("batch_norm_train_plain", rtol: 1e-4, atol: 1e-5, outputs: { x in
            try batchNorm(x[0], weight: nil, bias: nil, runningMean: x[1], runningVariance: x[2], momentum: 0.3,
                          eps: 1e-3)
        }),
        OpCase("batch_norm_train_2d", rtol: 1e-4, atol: 1e-5, outputs: { x in
            try batchNorm(x[0], weight: x[1], bias: x[2], runningMean: x[3], runningVariance: x[4], momentum: 0.1,
                          eps: 1e-5)
        }),
        OpCase("batch_norm_eval") { x in
            try x[0].batchNorm(weight: x[1], bias: x[2], runningMean: x[3], runningVariance: x[4], training: false)
        },
        OpCase("max_pool_3_2_1") { x in try x[0].maxPool2d(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)) },
        OpCase("max_pool_2") { x in try x[0].maxPool2d(kernelSize: (2, 2)) },
        OpCase("max_pool_ceil") { x in try x[0].maxPool2d(kernelSize: (2, 2), stride: (2, 2), ceilMode: true) },
        OpCase("max_pool_dilation") { x in
            try x[0].maxPool2d(kernelSize: (2, 2), stride: (1, 1), dilation: (2, 2))
        },
        OpCase("max_pool_rect") { x in try x[0].maxPool2d(kernelSize: (3, 2), stride: (2, 1)) },
        OpCase("avg_pool_3_2_1") { x in try x[0].avgPool2d(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)) },
        OpCase("avg_pool_3_2_1_exclude_pad") { x in
            try x[0].avgPool2d(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)
        },
        OpCase("avg_pool_ceil") { x in try x[0].avgPool2d(kernelSize: (2, 2), stride: (2, 2), ceilMode: true) },
        OpCase("avg_pool_ceil_pad_exclude") { x in
            try x[0].avgPool2d(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true,
                               countIncludePad: false)
        },
        OpCase("adaptive_avg_3") { x in try x[0].adaptiveAvgPool2d(outputSize: (3, 3)) },
        OpCase("adaptive_avg_1") { x in try x[0].adaptiveAvgPool2d(outputSize: (1, 1)) },
        OpCase("adaptive_avg_rect") { x in try x[0].adaptiveAvgPool2d(outputSize: (2, 5)) },
        OpCase("adaptive_max_2_3") { x in try x[0].adaptiveMaxPool2d(outputSize: (2, 3)) },
        OpCase("nearest_up") { x in try x[0].interpolate(size: (10, 13), mode: .nearest) },
        OpCase("nearest_down") { x in try x[0].interpolate(size: (4, 3), mode: .nearest) },
        OpCase("bilinear_up") { x in try x[0].interpolate(size: (10, 13)) },
        OpCase("bilinear_up_align") { x in try x[0].interpolate(size: (10, 13), alignCorners: true) },
        OpCase("bilinear_down") { x in try x[0].interpolate(size: (4, 3)) },
        OpCase("bilinear_down_align") { x in try x[0].interpolate(size: (4, 3), alignCorners: true) },
        OpCase("bilinear_down_antialias") { x in try x[0].interpolate(size: (4, 3), antialias: true) },
        OpCase("bilinear_down_antialias_align") { x in
            try x[0].interpolate(size: (3, 5), alignCorners: true, antialias: true)
        },
        OpCase("bilinear_up_antialias") { x in try x[0].interpolate(size: (9, 11), antialias: true) },
        OpCase("pad_constant") { x in try x[0].padded([1, 2, 0, 1], value: 0.5) },
        OpCase("pad_reflect") { x in try x[0].padded([2, 1, 1, 2], mode: .reflect) },
        OpCase("pad_replicate") { x in try x[0].padded([1, 1, 2, 0], mode: .replicate) },
        OpCase("pad_last_only") { x in try x[0].padded([3, 0]) },
        OpCase("pad_constant_2d") { x in try x[0].padded([1, 1, 2, 0], value: -1) },
        OpCase("max_pool_float64") { x in try x[0].maxPool2d(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)) },
        OpCase("bilinear_float64") { x in try x[0].interpolate(size: (5, 9)) },
        OpCase("dropout_eval") { x in try x[0].dropout(probability: 0.5, training: false) },
        // Exact: the same Bernoulli draws from a generator seeded 21, scaled by 1 / (1 − p).
        OpCase("dropout_train_generator") { x in
            try x[0].dropout(probability: 0.3, training: true, generator: Generator(seed: 21))
        },
    ])
}

@Suite struct NeuralNetworkFunctionalTests {
    @Test(arguments: OpCase.nn)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkValues(opCase) }

    @Test func everyFixtureCaseHasASwiftMirror() throws { try checkCoverage("nn", OpCase.nn) }

    // Hand-computed cases.

    /// A 2×2 filter over a 3×3 image, as in swift-apis' LayerTests.
    @Test func conv2dByHand() throws {
        let image = try floats([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3])
        let filter = try floats([1, 0, 0, -1], [1, 1, 2, 2])
        let y = try image.conv2d(weight: filter, bias: floats([0.5]))
        #expect(y.shape == [1, 1, 2, 2])
        #expect(try y.hostArray(of: Float.self) == [-3.5, -3.5, -3.5, -3.5])
        let padded = try image.conv2d(weight: floats([1], [1, 1, 1, 1]), padding: (1, 1))
        #expect(padded.shape == [1, 1, 5, 5])
        #expect(try padded.sum().item() == 45)
        let strided = try image.conv2d(weight: floats([1], [1, 1, 1, 1]), stride: (2, 2))
        #expect(try strided.hostArray(of: Float.self) == [1, 3, 7, 9])
    }

    @Test func poolingByHand() throws {
        let image = try floats((1...16).map(Float.init), [1, 1, 4, 4])
        #expect(try image.maxPool2d(kernelSize: (2, 2)).hostArray(of: Float.self) == [6, 8, 14, 16])
        #expect(try image.avgPool2d(kernelSize: (2, 2)).hostArray(of: Float.self) == [3.5, 5.5, 11.5, 13.5])
        #expect(try image.adaptiveAvgPool2d(outputSize: (1, 1)).hostArray(of: Float.self) == [8.5])
        #expect(try image.adaptiveMaxPool2d(outputSize: (1, 2)).hostArray(of: Float.self) == [14, 16])
        // 3×3 windows with stride 2 over a 4×4 image: ceil mode adds a partial window.
        #expect(try image.maxPool2d(kernelSize: (3, 3), stride: (2, 2)).shape == [1, 1, 1, 1])
        #expect(try image.maxPool2d(kernelSize: (3, 3), stride: (2, 2), ceilMode: true).shape == [1, 1, 2, 2])
        // Padding of 1 around [[1, 2], [3, 4]]: the corner window holds 1 real value of 4 slots.
        let small = try floats([1, 2, 3, 4], [1, 1, 2, 2])
        let included = try small.avgPool2d(kernelSize: (2, 2), stride: (2, 2), padding: (1, 1))
        #expect(try included.hostArray(of: Float.self) == [0.25, 0.5, 0.75, 1])
        let excluded = try small.avgPool2d(kernelSize: (2, 2), stride: (2, 2), padding: (1, 1),
                                           countIncludePad: false)
        #expect(try excluded.hostArray(of: Float.self) == [1, 2, 3, 4])
    }

    @Test func linearAndBatchNormByHand() throws {
        let x = try floats([1, 2], [1, 2])
        let y = try x.linear(weight: floats([1, 1, 2, -1], [2, 2]), bias: floats([0, 10]))
        #expect(try y.hostArray(of: Float.self) == [3, 10])
        // Batch [0, 2] per channel: mean 1, biased variance 1, unbiased 2.
        let batch = try Tensor([0, 2] as [Double], shape: [2, 1])
        let mean = try Tensor.zeros([1], dtype: .float64)
        let variance = try Tensor.ones([1], dtype: .float64)
        let normalized = try batch.batchNorm(weight: nil, bias: nil, runningMean: mean, runningVariance: variance,
                                             training: true, momentum: 0.5, eps: 0)
        #expect(try normalized.hostArray(of: Double.self) == [-1, 1])
        #expect(try mean.hostArray(of: Double.self) == [0.5])
        #expect(try variance.hostArray(of: Double.self) == [1.5])
        let evaluated = try batch.batchNorm(weight: nil, bias: nil, runningMean: mean, runningVariance: variance,
                                            training: false, eps: 0)
        assertClose(evaluated, try Tensor([-0.5 / 1.5.squareRoot(), 1.5 / 1.5.squareRoot()] as [Double], shape: [2, 1]),
                    rtol: 1e-12, atol: 0)
        #expect(try mean.hostArray(of: Double.self) == [0.5], "eval mode leaves the running mean alone")
    }

    @Test func resizeAndPadByHand() throws {
        let x = try floats([1, 2, 3, 4], [1, 1, 2, 2])
        #expect(try x.interpolate(size: (4, 4), mode: .nearest).hostArray(of: Float.self)
                == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        #expect(try x.interpolate(size: (3, 3), alignCorners: true).hostArray(of: Float.self)
                == [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4])
        #expect(try x.interpolate(size: (1, 1)).hostArray(of: Float.self) == [2.5])
        let row = try floats([1, 2, 3], [1, 1, 3])
        #expect(try row.padded([2, 1], mode: .reflect).hostArray(of: Float.self) == [3, 2, 1, 2, 3, 2])
        #expect(try row.padded([2, 1], mode: .replicate).hostArray(of: Float.self) == [1, 1, 1, 2, 3, 3])
        #expect(try row.padded([1, 1], value: 9).hostArray(of: Float.self) == [9, 1, 2, 3, 9])
    }

    @Test func dropoutInEvaluationIsTheIdentity() throws {
        let x = try Tensor.randn([4, 5], generator: Generator(seed: 1))
        let y = try x.dropout(probability: 0.7, training: false)
        assertEqual(y, x)
        assertEqual(try x.dropout(probability: 0, training: true), x)
        #expect(try x.dropout(probability: 1, training: true).abs().sum().item() == 0)
    }

    /// Training-mode dropout zeroes about p of the elements and scales the survivors by 1 / (1 − p), with
    /// the default generator and with a seeded one.
    @Test(arguments: [0.1, 0.5, 0.8])
    func dropoutTrainingStatistics(p: Double) throws {
        let n = 20_000
        let x = try Tensor.ones([n], dtype: .float64)
        for generator in [nil, try Generator(seed: 7)] as [Generator?] {
            let values = try x.dropout(probability: p, training: true, generator: generator).hostArray(of: Double.self)
            let zeros = values.filter { $0 == 0 }.count
            let survivors = values.filter { $0 != 0 }
            #expect(survivors.allSatisfy { Swift.abs($0 - 1 / (1 - p)) < 1e-12 })
            // Binomial standard error ≤ sqrt(0.25 / 20000) ≈ 0.0035: 5 standard errors.
            #expect(Swift.abs(Double(zeros) / Double(n) - p) < 0.018, "zero fraction for p = \(p)")
            // The expectation is kept: mean ≈ 1.
            let mean = values.reduce(0, +) / Double(n)
            #expect(Swift.abs(mean - 1) < 0.1)
        }
    }
}
