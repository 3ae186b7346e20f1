// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport

extension OpCase {
    /// Mirrors `creation()` in fixtures_ops.py. Random draws use a fresh `Generator` with the case's seed;
    /// libtorch's CPU generator is the one Python's `torch.Generator` wraps, so the numbers are equal, not
    /// merely alike (exact comparison: tolerance 0).
    static let creation = table("creation", [
        OpCase("arange_int") { _ in try Tensor.arange(from: 0, to: 10, step: 3) },
        OpCase("arange_float") { _ in try Tensor.arange(from: -1, to: 1, step: 0.25, dtype: .float32) },
        OpCase("arange_float64") { _ in try Tensor.arange(to: 1, step: 0.1, dtype: .float64) },
        OpCase("linspace") { _ in try Tensor.linspace(from: -2, to: 3, count: 7) },
        OpCase("linspace_float64") { _ in try Tensor.linspace(from: 0, to: 1, count: 11, dtype: .float64) },
        OpCase("eye") { _ in try Tensor.eye(4) },
        OpCase("eye_int64") { _ in try Tensor.eye(3, dtype: .int64) },
        OpCase("full") { _ in try Tensor.full([2, 3], value: 2.5) },
        OpCase("full_int32") { _ in try Tensor.full([2, 2], value: 7, dtype: .int32) },
        OpCase("zeros_bool") { _ in try Tensor.zeros([3], dtype: .bool) },
        OpCase("ones_float64") { _ in try Tensor.ones([2, 2], dtype: .float64) },
        OpCase("scalar") { _ in try Tensor.scalar(2.5) },
        OpCase("zeros_like") { x in try x[0].zerosLike() },
        OpCase("full_like") { x in try x[0].full(like: -1.5) },
        OpCase("rand", rtol: 0, atol: 0) { _ in try Tensor.rand([3, 4], generator: Generator(seed: 1)) },
        OpCase("rand_float64", rtol: 0, atol: 0) { _ in
            try Tensor.rand([5], generator: Generator(seed: 2), dtype: .float64)
        },
        OpCase("randn_small", rtol: 0, atol: 0) { _ in try Tensor.randn([5], generator: Generator(seed: 3)) },
        OpCase("randn_large", rtol: 0, atol: 0) { _ in try Tensor.randn([4, 8], generator: Generator(seed: 4)) },
        OpCase("randint") { _ in try Tensor.randint(low: 0, high: 10, shape: [3, 5], generator: Generator(seed: 5)) },
        OpCase("randint_negative") { _ in
            try Tensor.randint(low: -5, high: 5, shape: [8], generator: Generator(seed: 6), dtype: .int32)
        },
        OpCase("randperm") { _ in try Tensor.randperm(10, generator: Generator(seed: 7)) },
        OpCase("bernoulli", rtol: 0, atol: 0) { _ in
            try Tensor.zeros([4, 5]).bernoulli(probability: 0.3, generator: Generator(seed: 8))
        },
        OpCase("uniform_", rtol: 0, atol: 0) { _ in
            let t = try Tensor.empty([3, 4])
            try t.uniformInPlace(low: -2, high: 3, generator: Generator(seed: 9))
            return t
        },
        OpCase("normal_", rtol: 0, atol: 0) { _ in
            let t = try Tensor.empty([20])
            try t.normalInPlace(mean: 1, std: 0.5, generator: Generator(seed: 10))
            return t
        },
        OpCase("generator_sequence", rtol: 0, atol: 0, outputs: { _ in
            let generator = try Generator(seed: 11)
            return [try Tensor.rand([3], generator: generator), try Tensor.randn([3], generator: generator),
                    try Tensor.randint(high: 100, shape: [3], generator: generator)]
        }),
        // Seeds the process-wide default generator: a test running concurrently that draws from it could
        // interleave (none of this target's tests does between these two lines; run with --no-parallel).
        OpCase("manual_seed_rand", rtol: 0, atol: 0) { _ in
            try TorchRuntime.configure(seed: 77)
            return try Tensor.rand([4])
        },
    ])
}

