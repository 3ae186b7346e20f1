// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchTestSupport

extension OpCase {
    /// Mirrors `shape()` in fixtures_ops.py. Shape ops move values without arithmetic: results are exact.
    static let shape = table("shape", [
        OpCase("reshape") { x in try x[0].reshaped(to: [4, -1]) },
        OpCase("permute") { x in try x[0].permuted([2, 0, 1]) },
        OpCase("transpose") { x in try x[0].transposed(0, 2) },
        OpCase("t") { x in try x[0].t() },
        OpCase("expand") { x in try x[0].expanded(to: [2, 3, 4]) },
        OpCase("expand_keep") { x in try x[0].expanded(to: [-1, 4]) },
        OpCase("repeat") { x in try x[0].repeated([2, 1, 3]) },
        OpCase("repeat_new_axis") { x in try x[0].repeated([2, 1, 1]) },
        OpCase("squeeze_all") { x in try x[0].squeezed() },
        OpCase("squeeze_2") { x in try x[0].squeezed(axis: 2) },
        OpCase("squeeze_noop") { x in try x[0].squeezed(axis: 1) },
        OpCase("unsqueeze_1") { x in try x[0].unsqueezed(axis: 1) },
        OpCase("unsqueeze_last") { x in try x[0].unsqueezed(axis: -1) },
        OpCase("flatten_all") { x in try x[0].flattened() },
        OpCase("flatten_1_2") { x in try x[0].flattened(from: 1, to: 2) },
        OpCase("flatten_0_1") { x in try x[0].flattened(from: 0, to: 1) },
        OpCase("flip_0_2") { x in try x[0].flipped(axes: [0, 2]) },
        OpCase("flip_last") { x in try x[0].flipped(axes: [-1]) },
        OpCase("slice_from_1") { x in try x[0].slice(axis: 2, start: 1) },
        OpCase("slice_negative") { x in try x[0].slice(axis: 1, start: -3, end: -1) },
        OpCase("slice_step_2") { x in try x[0].slice(axis: -1, step: 2) },
        OpCase("slice_negative_start_step") { x in try x[0].slice(axis: -1, start: -4, step: 3) },
        OpCase("slice_clamped") { x in try x[0].slice(axis: 1, start: 1, end: 100) },
        OpCase("slice_empty") { x in try x[0].slice(axis: 1, start: 2, end: 1) },
        OpCase("select_1_last") { x in try x[0].select(axis: 1, index: -1) },
        OpCase("select_0_1") { x in try x[0].select(axis: 0, index: 1) },
        OpCase("index_select") { x in try x[0].indexSelect(axis: 2, indices: ints([3, 0, 3])) },
        OpCase("masked_select") { x in try x[0].maskedSelect(x[0].gt(0)) },
        OpCase("chunk_3_of_7", outputs: { x in try x[0].chunked(3) }),
        OpCase("chunk_2_last", outputs: { x in try x[0].chunked(2, axis: -1) }),
        OpCase("chunk_4_of_6", outputs: { x in try x[0].chunked(4) }),
        OpCase("cat_1") { x in try Tensor.cat(x, axis: 1) },
        OpCase("cat_last") { x in try Tensor.cat(x, axis: -1) },
        OpCase("stack_0") { x in try Tensor.stack(x) },
        OpCase("stack_last") { x in try Tensor.stack(x, axis: -1) },
        OpCase("gather_1") { x in try x[0].gather(axis: 1, indices: x[1]) },
        OpCase("scatter_1") { x in try x[0].scatter(axis: 1, indices: x[1], source: x[2]) },
        OpCase("index_select_int") { x in try x[0].indexSelect(axis: 0, indices: x[1]) },
        OpCase("masked_select_broadcast") { x in try x[0].maskedSelect(x[1]) },
        OpCase("nonzero") { x in try x[0].nonzero() },
        OpCase("nonzero_bool") { x in try x[0].nonzero() },
        OpCase("one_hot") { x in try x[0].oneHot(classCount: 5) },
        OpCase("one_hot_2d") { x in try x[0].oneHot(classCount: 3) },
        OpCase("reshape_int") { x in try x[0].reshaped(to: [-1, 2]) },
        OpCase("flip_bool") { x in try x[0].flipped(axes: [0]) },
        OpCase("contiguous_of_permuted") { x in try x[0].permuted([0, 2, 1]).contiguous() },
        OpCase("channels_last") { x in try x[0].channelsLast() },
    ])
}

