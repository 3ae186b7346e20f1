// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport

extension OpCase {
    /// Mirrors `arithmetic()` in fixtures_ops.py: element-wise math, activations, broadcasting, scalar type
    /// promotion, comparisons, clamp/where/masked_fill and matmul. float32 cases use rtol 1e-5, atol 1e-6.
    static let arithmetic = table("arithmetic", [
        OpCase("neg") { x in try -x[0] },
        OpCase("abs") { x in try x[0].abs() },
        OpCase("exp") { x in try x[0].exp() },
        OpCase("log") { x in try x[0].log() },
        OpCase("log2") { x in try x[0].log2() },
        OpCase("log1p") { x in try x[0].log1p() },
        OpCase("expm1") { x in try x[0].expm1() },
        OpCase("sqrt") { x in try x[0].sqrt() },
        OpCase("rsqrt") { x in try x[0].rsqrt() },
        OpCase("square") { x in try x[0].square() },
        OpCase("reciprocal") { x in try x[0].reciprocal() },
        OpCase("sin") { x in try x[0].sin() },
        OpCase("cos") { x in try x[0].cos() },
        OpCase("tan") { x in try x[0].tan() },
        OpCase("tanh") { x in try x[0].tanh() },
        OpCase("erf") { x in try x[0].erf() },
        OpCase("relu") { x in try x[0].relu() },
        OpCase("relu6") { x in try x[0].relu6() },
        OpCase("sigmoid") { x in try x[0].sigmoid() },
        OpCase("silu") { x in try x[0].silu() },
        OpCase("hardswish") { x in try x[0].hardswish() },
        OpCase("hardsigmoid") { x in try x[0].hardsigmoid() },
        OpCase("gelu") { x in try x[0].gelu() },
        OpCase("gelu_tanh") { x in try x[0].gelu(approximateTanh: true) },
        OpCase("softplus") { x in try x[0].softplus() },
        OpCase("mish") { x in try x[0].mish() },
        OpCase("elu") { x in try x[0].elu() },
        OpCase("leaky_relu") { x in try x[0].leakyReLU(slope: 0.1) },
        OpCase("leaky_relu_default") { x in try x[0].leakyReLU() },
        OpCase("softmax_1") { x in try x[0].softmax(axis: 1) },
        OpCase("softmax_0") { x in try x[0].softmax(axis: 0) },
        OpCase("log_softmax") { x in try x[0].logSoftmax(axis: -1) },
        OpCase("floor") { x in try x[0].floor() },
        OpCase("ceil") { x in try x[0].ceil() },
        OpCase("round") { x in try x[0].rounded() },
        OpCase("trunc") { x in try x[0].truncated() },
        OpCase("sign") { x in try x[0].sign() },
        OpCase("sign_int") { x in try x[0].sign() },
        OpCase("abs_int") { x in try x[0].abs() },
        OpCase("neg_int") { x in try -x[0] },
        OpCase("logical_not") { x in try x[0].logicalNot() },
        OpCase("isnan") { x in try x[0].isNaN() },
        OpCase("isinf") { x in try x[0].isInfinite() },
        OpCase("isfinite") { x in try x[0].isFinite() },
        OpCase("relu_float64") { x in try x[0].relu() },

        // Tensor ⊕ tensor with broadcasting.
        OpCase("add") { x in try x[0] + x[1] },
        OpCase("sub") { x in try x[0] - x[1] },
        OpCase("mul") { x in try x[0] * x[1] },
        OpCase("div") { x in try x[0] / x[1] },
        OpCase("pow") { x in try x[0].pow(x[1]) },
        OpCase("maximum") { x in try x[0].maximum(x[1]) },
        OpCase("minimum") { x in try x[0].minimum(x[1]) },
        OpCase("atan2") { x in try x[0].atan2(x[1]) },
        OpCase("remainder") { x in try x[0].remainder(x[1]) },
        OpCase("remainder_int") { x in try x[0].remainder(x[1]) },
        OpCase("floor_divide_int") { x in try x[0].floorDivide(x[1]) },
        OpCase("floor_divide") { x in try x[0].floorDivide(x[1]) },
        OpCase("add_int_int") { x in try x[0] + x[1] },
        OpCase("div_int_int") { x in try x[0] / x[1] },
        OpCase("add_int32_int64") { x in try x[0] + x[1] },
        OpCase("add_float32_float64") { x in try x[0] + x[1] },
        OpCase("mul_int_float") { x in try x[0] * x[1] },
        OpCase("add_uint8_int8") { x in try x[0] + x[1] },
        OpCase("add_float16") { x in try x[0] + x[1] },

        // Scalars on either side: an Int keeps an integer tensor integral, a Double promotes it.
        OpCase("add_scalar_float") { x in try x[0] + 2.5 },
        OpCase("rsub_scalar_float") { x in try 2.5 - x[0] },
        OpCase("mul_scalar_int") { x in try x[0] * 3 },
        OpCase("rdiv_scalar_float") { x in try 3.0 / x[0] },
        OpCase("div_scalar_int") { x in try x[0] / 2 },
        OpCase("int_add_int_scalar") { x in try x[0] + 2 },
        OpCase("int_add_float_scalar") { x in try x[0] + 2.5 },
        OpCase("int_mul_int_scalar") { x in try x[0] * 3 },
        OpCase("int_sub_int_scalar") { x in try x[0] - 4 },
        OpCase("int_div_int_scalar") { x in try x[0] / 2 },
        OpCase("int_scalar_sub_int") { x in try 2 - x[0] },
        OpCase("int_scalar_add_int") { x in try 7 + x[0] },
        OpCase("int_scalar_mul_int") { x in try 10 * x[0] },
        OpCase("int_scalar_div_int") { x in try 12 / x[0] },
        OpCase("float_scalar_mul_int") { x in try 2.5 * x[0] },
        OpCase("int32_add_int_scalar") { x in try x[0] + 2 },
        OpCase("float16_add_float_scalar") { x in try x[0] + 2.5 },
        OpCase("bool_add_int_scalar") { x in try x[0] + 1 },
        OpCase("float64_mul_float_scalar") { x in try x[0] * 0.1 },
        OpCase("pow_scalar") { x in try x[0].pow(2.5) },
        OpCase("remainder_scalar") { x in try x[0].remainder(0.7) },

        // Comparisons and logic.
        OpCase("eq") { x in try x[0].eq(x[1]) },
        OpCase("ne") { x in try x[0].ne(x[1]) },
        OpCase("lt") { x in try x[0].lt(x[1]) },
        OpCase("le") { x in try x[0].le(x[1]) },
        OpCase("gt") { x in try x[0].gt(x[1]) },
        OpCase("ge") { x in try x[0].ge(x[1]) },
        OpCase("gt_float") { x in try x[0].gt(x[1]) },
        OpCase("eq_scalar") { x in try x[0].eq(2) },
        OpCase("ne_scalar") { x in try x[0].ne(0) },
        OpCase("lt_scalar") { x in try x[0].lt(0.25) },
        OpCase("le_scalar") { x in try x[0].le(-1) },
        OpCase("gt_scalar") { x in try x[0].gt(0.5) },
        OpCase("ge_scalar") { x in try x[0].ge(1) },
        OpCase("logical_and") { x in try x[0].logicalAnd(x[1]) },
        OpCase("logical_or") { x in try x[0].logicalOr(x[1]) },
        OpCase("logical_xor") { x in try x[0].logicalXor(x[1]) },

        OpCase("clamp") { x in try x[0].clamped(min: -0.5, max: 0.5) },
        OpCase("clamp_min") { x in try x[0].clamped(min: 0.1) },
        OpCase("clamp_max") { x in try x[0].clamped(max: -0.2) },
        // Double bounds promote an integer tensor, as Python float bounds do.
        OpCase("clamp_int") { x in try x[0].clamped(min: -2, max: 2) },
        OpCase("where") { x in try Tensor.where(x[0], x[1], x[2]) },
        OpCase("where_int") { x in try Tensor.where(x[0], x[1], x[2]) },
        OpCase("masked_fill") { x in try x[0].maskedFill(x[1], with: -1.5) },
        OpCase("masked_fill_int") { x in try x[0].maskedFill(x[1], with: 9) },

        OpCase("matmul_2d") { x in try x[0].matmul(x[1]) },
        OpCase("matmul_batched") { x in try x[0].matmul(x[1]) },
        OpCase("matmul_broadcast") { x in try x[0].matmul(x[1]) },
        OpCase("matmul_vector_matrix") { x in try x[0].matmul(x[1]) },
        OpCase("matmul_matrix_vector") { x in try x[0].matmul(x[1]) },
        OpCase("matmul_float64") { x in try x[0].matmul(x[1]) },
        OpCase("matmul_int") { x in try x[0].matmul(x[1]) },
    ])
}

