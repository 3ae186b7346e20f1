// Scalpel — CTorchTests: the raw C API, without the Swift layer.
// SPDX-License-Identifier: Apache-2.0
import CTorch
import Testing

private let cpu = ctorch_device(type: CTORCH_DEVICE_CPU, index: -1)

/// A CPU float32 tensor of `shape` filled with `value`; the caller frees it.
private func full(_ shape: [Int64], _ value: Double, _ dtype: ctorch_dtype = CTORCH_FLOAT32) throws -> ctorch_tensor {
    var out: ctorch_tensor? = nil
    var error: ctorch_error? = nil
    let status = shape.withUnsafeBufferPointer { ctorch_full($0.baseAddress, $0.count, value, dtype, cpu, &out, &error) }
    try #require(status == CTORCH_OK)
    #expect(error == nil)
    return try #require(out)
}

/// A CPU tensor holding `values`; the caller frees it.
private func tensor(_ values: [Double], _ shape: [Int64]) throws -> ctorch_tensor {
    var out: ctorch_tensor? = nil
    var error: ctorch_error? = nil
    let status = values.withUnsafeBytes { bytes in
        shape.withUnsafeBufferPointer {
            ctorch_from_host(bytes.baseAddress, bytes.count, $0.baseAddress, $0.count, CTORCH_FLOAT64, &out, &error)
        }
    }
    try #require(status == CTORCH_OK)
    return try #require(out)
}

/// Checks a failed call: the expected status, an error record whose message has no C++ backtrace (the
/// detail may have one and contains the message), and then frees the record.
private func expectFailure(_ status: ctorch_status, _ expected: ctorch_status, _ error: ctorch_error?,
                           mentions: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(status == expected, "status \(status.rawValue), expected \(expected.rawValue)", sourceLocation: sourceLocation)
    guard let error else {
        Issue.record("no error record", sourceLocation: sourceLocation)
        return
    }
    let message = String(cString: ctorch_error_message(error))
    let detail = String(cString: ctorch_error_detail(error))
    #expect(message.contains(mentions), "message: \(message)", sourceLocation: sourceLocation)
    #expect(!message.contains("Exception raised from"), "backtrace in message: \(message)", sourceLocation: sourceLocation)
    #expect(detail.contains(message), sourceLocation: sourceLocation)
    ctorch_error_free(error)
}

/// Whether creating one tensor adds exactly one live handle and freeing it removes it. The count is
/// process-wide and other suites may run concurrently (without `--no-parallel`), so a disturbed
/// measurement is repeated a few times before it counts as a failure.
private func oneHandleComesAndGoes() throws -> Bool {
    for _ in 0 ..< 5 {
        let before = ctorch_live_tensor_count()
        let t = try full([1], 0)
        let during = ctorch_live_tensor_count()
        ctorch_tensor_free(t)
        if during == before + 1 && ctorch_live_tensor_count() == before { return true }
    }
    return false
}

@Suite(.serialized) struct ShimTests {
    @Test func createInspectAndFree() throws {
        #expect(try oneHandleComesAndGoes())
        let t = try full([2, 3], 1.5)
        #expect(ctorch_tensor_ndim(t) == 2)
        var sizes = [Int64](repeating: 0, count: 2)
        var strides = [Int64](repeating: 0, count: 2)
        ctorch_tensor_sizes(t, &sizes, 2)
        ctorch_tensor_strides(t, &strides, 2)
        #expect(sizes == [2, 3])
        #expect(strides == [3, 1])
        #expect(ctorch_tensor_numel(t) == 6)
        #expect(ctorch_tensor_device(t).type == CTORCH_DEVICE_CPU)
        #expect(ctorch_tensor_is_contiguous(t, CTORCH_CONTIGUOUS))
        #expect(!ctorch_tensor_requires_grad(t))
        #expect(ctorch_tensor_is_leaf(t))
        var dtype = CTORCH_INT8
        var error: ctorch_error? = nil
        #expect(ctorch_tensor_dtype(t, &dtype, &error) == CTORCH_OK)
        #expect(dtype == CTORCH_FLOAT32)
        var value = 0.0
        var sum: ctorch_tensor? = nil
        var axes: [Int64] = []
        #expect(ctorch_reduce(CTORCH_SUM, t, &axes, 0, false, &sum, &error) == CTORCH_OK)
        #expect(ctorch_item(sum, &value, &error) == CTORCH_OK)
        #expect(value == 9)
        var host = [Float](repeating: 0, count: 6)
        #expect(host.withUnsafeMutableBytes { ctorch_copy_to_host(t, $0.baseAddress, $0.count, &error) } == CTORCH_OK)
        #expect(host == Array(repeating: 1.5, count: 6))
        ctorch_tensor_free(sum)
        ctorch_tensor_free(t)
        #expect(String(cString: ctorch_version()).hasPrefix("2."))
    }

