// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

// State dicts: `model.state_dict()` and `model.load_state_dict(...)` with torchvision's keys.
extension Module {
    /// Every parameter and buffer under its full key, in PyTorch's `state_dict()` order: for each
    /// module in pre-order, its own parameters, then its own buffers, then its children.
    public func namedTensors() -> [(key: String, tensor: Tensor)] {
        var result: [(key: String, tensor: Tensor)] = []
        visitModules(prefix: "") { prefix, module in
            for (name, tensor) in module.namedParameters + module.namedBuffers {
                result.append((prefix + name, tensor))
            }
        }
        return result
    }

    /// The model's parameters and buffers as a ``StateDict`` (`model.state_dict()`).
    ///
    /// The tensors are detached views of the model's own storage, as in PyTorch: saving them writes the
    /// current values, and they change when the model trains. Clone them for a snapshot.
    ///
    /// ```swift
    /// try SafeTensors.write(model.stateDict(), to: url)
    /// ```
    ///
    /// - Throws: ``TorchError`` if libtorch cannot make a view.
    public func stateDict() throws -> StateDict {
        try StateDict(namedTensors().map { ($0.key, try $0.tensor.detached()) })
    }

    /// Copies the values of `stateDict` into the model's tensors, in place and outside autograd
    /// (`model.load_state_dict(...)`).
    ///
    /// Every key is checked before anything is copied. Under ``LoadPolicy/strict`` a missing key, an
    /// unexpected key, or a shape or dtype mismatch throws; a lenient policy tolerates exactly the
    /// differences it names and reports them. Values are copied to the model's device; the model's
    /// tensors keep their identity, device and dtype.
    ///
    /// ```swift
    /// let weights = try SafeTensors.read(contentsOf: url).tensors
    /// try model.load(weights)                                              // strict
    /// let report = try model.load(weights, policy: .lenient)              // report differences
    /// ```
    ///
    /// - Parameters:
    ///   - stateDict: tensors under full dotted keys, on any device.
    ///   - policy: which differences to tolerate; ``LoadPolicy/strict`` by default.
    /// - Returns: what was loaded, and what was missing, unexpected or mismatched.
    /// - Throws: ``StateDictError`` listing every difference the policy does not allow (the model is
    ///   unchanged then); ``TorchError`` if a copy fails.
    @discardableResult
    public func load(_ stateDict: StateDict, policy: LoadPolicy = .strict) throws -> LoadReport {
        let targets = namedTensors()
        let modelKeys = Set(targets.map(\.key))
        var report = LoadReport()
        var refusedMissing: [String] = []
        var refusedMismatches: [KeyMismatch] = []
        var copies: [(target: Tensor, source: Tensor)] = []

        for (key, target) in targets {
            guard let source = stateDict[key] else {
                if policy.allowedMissingKeys?.matches(key) == true {
                    report.missing.append(key)
                } else {
                    refusedMissing.append(key)
                }
                continue
            }
            let mismatch = KeyMismatch(key: key, expectedShape: target.shape, expectedDType: target.dtype,
                                       foundShape: source.shape, foundDType: source.dtype)
            let dtypeFits = source.dtype == target.dtype
                || (policy.convertsDTypes && source.dtype.isFloatingPoint && target.dtype.isFloatingPoint)
            if !dtypeFits {
                refusedMismatches.append(mismatch)
            } else if source.shape != target.shape {
                if policy.skipsShapeMismatches {
                    report.mismatched.append(mismatch)
                } else {
                    refusedMismatches.append(mismatch)
                }
            } else {
                copies.append((target, source))
                report.loaded.append(key)
            }
        }
        let unexpected = stateDict.keys.filter { !modelKeys.contains($0) }
        if policy.ignoresUnexpectedKeys {
            report.unexpected = unexpected
        }
        let refusedUnexpected = policy.ignoresUnexpectedKeys ? [] : unexpected
        guard refusedMissing.isEmpty, refusedUnexpected.isEmpty, refusedMismatches.isEmpty else {
            throw StateDictError(model: "\(type(of: self))", missingKeys: refusedMissing,
                                 unexpectedKeys: refusedUnexpected, mismatches: refusedMismatches)
        }
        try withNoGrad {
            for (target, source) in copies {
                try target.copyInPlace(from: source)
            }
        }
        return report
    }
}
