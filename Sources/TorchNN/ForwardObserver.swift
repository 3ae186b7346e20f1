// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Sees every leaf layer's forward pass while it is installed with ``withForwardObserver(_:_:)``: the
/// layer, its input's shape and its output's shape.
///
/// The leaf layers — ``Conv2d``, ``Linear``, ``BatchNorm2d``, ``MaxPool2d``, ``AvgPool2d``,
/// ``AdaptiveAvgPool2d``, the activations (``ReLU``, ``ReLU6``, ``SiLU``, ``Sigmoid``, ``Hardswish``,
/// ``Hardsigmoid``, ``GELU``), ``Dropout``, ``Identity`` and ``Flatten`` — report each call after
/// computing it, once per call (a layer applied twice reports twice). Containers (``Sequential``, a
/// backbone's blocks) report nothing themselves, and neither do tensor methods called directly
/// (`x.relu()`, `a + b`): the observer sees layers, not operations, much as PyTorch forward hooks
/// registered on leaf modules do (what ptflops counts MACs from).
///
/// ```swift
/// final class ShapeLog: ForwardObserver, @unchecked Sendable {
///     var lines: [String] = []
///     func layerDidForward(_ layer: any Layer, inputShape: [Int], outputShape: [Int]) {
///         lines.append("\(type(of: layer)) \(inputShape) -> \(outputShape)")
///     }
/// }
/// let log = ShapeLog()
/// _ = try withForwardObserver(log) { try model(input) }
/// ```
///
/// The observer is called synchronously on the thread (task) that runs the forward pass; it is
/// `Sendable` only so that it can be bound task-locally, and need not be thread-safe.
public protocol ForwardObserver: AnyObject, Sendable {
    /// Called after `layer` computed its output from an input of `inputShape`.
    func layerDidForward(_ layer: any Layer, inputShape: [Int], outputShape: [Int])
}

/// Where the current observer lives: bound for the duration of ``withForwardObserver(_:_:)`` on the
/// current task (or thread, outside any task), nil otherwise.
enum ForwardObservation {
    @TaskLocal static var current: (any ForwardObserver)?
}

/// Runs `body` with `observer` seeing every leaf layer's forward pass on this task or thread; the
/// previous observer (if any) is restored afterwards and does not see these calls.
///
/// Without an installed observer a layer pays one task-local read per call and nothing else.
///
/// - Returns: what `body` returns.
/// - Throws: what `body` throws.
public func withForwardObserver<R>(_ observer: any ForwardObserver, _ body: () throws -> R) rethrows -> R {
    try ForwardObservation.$current.withValue(observer, operation: body)
}

/// Whether a ``ForwardObserver`` is installed on the current task or thread.
public var isForwardObserverInstalled: Bool { ForwardObservation.current != nil }

extension Layer {
    /// Reports this call to the installed observer, if any; returns `output` unchanged.
    @inline(__always)
    func notifyingObserver(input: Tensor, output: Tensor) -> Tensor {
        if let observer = ForwardObservation.current {
            observer.layerDidForward(self, inputShape: input.shape, outputShape: output.shape)
        }
        return output
    }
}
