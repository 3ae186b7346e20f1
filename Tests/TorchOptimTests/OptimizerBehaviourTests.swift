// Scalpel — TorchOptimTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchOptim
import TorchTestSupport

/// Optimizers built over two small parameters, `a` [3] and `b` [2, 2].
private func twoParameters(dtype: DType = .float32) throws -> (a: Tensor, b: Tensor) {
    let a = try Tensor([0.5, -1.0, 2.0] as [Float], shape: [3]).to(dtype: dtype).requiringGradient()
    let b = try Tensor([1.0, 0.25, -0.5, 3.0] as [Float], shape: [2, 2]).to(dtype: dtype).requiringGradient()
    return (a, b)
}

/// Makes `.grad` of `tensor` exactly `values` (by back-propagating `sum(tensor · values)`).
private func setGradient(_ tensor: Tensor, _ values: [Float]) throws {
    try tensor.zeroGradient()
    let gradient = try Tensor(values, shape: tensor.shape).to(dtype: tensor.dtype)
    try (tensor * gradient).sum().backward()
}

/// Every optimizer kind with settings that change parameters noticeably.
private let makers: [(name: String, make: @Sendable ([ParameterGroup]) throws -> any Optimizer)] = [
    ("SGD", { try SGD($0, learningRate: 0.1) }),
    ("SGD momentum", { try SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) }),
    ("Adam", { try Adam($0, learningRate: 0.1) }),
    ("Adam amsgrad", { try Adam($0, learningRate: 0.1, weightDecay: 0.01, amsgrad: true) }),
    ("AdamW", { try AdamW($0, learningRate: 0.1) }),
]

@Suite("Optimizer behaviour")
struct OptimizerBehaviourTests {
    @Test("Parameters whose gradient is nil are untouched and get no state")
    func nilGradientsAreSkipped() throws {
        for (name, make) in makers {
            let (a, b) = try twoParameters()
            let optimizer = try make([ParameterGroup(parameters: [("a", a), ("b", b)])])
            let bBefore = try b.detached().clone()
            let aBefore = try a.detached().clone()
            for _ in 0 ..< 3 {
                try setGradient(a, [1, -2, 3])
                try b.zeroGradient()
                try optimizer.step()
            }
            assertEqual(b, bBefore, "\(name) b")
            #expect(try a.ne(aBefore).any().item() != 0, "\(name) must change a")
            let state = try optimizer.stateDict()
            #expect(!state.tensors.keys.contains { $0.hasPrefix("b.") }, "\(name): \(state.tensors.keys)")
        }
    }

    @Test("A parameter's Adam step count starts with its first gradient")
    func adamStepCountsArePerParameter() throws {
        let (a, b) = try twoParameters()
        let optimizer = try Adam([ParameterGroup(parameters: [("a", a), ("b", b)])], learningRate: 0.1)
        try setGradient(a, [1, 1, 1])
        try optimizer.step()
        try setGradient(a, [1, 1, 1])
        try setGradient(b, [1, 1, 1, 1])
        try optimizer.step()
        let state = try optimizer.stateDict()
        #expect(try state.tensors.required("a.step").item() == 2)
        #expect(try state.tensors.required("b.step").item() == 1)
        #expect(try state.tensors.required("a.step").dtype == .float32)
        #expect(try state.tensors.required("a.step").shape == [])
    }

    @Test("SGD momentum buffers start when a parameter first has a gradient, even after others")
    func sgdLateBuffersMatchFreshOnes() throws {
        // b joins after a has a buffer: its first momentum step must equal a fresh optimizer's first step.
        let (a, b) = try twoParameters()
        let optimizer = try SGD([ParameterGroup(parameters: [("a", a), ("b", b)])], learningRate: 0.1, momentum: 0.9,
                                dampening: 0.5)
        try setGradient(a, [1, 2, 3])
        try optimizer.step()
        try setGradient(a, [1, 2, 3])
        try setGradient(b, [4, 3, 2, 1])
        try optimizer.step()

        let (_, reference) = try twoParameters()
        let fresh = try SGD([ParameterGroup(parameters: [("b", reference)])], learningRate: 0.1, momentum: 0.9,
                            dampening: 0.5)
        try setGradient(reference, [4, 3, 2, 1])
        try fresh.step()
        assertEqual(b, reference, "b")
        let state = try optimizer.stateDict()
        assertEqual(try state.tensors.required("b.momentum_buffer"), try Tensor([4, 3, 2, 1] as [Float], shape: [2, 2]))
    }

