// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchTestSupport

extension OpCase {
    /// Mirrors `reduction()` in fixtures_ops.py. Sums over 20–60 float32 values may be accumulated in a
    /// different order than PyTorch's vectorised kernels, so the whole-tensor reductions allow atol 1e-5.
    static let reduction = table("reduction", [
        OpCase("sum_all", atol: 1e-5) { x in try x[0].sum() },
        OpCase("sum_1_keep") { x in try x[0].sum(axes: [1], keepDimensions: true) },
        OpCase("sum_0_2", atol: 1e-5) { x in try x[0].sum(axes: [0, 2]) },
        OpCase("mean_all") { x in try x[0].mean() },
        OpCase("mean_last_keep") { x in try x[0].mean(axes: [-1], keepDimensions: true) },
        OpCase("mean_0_1") { x in try x[0].mean(axes: [0, 1]) },
        OpCase("prod_all") { x in try x[0].prod() },
        OpCase("prod_1") { x in try x[0].prod(axes: [1]) },
        OpCase("prod_0_2_keep") { x in try x[0].prod(axes: [0, 2], keepDimensions: true) },
        OpCase("amax_2") { x in try x[0].max(axes: [2]) },
        OpCase("amax_all") { x in try x[0].max() },
        OpCase("amin_0_1_keep") { x in try x[0].min(axes: [0, 1], keepDimensions: true) },
        OpCase("logsumexp_1") { x in try x[0].logSumExp(axes: [1]) },
        OpCase("logsumexp_all_keep") { x in try x[0].logSumExp(axes: [0, 1, 2], keepDimensions: true) },
        OpCase("var_1_c0") { x in try x[0].variance(axes: [1], correction: 0) },
        OpCase("var_all_c1") { x in try x[0].variance(correction: 1) },
        OpCase("var_0_2_c1_keep") { x in try x[0].variance(axes: [0, 2], correction: 1, keepDimensions: true) },
        OpCase("std_0_2_c0_keep") { x in
            try x[0].standardDeviation(axes: [0, 2], correction: 0, keepDimensions: true)
        },
        OpCase("std_last_c1") { x in try x[0].standardDeviation(axes: [-1]) },
        OpCase("std_all_c0") { x in try x[0].standardDeviation(correction: 0) },
        OpCase("norm_p1_all", atol: 1e-5) { x in try x[0].norm(p: 1) },
        OpCase("norm_p2_1_keep") { x in try x[0].norm(p: 2, axes: [1], keepDimensions: true) },
        OpCase("norm_pinf_2") { x in try x[0].norm(p: .infinity, axes: [2]) },
        OpCase("norm_p2_all") { x in try x[0].norm() },
        OpCase("max_dim_1", outputs: { x in
            let (values, indices) = try x[0].max(axis: 1)
            return [values, indices]
        }),
        OpCase("min_dim_last_keep", outputs: { x in
            let (values, indices) = try x[0].min(axis: -1, keepDimensions: true)
            return [values, indices]
        }),
        OpCase("topk_2_last", outputs: { x in
            let result = try x[0].topk(2)
            return [result.values, result.indices]
        }),
        OpCase("topk_3_1_smallest", outputs: { x in
            let result = try x[0].topk(3, axis: 1, largest: false)
            return [result.values, result.indices]
        }),
        OpCase("sort_last", outputs: { x in
            let result = try x[0].sorted()
            return [result.values, result.indices]
        }),
        OpCase("sort_0_descending", outputs: { x in
            let result = try x[0].sorted(axis: 0, descending: true, stable: true)
            return [result.values, result.indices]
        }),
        OpCase("cumsum_1") { x in try x[0].cumulativeSum(axis: 1) },
        OpCase("sum_int") { x in try x[0].sum(axes: [1]) },
        OpCase("sum_int32") { x in try x[0].sum() },
        OpCase("sum_bool") { x in try x[0].sum() },
        OpCase("prod_int") { x in try x[0].prod(axes: [0]) },
        OpCase("amax_int") { x in try x[0].max(axes: [1]) },
        OpCase("cumsum_int32") { x in try x[0].cumulativeSum(axis: 0) },
        OpCase("argmax_all") { x in try x[0].argmax() },
        OpCase("argmax_2") { x in try x[0].argmax(axis: 2) },
        OpCase("argmin_0_keep") { x in try x[0].argmin(axis: 0, keepDimensions: true) },
        OpCase("argmin_all") { x in try x[0].argmin() },
        OpCase("max_dim_int", outputs: { x in
            let (values, indices) = try x[0].max(axis: 0)
            return [values, indices]
        }),
        OpCase("sort_stable_ties", outputs: { x in
            let result = try x[0].sorted(stable: true)
            return [result.values, result.indices]
        }),
        OpCase("all_all") { x in try x[0].all() },
        OpCase("all_1") { x in try x[0].all(axes: [1]) },
        OpCase("any_0_keep") { x in try x[0].any(axes: [0], keepDimensions: true) },
        OpCase("any_all") { x in try x[0].any() },
        OpCase("all_float") { x in try x[0].all(axes: [1]) },
    ])
}

