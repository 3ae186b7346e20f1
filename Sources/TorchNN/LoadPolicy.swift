// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// How ``Module/load(_:policy:)`` treats differences between a state dict and the model.
///
/// Strict by default: every difference throws ``StateDictError``. A lenient policy names each kind
/// of difference it tolerates, and the load returns a ``LoadReport`` that lists them, so nothing is
/// ever skipped silently.
///
/// ```swift
/// let report = try model.load(checkpoint, policy: LoadPolicy(allowedMissingKeys: .prefix("fc")))
/// print(report.missing)   // ["fc.weight", "fc.bias"]: they keep their fresh initialisation
/// ```
public struct LoadPolicy: Sendable, Equatable {
    /// Model keys that may be absent from the state dict; those tensors keep their current values.
    /// `nil`: every key of the model must be present.
    public var allowedMissingKeys: ParameterFilter?
    /// Whether keys the model does not have are ignored (and reported) instead of throwing.
    public var ignoresUnexpectedKeys: Bool
    /// Whether tensors whose shape differs from the model's are left unloaded (and reported)
    /// instead of throwing. A dtype difference still throws unless ``convertsDTypes``.
    public var skipsShapeMismatches: Bool
    /// Whether a floating-point tensor of another floating-point dtype is converted while copying
    /// (a float16 file into a float32 model). Never between integer and floating-point dtypes.
    public var convertsDTypes: Bool

    public init(allowedMissingKeys: ParameterFilter? = nil, ignoresUnexpectedKeys: Bool = false,
                skipsShapeMismatches: Bool = false, convertsDTypes: Bool = false) {
        self.allowedMissingKeys = allowedMissingKeys
        self.ignoresUnexpectedKeys = ignoresUnexpectedKeys
        self.skipsShapeMismatches = skipsShapeMismatches
        self.convertsDTypes = convertsDTypes
    }

    /// Every key present on both sides with the same shape and dtype (`load_state_dict(strict=True)`).
    public static let strict = LoadPolicy()

    /// PyTorch's `load_state_dict(strict=False)`: missing and unexpected keys are reported, not thrown.
    /// Shape and dtype mismatches still throw, as they do in PyTorch.
    public static let lenient = LoadPolicy(allowedMissingKeys: .all, ignoresUnexpectedKeys: true)
}

/// What a ``Module/load(_:policy:)`` did. Keys are full dotted keys, in model order (unexpected keys
/// in state-dict order).
public struct LoadReport: Sendable, Equatable, CustomStringConvertible {
    /// Keys whose values were copied into the model.
    public var loaded: [String]
    /// Model keys absent from the state dict (allowed by the policy); they kept their values.
    public var missing: [String]
    /// State-dict keys the model does not have (ignored by the policy).
    public var unexpected: [String]
    /// Keys present on both sides with different shapes (skipped by the policy).
    public var mismatched: [KeyMismatch]

    public init(loaded: [String] = [], missing: [String] = [], unexpected: [String] = [],
                mismatched: [KeyMismatch] = []) {
        self.loaded = loaded
        self.missing = missing
        self.unexpected = unexpected
        self.mismatched = mismatched
    }

    /// Whether everything was loaded and nothing was left over.
    public var isComplete: Bool { missing.isEmpty && unexpected.isEmpty && mismatched.isEmpty }

    public var description: String {
        "loaded \(loaded.count) tensor(s)" + StateDictError.listing(missing: missing, unexpected: unexpected,
                                                                     mismatched: mismatched)
    }
}

/// A key present in both the model and a state dict whose tensors differ in shape or dtype.
public struct KeyMismatch: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    /// Shape and dtype in the model.
    public var expectedShape: [Int]
    public var expectedDType: DType
    /// Shape and dtype in the state dict.
    public var foundShape: [Int]
    public var foundDType: DType

    public init(key: String, expectedShape: [Int], expectedDType: DType, foundShape: [Int], foundDType: DType) {
        self.key = key
        self.expectedShape = expectedShape
        self.expectedDType = expectedDType
        self.foundShape = foundShape
        self.foundDType = foundDType
    }

    public var description: String {
        "\(key): model has \(expectedDType) \(expectedShape), state dict has \(foundDType) \(foundShape)"
    }
}

/// A state dict that does not fit a model under the ``LoadPolicy`` in force. Nothing was loaded.
///
/// `description` lists the missing, unexpected and mismatched keys (the first 10 of each, with shapes
/// for mismatches), e.g.
/// `state dict does not match SmallNet: 1 missing key(s): fc.bias; 1 unexpected key(s): head.bias; …`.
public struct StateDictError: Error, UserFacingError, Sendable, Equatable, CustomStringConvertible {
    /// The model's type name.
    public var model: String
    /// Model keys absent from the state dict and not allowed to be.
    public var missingKeys: [String]
    /// State-dict keys the model does not have.
    public var unexpectedKeys: [String]
    /// Keys whose shape or dtype differs.
    public var mismatches: [KeyMismatch]
    /// The weight file the state dict came from, when there was one.
    public var source: String?

    public init(model: String, missingKeys: [String], unexpectedKeys: [String], mismatches: [KeyMismatch],
                source: String? = nil) {
        self.model = model
        self.missingKeys = missingKeys
        self.unexpectedKeys = unexpectedKeys
        self.mismatches = mismatches
        self.source = source
    }

    public var description: String {
        (source.map { "\($0): " } ?? "") + "state dict does not match \(model)"
            + Self.listing(missing: missingKeys, unexpected: unexpectedKeys, mismatched: mismatches)
    }

    static func listing(missing: [String], unexpected: [String], mismatched: [KeyMismatch]) -> String {
        func part(_ title: String, _ items: [String]) -> String {
            guard !items.isEmpty else { return "" }
            let more = items.count > 10 ? ", … (\(items.count - 10) more)" : ""
            return "; \(items.count) \(title): " + items.prefix(10).joined(separator: ", ") + more
        }
        return part("missing key(s)", missing) + part("unexpected key(s)", unexpected)
            + part("mismatched key(s)", mismatched.map(\.description))
    }
}
