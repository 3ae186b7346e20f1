// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport

extension OpCase {
    /// Every case of every table.
    static let all: [OpCase] = creation + arithmetic + reduction + shape + nn + losses + linalg

    /// The cases the fixture script differentiated (listed in each file's `grad_cases` metadata).
    static let differentiable: [OpCase] = {
        var names: Set<String> = []
        for file in Set(all.map(\.file)) {
            guard let fixture = try? OpFixture(file) else { continue }
            names.formUnion(fixture.caseNames(differentiable: true).map { "\(file)/\($0)" })
        }
        return all.filter { names.contains($0.testDescription) }
    }()
}

@Suite struct AutogradTests {
    /// d sum(out0 · w) / d input for each differentiated input, once with `gradients(of:withRespectTo:)`
    /// (which must leave `.grad` alone) and once with `backward()` + `gradient()`.
    @Test(arguments: OpCase.differentiable)
    func gradientsMatchPyTorch(_ opCase: OpCase) throws {
        let fixture = try OpFixture(opCase.file)
        let rtol = opCase.gradientRtol ?? opCase.rtol
        let atol = opCase.gradientAtol ?? opCase.atol
        let weights = try fixture.required("\(opCase.name).w")
        let inputs = fixture.inputs(opCase.name)
        let differentiated = inputs.indices.filter { fixture.tensors["\(opCase.name).grad\($0)"] != nil }
        try #require(!differentiated.isEmpty)
        for index in differentiated { try inputs[index].setRequiresGradient() }

        let output = try opCase.body(inputs)[0]
        #expect(output.requiresGradient)
        let viaGrad = try gradients(of: [output], withRespectTo: differentiated.map { inputs[$0] },
                                    gradientOutputs: [weights])
        for (index, gradient) in zip(differentiated, viaGrad) {
            let expected = try fixture.required("\(opCase.name).grad\(index)")
            let actual = try #require(gradient, "no gradient for in\(index)")
            expectMatches(actual, expected, rtol: rtol, atol: atol, "\(opCase.testDescription) grad\(index) (autograd.grad)")
            #expect(try inputs[index].gradient() == nil, "gradients(of:) must not fill .grad")
        }

        let loss = try (opCase.body(inputs)[0] * weights).sum()
        try loss.backward()
        for index in differentiated {
            let expected = try fixture.required("\(opCase.name).grad\(index)")
            let actual = try #require(try inputs[index].gradient(), "backward left no .grad on in\(index)")
            expectMatches(actual, expected, rtol: rtol, atol: atol, "\(opCase.testDescription) grad\(index) (backward)")
        }
    }

    @Test func everyDifferentiableFixtureCaseIsChecked() throws {
        var expected = 0
        for file in Set(OpCase.all.map(\.file)) {
            expected += try OpFixture(file).caseNames(differentiable: true).count
        }
        #expect(OpCase.differentiable.count == expected)
        #expect(expected > 150)
    }

    /// The conv → relu → max-pool → linear → cross-entropy chain of `autograd()` in fixtures_ops.py.
    struct Chain {
        let fixture: OpFixture
        let image, convWeight, convBias, fcWeight, fcBias, target: Tensor
        let conv, activation, logits, loss: Tensor

        init() throws {
            let fixture = try OpFixture("autograd")
            self.fixture = fixture
            func input(_ key: String) throws -> Tensor { try fixture.required("chain.\(key)") }
            image = try input("image")
            convWeight = try input("conv_w")
            convBias = try input("conv_b")
            fcWeight = try input("fc_w")
            fcBias = try input("fc_b")
            target = try input("target")
            for t in [image, convWeight, convBias, fcWeight, fcBias] { try t.setRequiresGradient() }
            conv = try image.conv2d(weight: convWeight, bias: convBias, padding: (1, 1))
            activation = try conv.relu()
            let pooled = try activation.maxPool2d(kernelSize: (2, 2))
            logits = try pooled.flattened(from: 1).linear(weight: fcWeight, bias: fcBias)
            loss = try crossEntropy(logits: logits, targets: target)
        }

        func expected(_ key: String) throws -> Tensor { try fixture.required("chain.\(key)") }
    }