@Suite struct TensorArithmeticTests {
    @Test(arguments: OpCase.arithmetic)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkValues(opCase) }

    @Test func everyFixtureCaseHasASwiftMirror() throws { try checkCoverage("arithmetic", OpCase.arithmetic) }

    // Hand-computed cases.

    @Test func broadcastingAddsRowAndColumn() throws {
        let column = try floats([1, 2], [2, 1])
        let row = try floats([10, 20, 30])
        let sum = try column + row
        #expect(sum.shape == [2, 3])
        #expect(try sum.hostArray(of: Float.self) == [11, 21, 31, 12, 22, 32])
        #expect(try (row - column).hostArray(of: Float.self) == [9, 19, 29, 8, 18, 28])
        #expect(try (column * row).hostArray(of: Float.self) == [10, 20, 30, 20, 40, 60])
        #expect(try (row / column).hostArray(of: Float.self) == [10, 20, 30, 5, 10, 15])
    }

    @Test func scalarTypePromotionFollowsPython() throws {
        let i = try ints([1, 2, 3])
        let intPlusInt = try i + 2
        #expect(intPlusInt.dtype == .int64)
        #expect(try intPlusInt.hostArray(of: Int.self) == [3, 4, 5])
        let intPlusFloat = try i + 2.5
        #expect(intPlusFloat.dtype == .float32)
        #expect(try intPlusFloat.hostArray(of: Float.self) == [3.5, 4.5, 5.5])
        let intOverInt = try i / 2
        #expect(intOverInt.dtype == .float32)
        #expect(try intOverInt.hostArray(of: Float.self) == [0.5, 1, 1.5])
        let tensorOverTensor = try i / ints([2, 4, 4])
        #expect(tensorOverTensor.dtype == .float32)
        #expect(try tensorOverTensor.hostArray(of: Float.self) == [0.5, 0.5, 0.75])
        let scalarFirst = try 10 - i
        #expect(scalarFirst.dtype == .int64)
        #expect(try scalarFirst.hostArray(of: Int.self) == [9, 8, 7])
        #expect(try (2 * i).hostArray(of: Int.self) == [2, 4, 6])
        #expect(try (3 + i).dtype == .int64)
        #expect(try (6 / i).hostArray(of: Float.self) == [6, 3, 2])
        #expect(try (1.5 * i).dtype == .float32)
        // A float64 tensor stays float64 with a Double scalar; a float32 one stays float32.
        #expect(try (Tensor([1.0, 2.0] as [Double]) * 0.5).dtype == .float64)
        #expect(try (floats([1]) * 0.5).dtype == .float32)
        #expect(try (Tensor([Int32(1)]) + 1).dtype == .int32)
        #expect(try (Tensor([true]) + 1).dtype == .int64)
    }

    @Test func integerDivisionAndRemainderFollowPythonSigns() throws {
        let a = try ints([7, -7, 7, -7])
        let b = try ints([2, 2, -2, -2])
        #expect(try a.floorDivide(b).hostArray(of: Int.self) == [3, -4, -4, 3])
        #expect(try a.remainder(b).hostArray(of: Int.self) == [1, 1, -1, -1])
        #expect(try floats([-1.5]).remainder(1).hostArray(of: Float.self) == [0.5])
    }

    @Test func activationsAtKnownPoints() throws {
        let x = try floats([-4, -1, 0, 1, 4, 8])
        #expect(try x.relu().hostArray(of: Float.self) == [0, 0, 0, 1, 4, 8])
        #expect(try x.relu6().hostArray(of: Float.self) == [0, 0, 0, 1, 4, 6])
        #expect(try x.leakyReLU(slope: 0.5).hostArray(of: Float.self) == [-2, -0.5, 0, 1, 4, 8])
        // hardswish(x) = x · relu6(x + 3) / 6; hardsigmoid(x) = relu6(x + 3) / 6.
        assertClose(try x.hardswish(), try floats([0, -1.0 / 3, 0, 2.0 / 3, 4, 8]))
        assertClose(try x.hardsigmoid(), try floats([0, 1.0 / 3, 0.5, 2.0 / 3, 1, 1]))
        assertClose(try floats([0]).sigmoid(), try floats([0.5]))
        let sigmoidOfOne = 1 / (1 + Foundation.exp(-1.0))
        assertClose(try floats([0, 1]).silu(), try floats([0, Float(sigmoidOfOne)]))
        // GELU(1) = Φ(1) = 0.8413447; tanh form 0.8411920.
        assertClose(try floats([1]).gelu(), try floats([0.8413447]), rtol: 1e-6)
        assertClose(try floats([1]).gelu(approximateTanh: true), try floats([0.8411920]), rtol: 1e-6)
        let softmax = try floats([1, 2, 3, 1, 1, 1], [2, 3]).softmax(axis: 1)
        let e: [Double] = [Foundation.exp(1.0), Foundation.exp(2.0), Foundation.exp(3.0)]
        let total = e.reduce(0, +)
        let third: Float = 1.0 / 3.0
        var expectedRows: [Float] = e.map { Float($0 / total) }
        expectedRows += [third, third, third]
        assertClose(softmax, try floats(expectedRows, [2, 3]))
        let expectedLog: [Float] = e.map { Float(Foundation.log($0 / total)) }
        assertClose(try floats([1, 2, 3]).logSoftmax(axis: 0), try floats(expectedLog))
    }

    @Test func roundingIsHalfToEven() throws {
        let x = try floats([0.5, 1.5, 2.5, -0.5, -1.7, 2.2])
        #expect(try x.rounded().hostArray(of: Float.self) == [0, 2, 2, -0, -2, 2])
        #expect(try x.floor().hostArray(of: Float.self) == [0, 1, 2, -1, -2, 2])
        #expect(try x.ceil().hostArray(of: Float.self) == [1, 2, 3, -0, -1, 3])
        #expect(try x.truncated().hostArray(of: Float.self) == [0, 1, 2, -0, -1, 2])
    }

    @Test func comparisonsClampWhereAndMaskedFill() throws {
        let a = try floats([1, 5, 3])
        let b = try floats([2, 5, 1])
        #expect(try a.lt(b).hostArray(of: Bool.self) == [true, false, false])
        #expect(try a.eq(b).hostArray(of: Bool.self) == [false, true, false])
        #expect(try a.ge(3).hostArray(of: Bool.self) == [false, true, true])
        #expect(try a.clamped(min: 2, max: 4).hostArray(of: Float.self) == [2, 4, 3])
        #expect(try a.clamped(max: 2).hostArray(of: Float.self) == [1, 2, 2])
        let mask = try a.gt(b)
        #expect(try Tensor.where(mask, a, b).hostArray(of: Float.self) == [2, 5, 3])
        #expect(try a.maskedFill(mask, with: -1).hostArray(of: Float.self) == [1, 5, -1])
        #expect(try mask.logicalNot().logicalOr(a.eq(b)).hostArray(of: Bool.self) == [true, true, false])
        let nan = try floats([Float.nan, 1, .infinity])
        #expect(try nan.containsNaN())
        #expect(try !floats([1, 2]).containsNaN())
        #expect(throws: TorchError.self) { try nan.checkFinite("weights") }
        try floats([1, 2]).checkFinite("weights")
    }

    @Test func matmulByHand() throws {
        let a = try floats([1, 2, 3, 4, 5, 6], [2, 3])
        let b = try floats([1, 0, 0, 1, 1, 1], [3, 2])
        #expect(try a.matmul(b).hostArray(of: Float.self) == [4, 5, 10, 11])
        #expect(try a.matmul(floats([1, 1, 1])).hostArray(of: Float.self) == [6, 15])
        let batched = try a.unsqueezed(axis: 0).repeated([4, 1, 1]).matmul(b)
        #expect(batched.shape == [4, 2, 2])
    }

    @Test func powAndMathByHand() throws {
        #expect(try floats([2, 3]).pow(2).hostArray(of: Float.self) == [4, 9])
        #expect(try floats([4, 9]).sqrt().hostArray(of: Float.self) == [2, 3])
        #expect(try floats([4]).rsqrt().hostArray(of: Float.self) == [0.5])
        #expect(try floats([-2, 3]).abs().hostArray(of: Float.self) == [2, 3])
        #expect(try floats([-2, 0, 3]).sign().hostArray(of: Float.self) == [-1, 0, 1])
        #expect(try floats([1, 4]).maximum(floats([3, 2])).hostArray(of: Float.self) == [3, 4])
        #expect(try floats([0]).exp().hostArray(of: Float.self) == [1])
        #expect(try floats([8]).log2().hostArray(of: Float.self) == [3])
        #expect(try floats([4]).reciprocal().hostArray(of: Float.self) == [0.25])
    }
}
