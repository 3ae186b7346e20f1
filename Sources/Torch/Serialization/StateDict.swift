// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Named tensors in a fixed order: a model's `state_dict()` or the contents of a weight file.
///
/// Keys are PyTorch's dotted names (`layer1.0.conv1.weight`). Order is insertion order.
public struct StateDict {
    public private(set) var keys: [String] = []
    private var tensors: [String: Tensor] = [:]

    public init() {}

    public init(_ entries: [(String, Tensor)]) throws {
        for (key, tensor) in entries {
            guard tensors[key] == nil else {
                throw SerializationError(source: "state dict", reason: "duplicate key '\(key)'")
            }
            keys.append(key)
            tensors[key] = tensor
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> Tensor? {
        get { tensors[key] }
        set {
            if let newValue {
                if tensors.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if tensors.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Entries in order.
    public var entries: [(key: String, tensor: Tensor)] { keys.map { ($0, tensors[$0]!) } }

    /// Total number of elements over all tensors.
    public var elementCount: Int { tensors.values.reduce(0) { $0 + $1.elementCount } }
}

/// A weight or checkpoint file that cannot be read or written. The message names the file and what is wrong.
public struct SerializationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file (or "state dict" for in-memory checks).
    public var source: String
    public var reason: String

    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }

    public var description: String { "\(source): \(reason)" }
}

/// The bytes of a weight file, memory-mapped; a failure names the file.
func mappedContents(of url: URL) throws -> Data {
    do {
        return try Data(contentsOf: url, options: .alwaysMapped)
    } catch {
        throw SerializationError(source: url.path, reason: "cannot be read (\(error.localizedDescription))")
    }
}
