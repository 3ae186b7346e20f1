// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import Torch

@Suite struct PrecisionTests {
    @Test func parsesTheCommandLineSpellings() throws {
        #expect(try Precision(parsing: "fp32") == .fp32)
        #expect(try Precision(parsing: "BF16") == .bf16)
        #expect(try Precision(parsing: "float16") == .fp16)
        let error = #expect(throws: TorchError.self) { try Precision(parsing: "int8") }
        #expect(error?.message.contains("fp32, bf16 or fp16") == true)
    }

    @Test func fp16OnTheCPUIsAClearError() throws {
        let error = #expect(throws: TorchError.self) { try Precision.fp16.validate(on: .cpu) }
        #expect(error?.message.contains("bf16") == true)
        #expect(try Precision.fp32.validate(on: .cpu) == nil)
        // bf16 runs on every CPU; without native support it comes with a warning.
        let warning = try Precision.bf16.validate(on: .cpu)
        #expect((warning == nil) == Precision.cpuHasNativeBFloat16)
    }

    @Test func bf16AutocastRunsMatrixProductsInBFloat16AndRestoresTheState() throws {
        let a = try Tensor.randn([8, 16], generator: Generator(seed: 1))
        let b = try Tensor.randn([16, 4], generator: Generator(seed: 2))
        #expect(!isAutocastEnabled(on: .cpu))
        let product = try withAutocast(.bf16, device: .cpu) { () throws -> Tensor in
            #expect(isAutocastEnabled(on: .cpu))
            return try a.matmul(b)
        }
        #expect(product.dtype == .bfloat16)
        #expect(!isAutocastEnabled(on: .cpu))
        let reference = try a.matmul(b)
        #expect(reference.dtype == .float32)
        let difference = try (product.to(dtype: .float32) - reference).abs().max().item()
        #expect(difference > 0, "bf16 must round")
        #expect(difference < 0.1, "bf16 product far from fp32: \(difference)")
        // Nesting, and a throwing body, restore the outer state.
        struct Stop: Error {}
        try withAutocast(.bf16, device: .cpu) {
            #expect(throws: Stop.self) { try withAutocast(.bf16, device: .cpu) { throw Stop() } }
            #expect(isAutocastEnabled(on: .cpu))
        }
        #expect(!isAutocastEnabled(on: .cpu))
        #expect(try withAutocast(.fp32, device: .cpu) { try a.matmul(b) }.dtype == .float32)
    }

    @Test func cudaAutocastWhenAGPUIsPresent() throws {
        guard Device.isCUDAAvailable else {
            print("notice: no CUDA device here; CUDA autocast test skipped (run on a GPU machine)")
            return
        }
        let a = try Tensor.randn([8, 16], generator: Generator(seed: 1)).to(device: .cuda(0))
        let product = try withAutocast(.fp16, device: .cuda(0)) { try a.matmul(a.t()) }
        #expect(product.dtype == .float16)
        #expect(try Precision.fp16.validate(on: .cuda(0)) == nil)
    }

    @Test func pinnedNonBlockingCopiesWhenAGPUIsPresent() throws {
        let host = try Tensor.randn([4, 3, 8, 8], generator: Generator(seed: 2))
        #expect(!host.isPinned)
        // On the CPU a non-blocking copy is an ordinary one.
        #expect(try host.to(device: .cpu, nonBlocking: true).hostArray(of: Float.self) == host.hostArray(of: Float.self))
        guard Device.isCUDAAvailable else {
            print("notice: no CUDA device here; pinned-memory copy test skipped (run on a GPU machine)")
            return
        }
        let pinned = try host.pinned()
        #expect(pinned.isPinned)
        let onGPU = try pinned.to(device: .cuda(0), nonBlocking: true)
        #expect(try onGPU.to(device: .cpu).hostArray(of: Float.self) == host.hostArray(of: Float.self))
    }

    @Test func deviceIsCodableAsItsText() throws {
        let encoded = try JSONEncoder().encode([Device.cpu, .cuda(1)])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["cpu","cuda:1"]"#)
        #expect(try JSONDecoder().decode([Device].self, from: encoded) == [.cpu, .cuda(1)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Device].self, from: Data(#"["tpu"]"#.utf8)) }
    }
}