    @Test func freesAcceptNull() {
        ctorch_tensor_free(nil)
        ctorch_error_free(nil)
        ctorch_generator_free(nil)
        #expect(ctorch_live_tensor_count() >= 0)
        #expect(String(cString: ctorch_error_message(nil)) == "")
        #expect(String(cString: ctorch_error_detail(nil)) == "")
    }

    /// c10::IndexError (select past the end) → CTORCH_ERROR_INDEX, and the output stays NULL.
    @Test func indexErrorMapsToIndexStatus() throws {
        let t = try full([3], 0)
        defer { ctorch_tensor_free(t) }
        var out: ctorch_tensor? = OpaquePointer(bitPattern: 0xDEAD)
        var error: ctorch_error? = nil
        let status = ctorch_select(t, 0, 10, &out, &error)
        #expect(out == nil)
        expectFailure(status, CTORCH_ERROR_INDEX, error, mentions: "index 10 out of range")
    }

    /// c10::ValueError (TORCH_CHECK_VALUE: a host buffer of the wrong size) → CTORCH_ERROR_VALUE.
    @Test func valueErrorMapsToValueStatus() throws {
        let values: [Float] = [1, 2, 3]
        let shape: [Int64] = [2, 2]
        var out: ctorch_tensor? = nil
        var error: ctorch_error? = nil
        let status = values.withUnsafeBytes { bytes in
            ctorch_from_host(bytes.baseAddress, bytes.count, shape, 2, CTORCH_FLOAT32, &out, &error)
        }
        #expect(out == nil)
        expectFailure(status, CTORCH_ERROR_VALUE, error, mentions: "host buffer holds 12 bytes")
    }

    /// c10::TypeError (a float32 tensor as a generator state) → CTORCH_ERROR_TYPE.
    @Test func typeErrorMapsToTypeStatus() throws {
        var generator: ctorch_generator? = nil
        var error: ctorch_error? = nil
        #expect(ctorch_generator_new(7, cpu, &generator, &error) == CTORCH_OK)
        defer { ctorch_generator_free(generator) }
        let state = try full([5056], 0)
        defer { ctorch_tensor_free(state) }
        let status = ctorch_generator_set_state(generator, state, &error)
        expectFailure(status, CTORCH_ERROR_TYPE, error, mentions: "RNG state must be a torch.ByteTensor")
    }

    /// c10::NotImplementedError (no kernel for the dtype) → CTORCH_ERROR_NOT_IMPLEMENTED.
    @Test func notImplementedErrorMapsToItsStatus() throws {
        let t = try full([2, 2], 1, CTORCH_INT64)
        defer { ctorch_tensor_free(t) }
        var out: ctorch_tensor? = nil
        var error: ctorch_error? = nil
        let status = ctorch_inv(t, &out, &error)
        #expect(out == nil)
        expectFailure(status, CTORCH_ERROR_NOT_IMPLEMENTED, error, mentions: "Expected a floating point")
    }

    /// c10::LinAlgError (Cholesky of a matrix that is not positive-definite, inverse of a singular one)
    /// → CTORCH_ERROR_LINALG.
    @Test func linAlgErrorMapsToLinAlgStatus() throws {
        let indefinite = try tensor([1, 0, 0, -1], [2, 2])
        let singular = try tensor([1, 2, 2, 4], [2, 2])
        defer {
            ctorch_tensor_free(indefinite)
            ctorch_tensor_free(singular)
        }
        var out: ctorch_tensor? = nil
        var error: ctorch_error? = nil
        var status = ctorch_cholesky(indefinite, &out, &error)
        #expect(out == nil)
        expectFailure(status, CTORCH_ERROR_LINALG, error, mentions: "not positive-definite")
        error = nil
        status = ctorch_inv(singular, &out, &error)
        #expect(out == nil)
        expectFailure(status, CTORCH_ERROR_LINALG, error, mentions: "singular")
    }

    /// A generic c10::Error (mismatched matmul shapes) → CTORCH_ERROR_TORCH.
    @Test func genericErrorMapsToTorchStatus() throws {
        let a = try full([2, 3], 1)
        let b = try full([4, 5], 1)
        defer {
            ctorch_tensor_free(a)
            ctorch_tensor_free(b)
        }
        var out: ctorch_tensor? = nil
        var error: ctorch_error? = nil
        let status = ctorch_matmul(a, b, &out, &error)
        #expect(out == nil)
        expectFailure(status, CTORCH_ERROR_TORCH, error, mentions: "cannot be multiplied (2x3 and 4x5)")
    }