    @Test("A per-group learning-rate change takes effect on the next step")
    func learningRateChange() throws {
        for (name, make) in makers {
            let (a, b) = try twoParameters()
            let optimizer = try make([ParameterGroup(name: "first", parameters: [("a", a)]),
                                      ParameterGroup(name: "second", parameters: [("b", b)])])
            try optimizer.setLearningRate(0, forGroup: 1)
            #expect(optimizer.learningRates == [optimizer.learningRate(forGroup: 0), 0], "\(name)")
            #expect(optimizer.groups[1].learningRate == 0, "\(name)")
            let aBefore = try a.detached().clone()
            let bBefore = try b.detached().clone()
            try setGradient(a, [1, 1, 1])
            try setGradient(b, [1, 1, 1, 1])
            try optimizer.step()
            assertEqual(b, bBefore, "\(name): group 1 at learning rate 0")
            #expect(try a.ne(aBefore).all().item() != 0, "\(name): group 0 still steps")

            try optimizer.setLearningRate(0.1, forGroup: 1)
            try setGradient(b, [1, 1, 1, 1])
            try a.zeroGradient()
            try optimizer.step()
            #expect(try b.ne(bBefore).all().item() != 0, "\(name): group 1 steps after the change")
        }
    }

    @Test("Plain SGD applies exactly p − lr · g with the learning rate in effect")
    func plainSGDUpdate() throws {
        let (a, _) = try twoParameters()
        let optimizer = try SGD([ParameterGroup(parameters: [("a", a)])], learningRate: 0.5)
        try optimizer.setLearningRate(0.25)
        try setGradient(a, [1, -2, 4])
        try optimizer.step()
        assertClose(a, try Tensor([0.25, -0.5, 1.0] as [Float], shape: [3]), rtol: 0, atol: 1e-7)
    }

    @Test("Per-group hyperparameters override the defaults")
    func groupOverrides() throws {
        let (a, b) = try twoParameters()
        let adam = try Adam([ParameterGroup(name: "x", parameters: [("a", a)], learningRate: 0.5, weightDecay: 0.1,
                                            betas: (0.8, 0.9)),
                             ParameterGroup(name: "y", parameters: [("b", b)])],
                            learningRate: 0.01, betas: (0.85, 0.95), weightDecay: 0.2)
        let groups = adam.groups
        #expect(groups.map(\.name) == ["x", "y"])
        #expect(groups[0].learningRate == 0.5 && groups[0].weightDecay == 0.1)
        #expect(groups[0].betas?.0 == 0.8 && groups[0].betas?.1 == 0.9)
        #expect(groups[1].learningRate == 0.01 && groups[1].weightDecay == 0.2)
        #expect(groups[1].betas?.0 == 0.85 && groups[1].betas?.1 == 0.95)
        #expect(groups[1].keys == ["b"] && groups[1].tensors[0] === b)

        let (c, d) = try twoParameters()
        let sgd = try SGD([ParameterGroup(parameters: [("c", c)], momentum: 0.5),
                           ParameterGroup(parameters: [("d", d)], learningRate: 0.2)], learningRate: 0.1, momentum: 0.9)
        #expect(sgd.groups.map(\.momentum) == [0.5, 0.9])
        #expect(sgd.learningRates == [0.1, 0.2])
    }

    @Test("zeroGradients drops gradients, or zeroes them in place")
    func zeroGradients() throws {
        let (a, b) = try twoParameters()
        let optimizer = try SGD([ParameterGroup(parameters: [("a", a), ("b", b)])])
        try setGradient(a, [1, 2, 3])
        try setGradient(b, [1, 2, 3, 4])
        try optimizer.zeroGradients(setToNone: false)
        let zeroed = try #require(try a.gradient())
        assertEqual(zeroed, try Tensor.zeros([3]))
        try optimizer.zeroGradients()
        #expect(try a.gradient() == nil)
        #expect(try b.gradient() == nil)
    }

    @Test("Float32 and float64 parameters in one group step as in separate optimizers", arguments: [0, 1, 2, 3, 4])
    func mixedDTypesInOneGroup(_ index: Int) throws {
        let (name, make) = makers[index]
        let single = try twoParameters(dtype: .float32).a
        let double = try twoParameters(dtype: .float64).b
        let mixed = try make([ParameterGroup(parameters: [("single", single), ("double", double)])])
        let singleAlone = try twoParameters(dtype: .float32).a
        let doubleAlone = try twoParameters(dtype: .float64).b
        let separate = [try make([ParameterGroup(parameters: [("single", singleAlone)])]),
                        try make([ParameterGroup(parameters: [("double", doubleAlone)])])]
        for step in 0 ..< 4 {
            let scale = Float(step + 1)
            for tensor in [single, singleAlone] { try setGradient(tensor, [scale, -1, 0.5]) }
            for tensor in [double, doubleAlone] { try setGradient(tensor, [0.1, scale, -2, 1]) }
            try mixed.step()
            for optimizer in separate { try optimizer.step() }
        }
        #expect(single.dtype == .float32 && double.dtype == .float64)
        assertEqual(single, singleAlone, "\(name) float32")
        assertEqual(double, doubleAlone, "\(name) float64")
    }