@Suite struct TensorShapeTests {
    @Test(arguments: OpCase.shape)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkValues(opCase) }

    @Test func everyFixtureCaseHasASwiftMirror() throws { try checkCoverage("shape", OpCase.shape) }

    /// Layout changes keep the values and give PyTorch's strides.
    @Test func memoryLayoutsHavePyTorchStrides() throws {
        let fixture = try OpFixture("shape")
        func strides(_ key: String) throws -> [Int] { try fixture.required("strides.\(key)").hostArray(of: Int.self) }
        let x = try fixture.required("contiguous_of_permuted.in0")
        let permuted = try x.permuted([0, 2, 1])
        #expect(permuted.strides == (try strides("permuted")))
        #expect(!permuted.isContiguous())
        let packed = try permuted.contiguous()
        #expect(packed.strides == (try strides("contiguous_of_permuted")))
        #expect(packed.isContiguous())

        let image = try fixture.required("channels_last.in0")
        let nhwc = try image.channelsLast()
        #expect(nhwc.shape == image.shape)
        #expect(nhwc.strides == (try strides("channels_last")))
        #expect(nhwc.strides == [60, 1, 15, 3])
        #expect(nhwc.isContiguous(.channelsLast))
        #expect(!nhwc.isContiguous())
        assertEqual(nhwc, image)
        // Element-wise ops keep the layout; contiguous() brings it back to NCHW.
        #expect(try nhwc.relu().strides == (try strides("channels_last_relu")))
        let back = try nhwc.contiguous()
        #expect(back.strides == (try strides("channels_last_back")))
        assertEqual(back, image)
        // Already in the format: the same storage comes back.
        #expect(try image.contiguous().sharesStorage(with: image))
        #expect(try nhwc.contiguous(.preserve).sharesStorage(with: nhwc))
    }

    // Hand-computed cases on arange(6) = [[0, 1, 2], [3, 4, 5]].

    @Test func viewsAndCopies() throws {
        let x = try Tensor.arange(to: 6).reshaped(to: [2, 3])
        #expect(try x.t().hostArray(of: Int.self) == [0, 3, 1, 4, 2, 5])
        #expect(try x.t().sharesStorage(with: x))
        #expect(try x.flipped(axes: [1]).hostArray(of: Int.self) == [2, 1, 0, 5, 4, 3])
        #expect(try x.select(axis: 1, index: 2).hostArray(of: Int.self) == [2, 5])
        #expect(try x.slice(axis: 1, start: -2).hostArray(of: Int.self) == [1, 2, 4, 5])
        #expect(try x.slice(axis: 1, start: 0, end: 3, step: 2).hostArray(of: Int.self) == [0, 2, 3, 5])
        #expect(try x.slice(axis: 0, start: 1).sharesStorage(with: x))
        #expect(try x.repeated([1, 2]).hostArray(of: Int.self) == [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
        #expect(try x.unsqueezed(axis: 0).shape == [1, 2, 3])
        #expect(try x.unsqueezed(axis: 0).squeezed().shape == [2, 3])
        #expect(try x.reshaped(to: [3, -1]).shape == [3, 2])
        #expect(try x.flattened().shape == [6])
        #expect(try x.expanded(to: [4, 2, 3]).shape == [4, 2, 3])
        #expect(try x.permuted([1, 0]).hostArray(of: Int.self) == [0, 3, 1, 4, 2, 5])
    }

    @Test func joinsAndSplits() throws {
        let a = try ints([1, 2])
        let b = try ints([3, 4])
        #expect(try Tensor.cat([a, b]).hostArray(of: Int.self) == [1, 2, 3, 4])
        #expect(try Tensor.stack([a, b]).shape == [2, 2])
        #expect(try Tensor.stack([a, b], axis: 1).hostArray(of: Int.self) == [1, 3, 2, 4])
        let pieces = try Tensor.arange(to: 5).chunked(2)
        #expect(pieces.count == 2)
        #expect(try pieces[0].hostArray(of: Int.self) == [0, 1, 2])
        #expect(try pieces[1].hostArray(of: Int.self) == [3, 4])
    }

    @Test func indexing() throws {
        let x = try floats([10, 20, 30, 40, 50, 60], [2, 3])
        #expect(try x.indexSelect(axis: 1, indices: ints([2, 0])).hostArray(of: Float.self) == [30, 10, 60, 40])
        #expect(try x.gather(axis: 1, indices: ints([0, 0, 2, 1], [2, 2])).hostArray(of: Float.self)
                == [10, 10, 60, 50])
        let scattered = try Tensor.zeros([2, 3]).scatter(axis: 1, indices: ints([2, 0], [2, 1]),
                                                        source: floats([7, 8], [2, 1]))
        #expect(try scattered.hostArray(of: Float.self) == [0, 0, 7, 8, 0, 0])
        #expect(try x.maskedSelect(x.gt(25)).hostArray(of: Float.self) == [30, 40, 50, 60])
        #expect(try floats([0, 3, 0, 4]).nonzero().hostArray(of: Int.self) == [1, 3])
        #expect(try floats([0, 3, 0, 4]).nonzero().shape == [2, 1])
        let oneHot = try ints([2, 0]).oneHot(classCount: 3)
        #expect(oneHot.dtype == .int64)
        #expect(try oneHot.hostArray(of: Int.self) == [0, 0, 1, 1, 0, 0])
    }
}