@Suite struct TensorCreationTests {
    @Test(arguments: OpCase.creation)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkValues(opCase) }

    @Test func everyFixtureCaseHasASwiftMirror() throws { try checkCoverage("creation", OpCase.creation) }

    /// Every dtype converted to every dtype, bit for bit as PyTorch (float → int truncates toward zero,
    /// anything non-zero → true, float16/bfloat16 round to nearest even).
    @Test func conversionsBetweenAllTenDTypes() throws {
        let fixture = try OpFixture("conversion")
        var checked = 0
        for source in DType.allCases {
            for target in DType.allCases {
                let name = "\(source)_to_\(target)"
                let input = try fixture.required("\(name).in0")
                let expected = try fixture.required("\(name).out0")
                #expect(input.dtype == source)
                let converted = try input.to(dtype: target)
                #expect(converted.dtype == target, "\(name)")
                assertEqual(converted, expected, name)
                checked += 1
            }
        }
        #expect(checked == 100)
        #expect(fixture.caseNames().count == 100)
    }

    @Test func conversionToTheSameDTypeReturnsTheSameStorage() throws {
        let x = try floats([1, 2, 3])
        #expect(try x.to(dtype: .float32).sharesStorage(with: x))
        #expect(try !x.to(dtype: .float64).sharesStorage(with: x))
        #expect(try x.to(device: .cpu).sharesStorage(with: x))
    }

    // Hand-computed cases.

    @Test func hostValuesRoundTripInEveryElementType() throws {
        #expect(try Tensor([1.5, -2, 3] as [Float]).hostArray(of: Float.self) == [1.5, -2, 3])
        #expect(try Tensor([1.5, -2, 3] as [Double]).hostArray(of: Double.self) == [1.5, -2, 3])
        #expect(try Tensor([Int64.max, -1, 0]).hostArray(of: Int64.self) == [Int64.max, -1, 0])
        #expect(try Tensor([7, -8, 9] as [Int]).hostArray(of: Int.self) == [7, -8, 9])
        #expect(try Tensor([Int32.min, 5] as [Int32]).hostArray(of: Int32.self) == [Int32.min, 5])
        #expect(try Tensor([Int16.max, -3] as [Int16]).hostArray(of: Int16.self) == [Int16.max, -3])
        #expect(try Tensor([Int8.min, 4] as [Int8]).hostArray(of: Int8.self) == [Int8.min, 4])
        #expect(try Tensor([UInt8.max, 0] as [UInt8]).hostArray(of: UInt8.self) == [UInt8.max, 0])
        #expect(try Tensor([true, false, true]).hostArray(of: Bool.self) == [true, false, true])
        let matrix = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        #expect(matrix.shape == [2, 3])
        #expect(matrix.strides == [3, 1])
        #expect(matrix.rank == 2)
        #expect(matrix.elementCount == 6)
        #expect(matrix.dtype == .float32)
        #expect(matrix.device == .cpu)
        #expect(try matrix.hostBytes().count == 24)
    }

    @Test func literalCreationValues() throws {
        #expect(try Tensor.arange(to: 5).hostArray(of: Int.self) == [0, 1, 2, 3, 4])
        #expect(try Tensor.arange(from: 1, to: 2, step: 0.25, dtype: .float64).hostArray(of: Double.self)
                == [1, 1.25, 1.5, 1.75])
        #expect(try Tensor.linspace(from: 0, to: 1, count: 5).hostArray(of: Float.self) == [0, 0.25, 0.5, 0.75, 1])
        #expect(try Tensor.eye(3).hostArray(of: Float.self) == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(try Tensor.full([2], value: -3, dtype: .int16).hostArray(of: Int16.self) == [-3, -3])
        #expect(try Tensor.ones([2, 2], dtype: .bool).hostArray(of: Bool.self) == [true, true, true, true])
        let scalar = try Tensor.scalar(4.25, dtype: .float64)
        #expect(scalar.shape == [])
        #expect(scalar.elementCount == 1)
        #expect(try scalar.item() == 4.25)
        #expect(try Tensor.empty([0, 3]).elementCount == 0)
        #expect(try Tensor([Float]()).shape == [0])
        let like = try Tensor.ones([2, 1], dtype: .int8).onesLike()
        #expect(like.dtype == .int8 && like.shape == [2, 1])
    }

    @Test func fromBytesReadsLittleEndianElements() throws {
        let bytes: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 192]  // 1.0, -2.0 as float32
        let t = try bytes.withUnsafeBytes { try Tensor.fromBytes($0, shape: [2], dtype: .float32) }
        #expect(try t.hostArray(of: Float.self) == [1, -2])
        #expect(try t.hostBytes() == bytes)
    }

    @Test func bernoulliDrawsOnlyZerosAndOnesAtTheRightRate() throws {
        let draws = try Tensor.zeros([4000], dtype: .float64).bernoulli(probability: 0.25, generator: Generator(seed: 3))
        let values = try draws.hostArray(of: Double.self)
        #expect(values.allSatisfy { $0 == 0 || $0 == 1 })
        let rate = values.reduce(0, +) / Double(values.count)
        // Binomial standard error sqrt(0.25 · 0.75 / 4000) ≈ 0.0068; 5 standard errors.
        #expect(Swift.abs(rate - 0.25) < 0.035)
    }
}

