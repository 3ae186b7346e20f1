// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchTestSupport

/// `Tensor.liveCount` is process-wide. Run these with `swift test --no-parallel` (as the project's test
/// command does), where the first attempt is exact; to tolerate tensors that concurrently running tests
/// create and free meanwhile, a check that sees a difference repeats its body up to ten times and fails
/// only if no attempt comes back to the baseline.
private func expectBackToBaseline(_ label: String, sourceLocation: SourceLocation = #_sourceLocation,
                                  _ body: () throws -> Void) throws {
    var leaked = 0
    for _ in 0 ..< 10 {
        let before = Tensor.liveCount
        try body()
        leaked = Tensor.liveCount - before
        if leaked == 0 { return }
    }
    Issue.record("\(label): \(leaked) tensor handle(s) still alive after the body returned",
                 sourceLocation: sourceLocation)
}

@Suite(.serialized) struct LifetimeTests {
    @Test func creatingAndDroppingTensors() throws {
        try expectBackToBaseline("creation") {
            let a = try Tensor.randn([4, 4], generator: Generator(seed: 1))
            let b = try a.matmul(a.t()).relu()
            let (values, indices) = try b.max(axis: 1)
            let pieces = try b.chunked(2)
            let all = [a, b, values, indices] + pieces
            #expect(all.count == 6)
            #expect(Tensor.liveCount >= 6)
        }
    }

    @Test func forwardAndBackward() throws {
        try expectBackToBaseline("forward + backward") {
            let image = try Tensor.randn([2, 3, 8, 8], generator: Generator(seed: 2)).requiringGradient()
            let weight = try (Tensor.randn([4, 3, 3, 3], generator: Generator(seed: 3)) * 0.1).requiringGradient()
            let logits = try image.conv2d(weight: weight, padding: (1, 1)).relu().adaptiveAvgPool2d(outputSize: (1, 1))
                .flattened(from: 1)
            let loss = try crossEntropy(logits: logits, targets: ints([0, 3]))
            try loss.backward()
            #expect(try weight.gradient() != nil)
            #expect(try image.gradient() != nil)
        }
    }

    @Test func autogradGradOfAnIntermediate() throws {
        try expectBackToBaseline("autograd.grad") {
            let x = try Tensor.randn([3, 5], generator: Generator(seed: 4)).requiringGradient()
            let hidden = try x.sigmoid()
            let output = try hidden.square().sum()
            let grads = try gradients(of: [output], withRespectTo: [hidden, x], createGraph: true)
            let second = try gradients(of: grads[1]!.sum(), withRespectTo: [x])
            #expect(second.count == 1)
        }
    }

    @Test func thrownErrorsLeakNothing() throws {
        try expectBackToBaseline("errors") {
            let a = try Tensor.zeros([2, 3])
            #expect(throws: TorchError.self) { try a.matmul(Tensor.zeros([4, 5])) }
            #expect(throws: TorchError.self) { try a.select(axis: 0, index: 10) }
            #expect(throws: TorchError.self) { try Tensor.zeros([2, 2], dtype: .float64).max(axis: 5) }
            #expect(throws: TorchError.self) { try Tensor([1, 2, 2, 4] as [Double], shape: [2, 2]).inverse() }
            #expect(throws: TorchError.self) { try Tensor.zeros([1, 3]).svd().u.select(axis: 0, index: 9) }
            #expect(throws: TorchError.self) { try a.sum().backward() }
            #expect(throws: TorchError.self) { try gradients(of: a.sum(), withRespectTo: [a]) }
        }
    }

    @Test func inPlaceUpdatesKeepTheHandleCount() throws {
        try expectBackToBaseline("in-place updates") {
            let parameter = try Tensor.zeros([3])
            try parameter.fillInPlace(2)
            try parameter.addInPlace(Tensor.ones([3]), scaledBy: 0.5)
            try parameter.multiplyInPlace(by: 2)
            try parameter.copyInPlace(from: Tensor.full([3], value: 4))
            #expect(try parameter.hostArray(of: Float.self) == [4, 4, 4])
            try parameter.fillInPlace(2)
            try parameter.addInPlace(Tensor.ones([3]), scaledBy: 0.5)
            try parameter.multiplyInPlace(by: 2)
            #expect(try parameter.hostArray(of: Float.self) == [5, 5, 5])
            try parameter.setData(Tensor.zeros([5]))
            #expect(parameter.shape == [5])
        }
    }
}
