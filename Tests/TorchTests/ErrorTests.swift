// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchTestSupport

/// Expects `body` to throw a ``TorchError`` of `kind` whose `operation` names the Swift API and whose
/// message mentions each of `mentions` (what was expected and what was found) without a C++ backtrace.
@discardableResult
func expectTorchError(_ kind: TorchError.Kind, operation: String, mentions: [String],
                      sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () throws -> Void) -> TorchError? {
    do {
        try body()
        Issue.record("expected a TorchError of kind \(kind) from \(operation), nothing was thrown",
                     sourceLocation: sourceLocation)
        return nil
    } catch let error as TorchError {
        #expect(error.kind == kind, "kind of \(error)", sourceLocation: sourceLocation)
        #expect(error.operation == operation, sourceLocation: sourceLocation)
        for text in mentions {
            #expect(error.message.contains(text), "message should mention '\(text)': \(error.message)",
                    sourceLocation: sourceLocation)
        }
        #expect(!error.message.contains("Exception raised from"), "backtrace in message: \(error.message)",
                sourceLocation: sourceLocation)
        #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
        #expect(error.description == "\(error.operation): \(error.message)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a TorchError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite struct ErrorTests {
    @Test func matmulShapeMismatch() throws {
        let a = try Tensor.zeros([2, 3])
        let b = try Tensor.zeros([4, 5])
        let error = expectTorchError(.torch, operation: "matmul(_:)", mentions: ["2x3", "4x5"]) { _ = try a.matmul(b) }
        // The full text, backtrace and all, stays available for logs.
        #expect(error?.detail.contains(error?.message ?? "-") == true)
    }

    @Test func elementWiseBroadcastMismatch() throws {
        expectTorchError(.torch, operation: "+", mentions: ["size of tensor a (3)", "size of tensor b (4)"]) {
            _ = try Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
    }

    @Test func conv2dChannelMismatch() throws {
        let image = try Tensor.zeros([1, 2, 5, 5])
        let weight = try Tensor.zeros([4, 3, 3, 3])
        expectTorchError(.torch, operation: "conv2d(weight:bias:stride:padding:dilation:groups:)",
                         mentions: ["3 channels", "2 channels"]) { _ = try image.conv2d(weight: weight) }
    }

    /// libtorch 2.15 convolves int64 tensors (as PyTorch does), so the dtype error is an int64 image with
    /// float32 weights; bool has no convolution kernel at all.
    @Test func conv2dOfIntegers() throws {
        let image = try Tensor.ones([1, 3, 5, 5], dtype: .int64)
        let conv = "conv2d(weight:bias:stride:padding:dilation:groups:)"
        expectTorchError(.torch, operation: conv, mentions: ["expected scalar type Long but found Float"]) {
            _ = try image.conv2d(weight: Tensor.zeros([4, 3, 3, 3]))
        }
        expectTorchError(.notImplemented, operation: conv, mentions: ["not implemented for 'Bool'"]) {
            _ = try image.to(dtype: .bool).conv2d(weight: Tensor.zeros([4, 3, 3, 3], dtype: .bool))
        }
        let integral = try image.conv2d(weight: Tensor.ones([4, 3, 3, 3], dtype: .int64))
        #expect(integral.dtype == .int64)
        #expect(try integral.hostArray(of: Int.self) == Array(repeating: 27, count: 36))
    }

    @Test func hostArrayOfTheWrongElementType() throws {
        let x = try Tensor.zeros([2])
        expectTorchError(.invalidType, operation: "hostArray(of:)", mentions: ["float32", "Int", "int64", "to(dtype:)"]) {
            _ = try x.hostArray(of: Int.self)
        }
    }

    @Test func selectIndexOutOfRange() throws {
        let x = try Tensor.zeros([3])
        expectTorchError(.indexOutOfRange, operation: "select(axis:index:)", mentions: ["index 10", "size [3]"]) {
            _ = try x.select(axis: 0, index: 10)
        }
        expectTorchError(.indexOutOfRange, operation: "select(axis:index:)", mentions: ["Dimension out of range"]) {
            _ = try x.select(axis: 2, index: 0)
        }
    }

    @Test func classIndexOutOfRange() throws {
        expectTorchError(.indexOutOfRange, operation: "crossEntropy(logits:targets:classWeights:reduction:ignoreIndex:labelSmoothing:)",
                         mentions: ["Target 7", "out of bounds"]) {
            _ = try crossEntropy(logits: Tensor.zeros([2, 3]), targets: ints([0, 7]))
        }
    }

    @Test func unknownDeviceString() throws {
        for text in ["tpu", "cuda:-1", "cuda:x", ""] {
            expectTorchError(.invalidValue, operation: "Device(parsing:)", mentions: ["'\(text)'", "cpu, cuda or cuda:N"]) {
                _ = try Device(parsing: text)
            }
        }
        #expect(try Device(parsing: "CUDA:1") == .cuda(1))
        #expect(try Device(parsing: "cpu") == .cpu)
        #expect(try Device(parsing: "cuda") == .cuda(0))
    }

    @Test(.enabled(if: !Device.isCUDAAvailable, "this machine has CUDA"))
    func cudaOnACPUMachine() throws {
        #expect(Device.cudaDeviceCount == 0)
        try Device.cpu.validate()
        expectTorchError(.invalidValue, operation: "Device.validate()", mentions: ["cuda:0", "CUDA is not available"]) {
            try Device.cuda(0).validate()
        }
        expectTorchError(.torch, operation: "zeros(_:dtype:on:)", mentions: ["cuda:0", "CUDA is not available"]) {
            _ = try Tensor.zeros([2], on: .cuda(0))
        }
        expectTorchError(.torch, operation: "to(device:)", mentions: ["cuda:1", "CUDA is not available"]) {
            _ = try Tensor.zeros([2]).to(device: .cuda(1))
        }
        expectTorchError(.torch, operation: "Generator(seed:device:)", mentions: ["CUDA is not available"]) {
            _ = try Generator(seed: 1, device: .cuda(0))
        }
    }

    @Test func backwardWithoutGradients() throws {
        let x = try Tensor.ones([3])
        expectTorchError(.invalidValue, operation: "backward(gradient:retainGraph:createGraph:)",
                         mentions: ["does not require gradients"]) { try x.sum().backward() }
        let y = try Tensor.ones([3]).requiringGradient()
        expectTorchError(.invalidValue, operation: "backward(gradient:retainGraph:createGraph:)",
                         mentions: ["scalar", "[3]"]) { try (y * 2).backward() }
        expectTorchError(.invalidValue, operation: "setRequiresGradient(_:)", mentions: ["floating-point", "Long"]) {
            try Tensor.zeros([2], dtype: .int64).setRequiresGradient()
        }
        expectTorchError(.invalidValue, operation: "gradients(of:withRespectTo:)", mentions: ["2 output gradients", "1 outputs"]) {
            _ = try gradients(of: [y], withRespectTo: [y], gradientOutputs: [y, y])
        }
    }

    @Test func invalidArguments() throws {
        let x = try Tensor.zeros([2, 2])
        expectTorchError(.invalidValue, operation: "clamped(min:max:)", mentions: ["lower bound", "upper bound"]) {
            _ = try x.clamped()
        }
        expectTorchError(.invalidValue, operation: "Tensor(_:shape:)", mentions: ["3 values", "[2, 2]", "4 elements"]) {
            _ = try Tensor([1, 2, 3] as [Float], shape: [2, 2])
        }
        expectTorchError(.torch, operation: "reshaped(to:)", mentions: ["[5]", "4"]) { _ = try x.reshaped(to: [5]) }
        expectTorchError(.invalidValue, operation: "item()", mentions: ["one element", "[2, 2]"]) { _ = try x.item() }
        expectTorchError(.invalidValue, operation: "chunked(_:axis:)", mentions: ["positive", "0"]) {
            _ = try x.chunked(0)
        }
        expectTorchError(.invalidValue, operation: "slice(axis:start:end:step:)", mentions: ["step", "-1"]) {
            _ = try x.slice(axis: 0, step: -1)
        }
        expectTorchError(.invalidValue, operation: "dropout(probability:training:generator:)", mentions: ["[0, 1]", "1.5"]) {
            _ = try x.dropout(probability: 1.5, training: true)
        }
        expectTorchError(.notImplemented, operation: "mean(axes:keepDimensions:)", mentions: ["floating point", "Long"]) {
            _ = try ints([1, 2]).mean()
        }
        expectTorchError(.invalidValue, operation: "interpolate(size:mode:alignCorners:antialias:)",
                         mentions: ["[N, C, H, W]", "[2, 2]"]) { _ = try x.interpolate(size: (4, 4)) }
        expectTorchError(.invalidValue, operation: "interpolate(size:mode:alignCorners:antialias:)",
                         mentions: ["align_corners", "nearest"]) {
            _ = try Tensor.zeros([1, 1, 2, 2]).interpolate(size: (4, 4), mode: .nearest, alignCorners: true)
        }
        expectTorchError(.invalidValue, operation: "interpolate(size:mode:alignCorners:antialias:)",
                         mentions: ["antialias", "bilinear"]) {
            _ = try Tensor.zeros([1, 1, 2, 2]).interpolate(size: (1, 1), mode: .nearest, antialias: true)
        }
        expectTorchError(.invalidValue, operation: "batchNorm(weight:bias:runningMean:runningVariance:training:momentum:eps:)",
                         mentions: ["more than one value per channel"]) {
            _ = try Tensor.zeros([1, 3]).batchNorm(weight: nil, bias: nil, runningMean: nil, runningVariance: nil,
                                                  training: true)
        }
        expectTorchError(.invalidValue, operation: "meanSquaredError(_:_:reduction:)",
                         mentions: ["[3]", "[2, 2]"]) { _ = try meanSquaredError(x, Tensor.zeros([3])) }
    }

    @Test func invalidRuntimeSettings() throws {
        expectTorchError(.invalidValue, operation: "TorchRuntime.configure(seed:threads:deterministic:)",
                         mentions: ["thread count must be positive", "0"]) {
            try TorchRuntime.configure(threads: 0)
        }
    }

    @Test func linearAlgebraFailures() throws {
        let singular = try Tensor([1, 2, 2, 4] as [Double], shape: [2, 2])
        expectTorchError(.linearAlgebra, operation: "inverse()", mentions: ["singular"]) { _ = try singular.inverse() }
        let indefinite = try Tensor([1, 0, 0, -1] as [Double], shape: [2, 2])
        expectTorchError(.linearAlgebra, operation: "cholesky()", mentions: ["positive-definite"]) {
            _ = try indefinite.cholesky()
        }
        expectTorchError(.torch, operation: "inverse()", mentions: ["square"]) { _ = try Tensor.zeros([2, 3]).inverse() }
    }

    @Test func joinsOfMismatchedTensors() throws {
        expectTorchError(.invalidValue, operation: "cat(_:axis:)", mentions: ["at least one"]) { _ = try Tensor.cat([]) }
        expectTorchError(.torch, operation: "stack(_:axis:)", mentions: ["[2]", "[3]"]) {
            _ = try Tensor.stack([Tensor.zeros([2]), Tensor.zeros([3])])
        }
        expectTorchError(.torch, operation: "cat(_:axis:)", mentions: ["Sizes of tensors must match"]) {
            _ = try Tensor.cat([Tensor.zeros([2, 2]), Tensor.zeros([3, 3])], axis: 1)
        }
    }
}