    // The chain sums 27-term convolutions and a 64-term linear layer in float32: rtol 1e-4, atol 1e-5.
    static let chainRtol = 1e-4
    static let chainAtol = 1e-5

    /// Gradients with respect to an intermediate activation (Grad-CAM), the input image (adversarial
    /// attacks) and the parameters, all in one `gradients(of:withRespectTo:)` call.
    @Test func chainGradientsWithRespectToActivationsImageAndParameters() throws {
        let chain = try Chain()
        assertClose(chain.logits, try chain.expected("logits"), rtol: Self.chainRtol, atol: Self.chainAtol, "logits")
        assertClose(chain.loss, try chain.expected("loss"), rtol: Self.chainRtol, atol: Self.chainAtol, "loss")
        let grads = try gradients(of: chain.loss, withRespectTo: [chain.conv, chain.activation, chain.image,
                                                                  chain.convWeight, chain.convBias, chain.fcWeight,
                                                                  chain.fcBias])
        for (gradient, key) in zip(grads, ["conv", "act", "image", "conv_w", "conv_b", "fc_w", "fc_b"]) {
            assertClose(gradient, try chain.expected("grad.\(key)"), rtol: Self.chainRtol, atol: Self.chainAtol,
                        "d loss / d \(key)")
        }
        // Leaves keep no .grad after gradients(of:).
        #expect(try chain.image.gradient() == nil)
        #expect(try chain.convWeight.gradient() == nil)
    }

    /// The same gradients through backward(): leaves get .grad, a non-leaf only after retainGradient().
    @Test func chainGradientsThroughBackward() throws {
        let chain = try Chain()
        try chain.conv.retainGradient()
        #expect(!chain.conv.isLeaf && chain.image.isLeaf)
        try chain.loss.backward()
        let pairs: [(Tensor, String)] = [(chain.conv, "conv"), (chain.image, "image"), (chain.convWeight, "conv_w"),
                                         (chain.convBias, "conv_b"), (chain.fcWeight, "fc_w"), (chain.fcBias, "fc_b")]
        for (tensor, key) in pairs {
            let gradient = try #require(try tensor.gradient(), "no .grad for \(key)")
            assertClose(gradient, try chain.expected("grad.\(key)"), rtol: Self.chainRtol, atol: Self.chainAtol,
                        "\(key).grad")
        }
        #expect(try chain.activation.gradient() == nil, "a non-leaf keeps .grad only when asked to")
    }

    /// Grad-CAM: d (target-class scores) / d activation map, channel weights = its spatial mean, and the
    /// ReLU of the weighted channel sum.
    @Test func gradCAMHeatmap() throws {
        let chain = try Chain()
        let score = try chain.logits.gather(axis: 1, indices: chain.target.unsqueezed(axis: 1)).sum()
        let dActivation = try gradients(of: score, withRespectTo: [chain.activation])[0]
        assertClose(dActivation, try chain.expected("score_grad.act"), rtol: Self.chainRtol, atol: Self.chainAtol,
                    "d score / d activation")
        let channelWeights = try dActivation.mean(axes: [2, 3], keepDimensions: true)
        let heatmap = try (channelWeights * chain.activation).sum(axes: [1]).relu()
        #expect(heatmap.shape == [2, 8, 8])
        assertClose(heatmap, try chain.expected("gradcam"), rtol: Self.chainRtol, atol: Self.chainAtol, "Grad-CAM")
    }

    /// FGSM: x + ε · sign(∇ₓ loss), clamped. Signs of tiny gradients could flip under rounding; none of
    /// this fixture's gradients are that small, so the step is compared exactly up to float32 rounding.
    @Test func fgsmStep() throws {
        let chain = try Chain()
        let dImage = try gradients(of: chain.loss, withRespectTo: [chain.image])[0]
        let adversarial = try withNoGrad { try (chain.image + dImage.sign() * 0.03).clamped(min: -3, max: 3) }
        #expect(!adversarial.requiresGradient)
        assertClose(adversarial, try chain.expected("fgsm"), "FGSM image")
    }

    // Hand-computed cases.

    @Test func squareGradientIsTwoX() throws {
        let x = try floats([1, -2, 3]).requiringGradient()
        let y = try x.square().sum()
        #expect(try gradients(of: y, withRespectTo: [x])[0].hostArray(of: Float.self) == [2, -4, 6])
        #expect(try x.gradient() == nil)
    }