    /// Every output of a multi-output call is NULL after a failure.
    @Test func allOutputsAreNullOnFailure() throws {
        let vector = try full([3], 1)
        defer { ctorch_tensor_free(vector) }
        var error: ctorch_error? = nil
        var values: ctorch_tensor? = nil
        var indices: ctorch_tensor? = nil
        var status = ctorch_topk(vector, 5, 0, true, true, &values, &indices, &error)
        #expect(values == nil && indices == nil)
        expectFailure(status, CTORCH_ERROR_TORCH, error, mentions: "k out of range")

        error = nil
        var u: ctorch_tensor? = nil
        var s: ctorch_tensor? = nil
        var vh: ctorch_tensor? = nil
        status = ctorch_svd(vector, false, &u, &s, &vh, &error)  // needs a matrix
        #expect(u == nil && s == nil && vh == nil)
        #expect(status != CTORCH_OK)
        ctorch_error_free(error)

        error = nil
        var results: [ctorch_tensor?] = [OpaquePointer(bitPattern: 0xBEEF)]
        var outputs: [ctorch_tensor?] = [vector]
        var inputs: [ctorch_tensor?] = [vector]
        status = ctorch_autograd_grad(&outputs, 1, &inputs, 1, nil, false, false, false, &results, &error)
        #expect(results[0] == nil)
        expectFailure(status, CTORCH_ERROR_TORCH, error, mentions: "does not require grad")
    }

    /// Errors the shim itself checks: null handles and out-of-range enum codes are values, not crashes.
    @Test func shimChecksItsArguments() throws {
        var out: ctorch_tensor? = nil
        var error: ctorch_error? = nil
        var status = ctorch_unary(CTORCH_EXP, nil, &out, &error)
        #expect(out == nil)
        expectFailure(status, CTORCH_ERROR_VALUE, error, mentions: "null handle")
        let t = try full([2], 1)
        defer { ctorch_tensor_free(t) }
        error = nil
        status = ctorch_to_dtype(t, ctorch_dtype(rawValue: 99), &out, &error)
        expectFailure(status, CTORCH_ERROR_VALUE, error, mentions: "unknown dtype code 99")
        error = nil
        status = ctorch_backward(t, nil, false, false, &error)
        expectFailure(status, CTORCH_ERROR_VALUE, error, mentions: "does not require gradients")
        // Without an error pointer the status still comes back.
        #expect(ctorch_select(t, 0, 5, &out, nil) == CTORCH_ERROR_INDEX)
        #expect(out == nil)
    }

    @Test func cudaIsReportedNotAssumed() throws {
        #expect(ctorch_cuda_device_count() >= 0)
        guard !ctorch_cuda_is_available() else { return }
        var out: ctorch_tensor? = nil
        var error: ctorch_error? = nil
        var dims: [Int64] = [2]
        let status = ctorch_full(&dims, 1, 0, CTORCH_FLOAT32, ctorch_device(type: CTORCH_DEVICE_CUDA, index: 0), &out,
                                 &error)
        #expect(out == nil)
        expectFailure(status, CTORCH_ERROR_TORCH, error, mentions: "CUDA is not available")
    }

    @Test func generatorsAreSeededAndRestorable() throws {
        var generator: ctorch_generator? = nil
        var error: ctorch_error? = nil
        #expect(ctorch_generator_new(3, cpu, &generator, &error) == CTORCH_OK)
        defer { ctorch_generator_free(generator) }
        var state: ctorch_tensor? = nil
        #expect(ctorch_generator_get_state(generator, &state, &error) == CTORCH_OK)
        defer { ctorch_tensor_free(state) }
        var dims: [Int64] = [4]
        var first: ctorch_tensor? = nil
        var second: ctorch_tensor? = nil
        #expect(ctorch_rand(&dims, 1, generator, CTORCH_FLOAT64, cpu, &first, &error) == CTORCH_OK)
        #expect(ctorch_generator_set_state(generator, state, &error) == CTORCH_OK)
        #expect(ctorch_rand(&dims, 1, generator, CTORCH_FLOAT64, cpu, &second, &error) == CTORCH_OK)
        var a = [Double](repeating: 0, count: 4)
        var b = [Double](repeating: 1, count: 4)
        _ = a.withUnsafeMutableBytes { ctorch_copy_to_host(first, $0.baseAddress, $0.count, &error) }
        _ = b.withUnsafeMutableBytes { ctorch_copy_to_host(second, $0.baseAddress, $0.count, &error) }
        #expect(a == b)
        ctorch_tensor_free(first)
        ctorch_tensor_free(second)
    }
}
