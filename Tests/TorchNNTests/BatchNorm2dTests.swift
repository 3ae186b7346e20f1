// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

@Suite struct BatchNorm2dTests {
    @Test func defaultsInBothModes() throws {
        let bn = try BatchNorm2d(featureCount: 3)
        let fixture = try LayerCase("bn_default")
        try fixture.expectSameKeys(bn)
        #expect(bn.namedParameters.map(\.0) == ["weight", "bias"])
        #expect(bn.namedBuffers.map(\.0) == ["running_mean", "running_var", "num_batches_tracked"])
        try fixture.expectParity(bn, mode: .training)
        #expect(try bn.batchesTracked?.item() == 4)   // 3 in the fixture, plus one training step
        try fixture.expectParity(bn, mode: .evaluation)
        #expect(try bn.batchesTracked?.item() == 3)   // evaluation leaves it alone
    }

    @Test func pytorchInitialisation() throws {
        let bn = try BatchNorm2d(featureCount: 4)
        #expect(try bn.weight?.hostArray(of: Float.self) == [1, 1, 1, 1])
        #expect(try bn.bias?.hostArray(of: Float.self) == [0, 0, 0, 0])
        #expect(try bn.runningMean?.hostArray(of: Float.self) == [0, 0, 0, 0])
        #expect(try bn.runningVariance?.hostArray(of: Float.self) == [1, 1, 1, 1])
        #expect(bn.batchesTracked?.dtype == .int64)
        #expect(bn.batchesTracked?.shape == [])
        #expect(bn.weight?.requiresGradient == true)
        #expect(bn.runningMean?.requiresGradient == false)
    }

    @Test func customMomentumAndEps() throws {
        let bn = try BatchNorm2d(featureCount: 3, eps: 1e-3)
        bn.momentum = 0.3   // settable after construction, as fine-tuning recipes need
        let fixture = try LayerCase("bn_momentum_eps")
        try fixture.expectParity(bn, mode: .training)
        try fixture.expectParity(bn, mode: .evaluation)
    }

    @Test func cumulativeAverageWithoutMomentum() throws {
        let bn = try BatchNorm2d(featureCount: 3, momentum: nil)
        let fixture = try LayerCase("bn_cumulative")
        try fixture.expectParity(bn, mode: .training)
        try fixture.expectParity(bn, mode: .evaluation)
    }

    @Test func withoutAffineParameters() throws {
        let bn = try BatchNorm2d(featureCount: 3, affine: false)
        #expect(!bn.isAffine)
        try LayerCase("bn_no_affine").expectParityInBothModes(bn)
    }

    @Test func withoutRunningStatistics() throws {
        let bn = try BatchNorm2d(featureCount: 3, trackRunningStatistics: false)
        #expect(!bn.tracksRunningStatistics)
        #expect(bn.buffers().isEmpty)
        try LayerCase("bn_no_running_stats").expectParityInBothModes(bn)
    }

    @Test func runningStatisticsAfterSeveralTrainingSteps() throws {
        let fixture = try LayerCase("bn_steps")
        let bn = try BatchNorm2d(featureCount: 3, momentum: 0.2)
        try bn.load(fixture.initialState())
        bn.setMode(.training)
        for step in 0 ..< 3 {
            let output = try bn(fixture.tensor("step\(step).input"))
            assertClose(output, try fixture.tensor("step\(step).output"), rtol: 1e-5, atol: 1e-5, "step \(step) output")
            let state = try bn.stateDict()
            for key in fixture.keys {
                assertClose(try state.required(key), try fixture.tensor("step\(step).state.\(key)"),
                            rtol: 1e-5, atol: 1e-5, "step \(step) \(key)")
            }
        }
        #expect(try bn.batchesTracked?.item() == 6)
        #expect(bn.batchesTracked?.dtype == .int64)
    }

    @Test func frozenStatisticsStayBitIdenticalWhileTraining() throws {
        let fixture = try LayerCase("bn_default")
        let bn = try BatchNorm2d(featureCount: 3)
        try bn.load(fixture.initialState())
        bn.setMode(.training)
        bn.statisticsFrozen = true
        let before = try bn.buffers().map { ($0.key, try $0.tensor.clone()) }
        let input = try fixture.tensor("input").clone().requiringGradient()
        let output = try bn(input)
        let output2 = try bn(input)
        // Normalised with the running statistics: exactly what evaluation mode computes.
        assertClose(output, try fixture.tensor("eval.output"), rtol: 1e-5, atol: 1e-5, "frozen output")
        assertEqual(output, output2, "repeat")
        for ((key, snapshot), (_, buffer)) in zip(before, bn.buffers()) {
            assertEqual(buffer, snapshot, "\(key)")
        }
        #expect(try bn.batchesTracked?.item() == 3)
        // The affine parameters still receive gradients.
        let grads = try gradients(of: [output], withRespectTo: [bn.weight!, bn.bias!],
                                  gradientOutputs: [fixture.tensor("upstream")])
        assertClose(try #require(grads[0]), try fixture.tensor("eval.grad.weight"), rtol: 1e-5, atol: 1e-5)
        assertClose(try #require(grads[1]), try fixture.tensor("eval.grad.bias"), rtol: 1e-5, atol: 1e-5)
    }

    @Test func wrongInputThrowsAndChangesNothing() throws {
        let bn = try BatchNorm2d(featureCount: 3)
        let error = #expect(throws: TorchError.self) { try bn(Tensor.zeros([4, 3])) }
        #expect(error?.kind == .invalidValue)
        #expect(throws: TorchError.self) { try bn(Tensor.zeros([2, 5, 4, 4])) }           // channel count
        #expect(throws: TorchError.self) { try bn(Tensor.zeros([1, 3, 1, 1])) }           // one value per channel
        #expect(try bn.batchesTracked?.item() == 0)
        #expect(try bn.runningMean?.hostArray(of: Float.self) == [0, 0, 0])
    }
}
