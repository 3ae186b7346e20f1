// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

extension Tensor {
    /// Turns gradient recording for this leaf tensor on or off.
    public func setRequiresGradient(_ flag: Bool = true) throws {
        try shimCall { ctorch_set_requires_grad(rawHandle, flag, $0) }
    }

    /// This tensor after ``setRequiresGradient(_:)`` (for chaining at creation).
    @discardableResult
    public func requiringGradient() throws -> Tensor {
        try setRequiresGradient(true)
        return self
    }

    /// The gradient accumulated by ``backward(gradient:retainGraph:createGraph:)`` (`tensor.grad`), if any.
    public func gradient() throws -> Tensor? {
        var out: ctorch_tensor? = nil
        try shimCall { ctorch_grad(rawHandle, &out, $0) }
        return out.map { Tensor(adopting: $0) }
    }

    /// Drops the accumulated gradient (or zeroes it in place when `setToNone` is false).
    public func zeroGradient(setToNone: Bool = true) throws {
        try shimCall { ctorch_zero_grad(rawHandle, setToNone, $0) }
    }

    /// Keeps `.grad` on this non-leaf tensor after backward.
    public func retainGradient() throws {
        try shimCall { ctorch_retain_grad(rawHandle, $0) }
    }

    /// A tensor sharing storage but cut from the autograd graph.
    public func detached() throws -> Tensor {
        try shimTensor { ctorch_detach(rawHandle, $0, $1) }
    }

    /// Back-propagates from this tensor (a scalar unless `gradient` is given) into every leaf's gradient.
    ///
    /// - Parameter retainGraph: keep the graph for another pass; nil means `createGraph`, as in PyTorch
    ///   (a graph built for higher-order gradients still needs the saved values of the first one).
    public func backward(gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false) throws {
        let retain = retainGraph ?? createGraph
        try withExtendedLifetime(gradient) {
            try shimCall { ctorch_backward(rawHandle, gradient?.rawHandle, retain, createGraph, $0) }
        }
    }
}

/// Gradients of `outputs` with respect to `inputs`, which may be leaves, model inputs or intermediate
/// activations (`torch.autograd.grad`). Leaves' `.grad` is left untouched.
///
/// - Parameters:
///   - gradientOutputs: weights for each output (the vector of a vector-Jacobian product); nil for scalars.
///   - retainGraph: keep the graph for another pass; nil means `createGraph`, as in PyTorch.
///   - allowUnused: return nil for an input the outputs do not depend on instead of throwing.
public func gradients(of outputs: [Tensor], withRespectTo inputs: [Tensor], gradientOutputs: [Tensor]? = nil,
                      retainGraph: Bool? = nil, createGraph: Bool = false,
                      allowUnused: Bool = false) throws -> [Tensor?] {
    let retainGraph = retainGraph ?? createGraph
    if let gradientOutputs, gradientOutputs.count != outputs.count {
        throw TorchError(kind: .invalidValue,
                         message: "\(gradientOutputs.count) output gradients given for \(outputs.count) outputs",
                         operation: "gradients(of:withRespectTo:)")
    }
    var results = [ctorch_tensor?](repeating: nil, count: inputs.count)
    try withHandles(outputs) { outs in
        try withHandles(inputs) { ins in
            try withHandles(gradientOutputs ?? []) { weights in
                try shimCall("gradients(of:withRespectTo:)") { error in
                    results.withUnsafeMutableBufferPointer { buffer in
                        ctorch_autograd_grad(outs, outs.count, ins, ins.count, gradientOutputs == nil ? nil : weights,
                                             retainGraph, createGraph, allowUnused, buffer.baseAddress, error)
                    }
                }
            }
        }
    }
    return results.map { $0.map { Tensor(adopting: $0) } }
}

/// Gradient of one scalar `output` with respect to each of `inputs`.
public func gradients(of output: Tensor, withRespectTo inputs: [Tensor], retainGraph: Bool = false) throws -> [Tensor] {
    try gradients(of: [output], withRespectTo: inputs, retainGraph: retainGraph).enumerated().map { index, gradient in
        guard let gradient else {
            throw TorchError(kind: .invalidValue, message: "input \(index) was not used to compute the output",
                             operation: "gradients(of:withRespectTo:)")
        }
        return gradient
    }
}

/// Runs `body` with gradient recording disabled on the current thread (`torch.no_grad()`).
/// `body` must not suspend: libtorch's grad mode is thread-local.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ctorch_set_grad_enabled(false)
    defer { _ = ctorch_set_grad_enabled(previous) }
    return try body()
}

/// Runs `body` with gradient recording enabled on the current thread (`torch.enable_grad()`).
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ctorch_set_grad_enabled(true)
    defer { _ = ctorch_set_grad_enabled(previous) }
    return try body()
}

/// Whether operations on the current thread are recorded for autograd.
public var isGradEnabled: Bool { ctorch_is_grad_enabled() }