    @Test func backwardAccumulatesUntilZeroed() throws {
        let x = try floats([1, 2]).requiringGradient()
        try (x * 3).sum().backward()
        try (x * 3).sum().backward()
        #expect(try x.gradient()?.hostArray(of: Float.self) == [6, 6])
        try x.zeroGradient(setToNone: false)
        #expect(try x.gradient()?.hostArray(of: Float.self) == [0, 0])
        try x.zeroGradient()
        #expect(try x.gradient() == nil)
    }

    @Test func retainGraphAllowsASecondPass() throws {
        let x = try floats([2]).requiringGradient()
        let y = try (x * x).sum()
        _ = try gradients(of: [y], withRespectTo: [x], retainGraph: true)
        #expect(try gradients(of: y, withRespectTo: [x])[0].item() == 4)
        // Without retainGraph the graph is freed: a third pass is an error, not a crash.
        #expect(throws: TorchError.self) { try gradients(of: y, withRespectTo: [x]) }
    }

    /// A graph built with createGraph is retained by default (PyTorch's retain_graph=None), so a second
    /// derivative through saved values (sigmoid's output here) works.
    @Test func createGraphRetainsTheGraphByDefault() throws {
        let x = try Tensor([0.5] as [Double]).requiringGradient()
        let s = try x.sigmoid()
        let first = try #require(try gradients(of: [s.sum()], withRespectTo: [x], createGraph: true)[0])
        let second = try gradients(of: first.sum(), withRespectTo: [x])[0]
        // σ'' = σ(1 − σ)(1 − 2σ).
        let sigma: Double = 1 / (1 + Foundation.exp(-0.5 as Double))
        #expect(Swift.abs(try second.item() - sigma * (1 - sigma) * (1 - 2 * sigma)) < 1e-12)
        let y = try x.sigmoid().sum()
        try y.backward(createGraph: true)
        let grad = try #require(try x.gradient())
        try x.zeroGradient()
        try grad.sum().backward()
        #expect(Swift.abs(try #require(try x.gradient()).item() - sigma * (1 - sigma) * (1 - 2 * sigma)) < 1e-12)
    }

    @Test func createGraphGivesSecondDerivatives() throws {
        let x = try Tensor([1, 2] as [Double]).requiringGradient()
        let y = try x.pow(3).sum()
        let first = try #require(try gradients(of: [y], withRespectTo: [x], createGraph: true)[0])
        #expect(try first.hostArray(of: Double.self) == [3, 12])  // 3x²
        let second = try gradients(of: first.sum(), withRespectTo: [x])[0]
        #expect(try second.hostArray(of: Double.self) == [6, 12])  // 6x
    }

    @Test func vectorJacobianProductWithExplicitGradient() throws {
        let x = try floats([1, 2, 3]).requiringGradient()
        let y = try x * x
        try y.backward(gradient: floats([1, 0, -1]))
        #expect(try x.gradient()?.hostArray(of: Float.self) == [2, 0, -6])
    }

    @Test func unusedInputsAndDetachedTensors() throws {
        let x = try floats([1, 2]).requiringGradient()
        let unused = try floats([5]).requiringGradient()
        let y = try (x * 2).sum()
        let grads = try gradients(of: [y], withRespectTo: [x, unused], retainGraph: true, allowUnused: true)
        #expect(grads[0] != nil && grads[1] == nil)
        #expect(throws: TorchError.self) { try gradients(of: y, withRespectTo: [unused]) }
        let detached = try x.detached()
        #expect(!detached.requiresGradient && detached.sharesStorage(with: x))
        #expect(!(try (detached * 2).requiresGradient))
    }

    @Test func noGradScopesStopRecording() throws {
        let x = try floats([1]).requiringGradient()
        #expect(isGradEnabled)
        let y = try withNoGrad {
            #expect(!isGradEnabled)
            let inner = try withGrad { try x * 2 }
            #expect(inner.requiresGradient)
            return try x * 2
        }
        #expect(isGradEnabled)
        #expect(!y.requiresGradient)
        try x.setRequiresGradient(false)
        #expect(!x.requiresGradient)
    }
}