@Suite struct GeneratorTests {
    /// The fixtures pin the PyTorch they were made with (MANIFEST.json); exact comparisons such as the
    /// random draws only hold against that libtorch.
    @Test func fixturesWereMadeWithTheLinkedLibtorch() throws {
        let data = try Data(contentsOf: Fixtures(bundle: .module).url("MANIFEST.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let torch = try #require(manifest["torch"] as? String)
        let release = torch.split(separator: "+").first.map(String.init) ?? torch
        #expect(TorchRuntime.version == release, "libtorch \(TorchRuntime.version), fixtures from torch \(torch)")
        #expect(TorchRuntime.threadCount > 0)
    }

    @Test func sameSeedGivesSameNumbers() throws {
        let a = try Tensor.randn([50], generator: Generator(seed: 42))
        let b = try Tensor.randn([50], generator: Generator(seed: 42))
        let c = try Tensor.randn([50], generator: Generator(seed: 43))
        assertEqual(a, b)
        #expect(try a.hostArray(of: Float.self) != c.hostArray(of: Float.self))
        let g = try Generator(seed: 42)
        #expect(g.seed == 42 && g.device == .cpu)
    }

    @Test func oneGeneratorAdvancesBetweenDraws() throws {
        let g = try Generator(seed: 5)
        let first = try Tensor.rand([10], generator: g)
        let second = try Tensor.rand([10], generator: g)
        #expect(try first.hostArray(of: Float.self) != second.hostArray(of: Float.self))
    }

    @Test func savedStateReplaysTheSequence() throws {
        let g = try Generator(seed: 99)
        _ = try Tensor.rand([7], generator: g)
        let state = try g.state()
        #expect(state.dtype == .uint8)
        let first = try Tensor.randn([20], generator: g)
        let firstInts = try Tensor.randint(high: 1000, shape: [5], generator: g)
        try g.setState(state)
        let replayed = try Tensor.randn([20], generator: g)
        let replayedInts = try Tensor.randint(high: 1000, shape: [5], generator: g)
        assertEqual(replayed, first)
        assertEqual(replayedInts, firstInts)

        // A state moves to another generator: it continues where the first one was.
        let other = try Generator(seed: 1)
        try other.setState(state)
        assertEqual(try Tensor.randn([20], generator: other), first)
    }

    @Test func inPlaceSamplersAndDropoutFollowTheGenerator() throws {
        let a = try Tensor.empty([16])
        let b = try Tensor.empty([16])
        try a.normalInPlace(generator: Generator(seed: 8))
        try b.normalInPlace(generator: Generator(seed: 8))
        assertEqual(a, b)
        let x = try Tensor.ones([64])
        let d1 = try x.dropout(probability: 0.5, training: true, generator: Generator(seed: 2))
        let d2 = try x.dropout(probability: 0.5, training: true, generator: Generator(seed: 2))
        assertEqual(d1, d2)
    }

    @Test func invalidStateIsRejected() throws {
        let g = try Generator(seed: 1)
        expectTorchError(.torch, operation: "setState(_:)", mentions: ["size 5056", "size to be 3"]) {
            try g.setState(Tensor.zeros([3], dtype: .uint8))
        }
        expectTorchError(.invalidType, operation: "setState(_:)", mentions: ["RNG state must be a torch.ByteTensor"]) {
            try g.setState(Tensor.zeros([5056]))
        }
    }
}
