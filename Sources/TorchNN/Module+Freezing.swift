// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

// Freezing: which parameters receive gradients (`param.requires_grad_(False)`).
extension Module {
    /// Stops gradients for the parameters selected by `filter` (`requires_grad = False`).
    ///
    /// Buffers are never trainable and are not affected; to stop batch-norm statistics from moving,
    /// set ``BatchNorm2d/statisticsFrozen`` or put the layers in ``ModuleMode/evaluation``.
    ///
    /// ```swift
    /// try model.freeze(matching: .all)              // linear probe:
    /// try model.unfreeze(matching: .prefix("fc"))   // only the head trains
    /// ```
    ///
    /// - Throws: ``ParameterFilterError`` when the filter, or one of its names or prefixes, matches no
    ///   parameter (nothing is changed then); ``TorchError`` if libtorch refuses the change.
    public func freeze(matching filter: ParameterFilter) throws {
        try setRequiresGradient(false, matching: filter, operation: "freeze(matching:)")
    }

    /// Lets gradients flow again into the parameters selected by `filter` (`requires_grad = True`).
    ///
    /// - Throws: ``ParameterFilterError`` when the filter, or part of it, matches no parameter.
    public func unfreeze(matching filter: ParameterFilter) throws {
        try setRequiresGradient(true, matching: filter, operation: "unfreeze(matching:)")
    }

    /// The parameters that require gradients, under their full keys: what an optimizer should update.
    public func trainableParameters() -> [(key: String, tensor: Tensor)] {
        parameters().filter { $0.tensor.requiresGradient }
    }

    private func setRequiresGradient(_ flag: Bool, matching filter: ParameterFilter, operation: String) throws {
        let all = parameters()
        let keys = all.map(\.key)
        let unmatched = filter.unmatchedParts(in: keys)
        guard unmatched.isEmpty else {
            throw ParameterFilterError(filter: filter, unmatched: unmatched, operation: operation, availableKeys: keys)
        }
        for (key, tensor) in all where filter.matches(key) {
            try tensor.setRequiresGradient(flag)
        }
    }
}