    @Test("Float64 parameters follow the float32 trajectory", arguments: OptimizerCase.all)
    func float64MatchesFloat32(_ configuration: OptimizerCase) throws {
        let single = try TinyModel(dtype: .float32)
        let double = try TinyModel(dtype: .float64)
        let singleOptimizer = try configuration.make(single)
        let doubleOptimizer = try configuration.make(double)
        let fixture = try configuration.fixture()
        for step in 1 ... 5 {
            let gradients = try Dictionary(uniqueKeysWithValues: TinyModel.keys.map {
                ($0, try fixture.required("grad.\(step).\($0)"))
            })
            try single.setGradients(gradients)
            try double.setGradients(gradients)
            try singleOptimizer.step()
            try doubleOptimizer.step()
        }
        for key in TinyModel.keys {
            #expect(double[key].dtype == .float64)
            assertClose(double[key], single[key], rtol: 1e-5, atol: 1e-6, "\(configuration.name) \(key)")
        }
    }

    @Test("Half-precision parameters step too (bfloat16)")
    func bfloat16() throws {
        let (a, _) = try twoParameters(dtype: .bfloat16)
        let optimizer = try AdamW([ParameterGroup(parameters: [("a", a)])], learningRate: 0.1)
        try setGradient(a, [1, -1, 1])
        try optimizer.step()
        // One Adam step moves each element by about the learning rate against the gradient's sign.
        assertClose(a, try Tensor([0.4, -0.9, 1.9] as [Float], shape: [3]), rtol: 0.01, atol: 0.01)
        #expect(a.dtype == .bfloat16)
    }

    @Test("A gradient that does not match its parameter throws and changes nothing")
    func mismatchedGradient() throws {
        let (a, b) = try twoParameters()
        let optimizer = try Adam([ParameterGroup(parameters: [("a", a), ("b", b)])])
        try setGradient(a, [1, 1, 1])
        try setGradient(b, [1, 1, 1, 1])
        // Replace b's values by a tensor of another shape, keeping its (now mismatched) gradient.
        try b.setData(try Tensor.zeros([5]))
        let aBefore = try a.detached().clone()
        let error = #expect(throws: OptimizerError.self) { try optimizer.step() }
        guard case .invalidGradient(let key, let reason)? = error else {
            Issue.record("expected invalidGradient, got \(String(describing: error))")
            return
        }
        #expect(key == "b" && reason.contains("[5]") && reason.contains("[2, 2]"), "\(reason)")
        assertEqual(a, aBefore, "a must not step when another gradient is invalid")
        #expect(try optimizer.stateDict().tensors.isEmpty)
    }

    @Test("CUDA and CPU parameters in one group", .enabled(if: Device.isCUDAAvailable))
    func mixedDevices() throws {
        for (name, make) in makers {
            let cpu = try twoParameters().a
            let cuda = try twoParameters().b.detached().to(device: .cuda(0)).requiringGradient()
            let mixed = try make([ParameterGroup(parameters: [("cpu", cpu), ("cuda", cuda)])])
            let cpuAlone = try twoParameters().a
            let cudaOnCPU = try twoParameters().b
            let separate = try make([ParameterGroup(parameters: [("cpu", cpuAlone), ("cuda", cudaOnCPU)])])
            for _ in 0 ..< 3 {
                for tensor in [cpu, cpuAlone] { try setGradient(tensor, [1, -2, 3]) }
                for tensor in [cuda, cudaOnCPU] { try setGradient(tensor, [0.5, 1, -1, 2]) }
                try mixed.step()
                try separate.step()
            }
            #expect(cuda.device == .cuda(0))
            assertEqual(cpu, cpuAlone, "\(name) cpu")
            assertClose(cuda, cudaOnCPU, rtol: 1e-6, atol: 1e-7, "\(name) cuda")
            let state = try mixed.stateDict()
            if let step = state.tensors["cuda.step"] { #expect(step.device == .cuda(0)) }
        }
    }
}
