// Scalpel — TorchTestSupport
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch

/// Runs `body` and records an issue if it leaves more tensor handles alive than before.
/// Tests using it must be `.serialized` with every other test that creates tensors concurrently,
/// or run in a suite of their own, since the count is process-wide.
public func expectNoLeakedTensors(_ label: String = "", sourceLocation: SourceLocation = #_sourceLocation,
                                  _ body: () throws -> Void) rethrows {
    let before = Tensor.liveCount
    try body()
    let after = Tensor.liveCount
    if after > before {
        Issue.record("\(label) leaked \(after - before) tensor handle(s) (\(before) before, \(after) after)",
                     sourceLocation: sourceLocation)
    }
}
