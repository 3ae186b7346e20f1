// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0

/// Selects parameters by full state-dict key, for freezing, unfreezing and parameter groups.
///
/// A prefix names a module path: `.prefix("layer4")` and `.prefix("layer4.")` both select
/// `layer4.0.conv1.weight` but not `layer40.weight`; a prefix equal to a whole key selects that key.
///
/// ```swift
/// try model.freeze(matching: .all)
/// try model.unfreeze(matching: .prefixes(["layer4", "fc"]))
/// ```
public enum ParameterFilter: Sendable, Equatable {
    /// Every parameter.
    case all
    /// Exactly these full keys (`"fc.weight"`).
    case names([String])
    /// Every key inside this module path (`"layer4."`).
    case prefix(String)
    /// Every key inside any of these module paths.
    case prefixes([String])

    /// Whether `key` is selected.
    public func matches(_ key: String) -> Bool {
        switch self {
        case .all: true
        case .names(let names): names.contains(key)
        case .prefix(let prefix): Self.key(key, isInside: prefix)
        case .prefixes(let prefixes): prefixes.contains { Self.key(key, isInside: $0) }
        }
    }

    /// The parts of this filter (names or prefixes) that select none of `keys`: a typo, or a module
    /// the model does not have. `.all` is unmatched only when `keys` is empty.
    public func unmatchedParts(in keys: [String]) -> [String] {
        switch self {
        case .all: keys.isEmpty ? ["<all>"] : []
        case .names(let names): names.filter { !keys.contains($0) }
        case .prefix(let prefix): keys.contains { Self.key($0, isInside: prefix) } ? [] : [prefix]
        case .prefixes(let prefixes):
            prefixes.filter { prefix in !keys.contains { Self.key($0, isInside: prefix) } }
        }
    }

    static func key(_ key: String, isInside prefix: String) -> Bool {
        if prefix.isEmpty { return true }
        if prefix.hasSuffix(".") { return key.hasPrefix(prefix) }
        return key == prefix || key.hasPrefix(prefix + ".")
    }
}

/// A ``ParameterFilter`` that selected nothing, or part of which selected nothing.
///
/// `description` names the unmatched names or prefixes and a few of the model's keys.
public struct ParameterFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The filter as given.
    public var filter: ParameterFilter
    /// Names or prefixes of the filter that match no parameter.
    public var unmatched: [String]
    /// The operation that failed, e.g. `freeze(matching:)`.
    public var operation: String
    /// A few of the model's parameter keys, to show what exists.
    public var availableKeys: [String]

    public init(filter: ParameterFilter, unmatched: [String], operation: String, availableKeys: [String]) {
        self.filter = filter
        self.unmatched = unmatched
        self.operation = operation
        self.availableKeys = availableKeys
    }

    public var description: String {
        let shown = availableKeys.prefix(10).joined(separator: ", ")
        let more = availableKeys.count > 10 ? ", … (\(availableKeys.count) in all)" : ""
        return "\(operation): \(unmatched.map { "'\($0)'" }.joined(separator: ", ")) matches no parameter; "
            + "parameters are: \(availableKeys.isEmpty ? "none" : shown + more)"
    }
}