@Suite struct TensorReductionTests {
    @Test(arguments: OpCase.reduction)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkValues(opCase) }

    @Test func everyFixtureCaseHasASwiftMirror() throws { try checkCoverage("reduction", OpCase.reduction) }

    // Hand-computed cases on [[1, 2, 3], [4, 5, 6]].

    @Test func sumsMeansAndProducts() throws {
        let x = try floats([1, 2, 3, 4, 5, 6], [2, 3])
        #expect(try x.sum().item() == 21)
        #expect(try x.sum().shape == [])
        #expect(try x.sum(axes: [0]).hostArray(of: Float.self) == [5, 7, 9])
        #expect(try x.sum(axes: [1], keepDimensions: true).shape == [2, 1])
        #expect(try x.mean(axes: [-1]).hostArray(of: Float.self) == [2, 5])
        #expect(try x.prod(axes: [1]).hostArray(of: Float.self) == [6, 120])
        #expect(try x.prod().item() == 720)
        #expect(try x.max().item() == 6)
        #expect(try x.min(axes: [1]).hostArray(of: Float.self) == [1, 4])
        #expect(try x.cumulativeSum(axis: 1).hostArray(of: Float.self) == [1, 3, 6, 4, 9, 15])
        #expect(try ints([1, 2, 3]).sum().dtype == .int64)
    }

    @Test func varianceAndStandardDeviationCorrections() throws {
        let x = try Tensor([2, 4, 4, 4, 5, 5, 7, 9] as [Double])
        // Mean 5, squared deviations sum to 32.
        #expect(try x.variance(correction: 0).item() == 4)
        #expect(try x.standardDeviation(correction: 0).item() == 2)
        #expect(Swift.abs(try x.variance().item() - 32.0 / 7) < 1e-12)
    }

    @Test func normsByHand() throws {
        let x = try floats([3, -4])
        #expect(try x.norm().item() == 5)
        #expect(try x.norm(p: 1).item() == 7)
        #expect(try x.norm(p: .infinity).item() == 4)
    }

    @Test func extremaWithIndices() throws {
        let x = try floats([3, 9, 1, 4, 2, 8], [2, 3])
        let (values, indices) = try x.max(axis: 1)
        #expect(try values.hostArray(of: Float.self) == [9, 8])
        #expect(try indices.hostArray(of: Int.self) == [1, 2])
        #expect(try x.argmin(axis: 1).hostArray(of: Int.self) == [2, 1])
        #expect(try x.argmax().item() == 1)
        let top = try x.topk(2, axis: 1)
        #expect(try top.values.hostArray(of: Float.self) == [9, 3, 8, 4])
        #expect(try top.indices.hostArray(of: Int.self) == [1, 0, 2, 0])
        let sorted = try x.sorted(axis: 1, descending: true)
        #expect(try sorted.values.hostArray(of: Float.self) == [9, 3, 1, 8, 4, 2])
        #expect(try sorted.indices.hostArray(of: Int.self) == [1, 0, 2, 2, 0, 1])
    }

    @Test func logicalReductions() throws {
        let m = try Tensor([true, false, true, true], shape: [2, 2])
        #expect(try m.all().item() == 0)
        #expect(try m.any().item() == 1)
        #expect(try m.all(axes: [1]).hostArray(of: Bool.self) == [false, true])
        #expect(try m.any(axes: [0]).hostArray(of: Bool.self) == [true, true])
        #expect(try m.all(axes: [1]).dtype == .bool)
    }

    @Test func logSumExpIsStableForLargeValues() throws {
        let x = try floats([1000, 1000])
        assertClose(try x.logSumExp(), try Tensor.scalar(1000 + 0.6931471805599453), rtol: 1e-6)
    }
}
