// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0

// Training and evaluation mode, stored on the modules (`model.train()` / `model.eval()`).
extension Module {
    /// Sets `mode` on this module and every ``ModeDependent`` module below it (`model.train()` or
    /// `model.eval()`). Modules whose computation does not depend on the mode are left alone.
    ///
    /// ```swift
    /// model.setMode(.training)
    /// backbone.setMode(.evaluation)   // e.g. a linear probe keeps the backbone's batch norms fixed
    /// ```
    public func setMode(_ mode: ModuleMode) {
        visitModules(prefix: "") { _, module in
            if let dependent = module as? any ModeDependent {
                dependent.mode = mode
            }
        }
    }

    /// Whether this module computes as in training.
    ///
    /// For a ``ModeDependent`` module this is its own mode (PyTorch's `module.training`). For any other
    /// module it is `true` when some mode-dependent module below it is in training mode, and `false`
    /// when there is none: such a tree computes the same in both modes.
    public var isTraining: Bool {
        if let dependent = self as? any ModeDependent {
            return dependent.mode == .training
        }
        var training = false
        visitModules(prefix: "") { _, module in
            if let dependent = module as? any ModeDependent, dependent.mode == .training {
                training = true
            }
        }
        return training
    }
}
