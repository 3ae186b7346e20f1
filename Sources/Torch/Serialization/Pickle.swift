// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0

/// A value built by the restricted unpickler. Lists and dicts are references because pickle mutates
/// them after creation (APPENDS, SETITEMS) and shares them through the memo.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer too wide for `Int`: its little-endian two's-complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// One of the few allowed globals (a class or function reference, never called by itself).
    case global(PickleGlobal)
    /// A storage returned by the persistent-load hook.
    case storage(StorageReference)
    /// A tensor described by `_rebuild_tensor_v2`; its bytes are gathered later.
    case tensor(TensorDescription)

    /// A short name of the value's kind, for error messages.
    var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple(let items): "tuple of \(items.count)"
        case .list(let list): "list of \(list.items.count)"
        case .dict(let dict): "dict of \(dict.keys.count)"
        case .global(let global): "global \(global.qualifiedName)"
        case .storage: "storage"
        case .tensor: "tensor"
        }
    }

    /// The kind with an article ("an int", "a dict of 3", "None"), for error messages.
    var described: String {
        switch self {
        case .none: "None"
        case .int, .bigInt: "an int"
        default: "a " + kindName
        }
    }

    var string: String? { if case .string(let value) = self { value } else { nil } }
    var int: Int? { if case .int(let value) = self { value } else { nil } }

    /// The value as a tuple or list of ints (a tensor size or stride).
    var ints: [Int]? {
        let items: [PickleValue]
        switch self {
        case .tuple(let values): items = values
        case .list(let list): items = list.items
        default: return nil
        }
        let values = items.compactMap(\.int)
        return values.count == items.count ? values : nil
    }

    /// A hashable identity for dict keys; nil for unhashable values (lists, dicts) and for keys nested
    /// too deeply or too large (a hostile pickle can nest shared tuples to an exponential size).
    var hashKey: String? {
        var budget = 256
        return hashKey(budget: &budget)
    }

    private func hashKey(budget: inout Int) -> String? {
        budget -= 1
        guard budget >= 0 else { return nil }
        switch self {
        case .none: return "N"
        case .bool(let value): return value ? "i1" : "i0"  // Python: True == 1
        case .int(let value): return "i\(value)"
        case .bigInt(let bytes): return "L\(bytes)"
        case .float(let value):
            return value == value.rounded() && Swift.abs(value) < 1e18 ? "i\(Int(value))" : "f\(value)"
        case .string(let value): return "s\(value.utf8.count):" + value  // length-prefixed: no collisions in tuples
        case .bytes(let value): return "b\(value)"
        case .tuple(let items):
            var key = "t("
            for item in items {
                guard let part = item.hashKey(budget: &budget) else { return nil }
                key += part + ","
            }
            return key + ")"
        default: return nil
        }
    }
}

/// A Python list. `depth` is its nesting (1 + its deepest item's); `sealed` is set once it is placed inside
/// another container, after which it may no longer grow (so recorded depths stay true and no cycle forms).
final class PickleList {
    var items: [PickleValue]
    var depth = 1
    var sealed = false
    init(_ items: [PickleValue] = []) { self.items = items }
}

/// A Python dict or OrderedDict: insertion-ordered, keys replaced in place.
final class PickleDict {
    /// Nesting and sealing as for ``PickleList``.
    var depth = 1
    var sealed = false
    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    private var index: [String: Int] = [:]

    func set(_ key: PickleValue, _ value: PickleValue) -> Bool {
        guard let hash = key.hashKey else { return false }
        if let position = index[hash] {
            values[position] = value
        } else {
            index[hash] = keys.count
            keys.append(key)
            values.append(value)
        }
        return true
    }

    subscript(key: String) -> PickleValue? {
        PickleValue.string(key).hashKey.flatMap { index[$0] }.map { values[$0] }
    }
}

/// The only globals a state dict needs. Anything else is refused before it could be called.
enum PickleGlobal: Equatable {
    case orderedDict
    case rebuildTensor, rebuildTensorV2, rebuildParameter, rebuildParameterWithState
    case storageType(DType)

    static let storageTypes: [String: DType] = [
        "FloatStorage": .float32, "DoubleStorage": .float64, "HalfStorage": .float16, "BFloat16Storage": .bfloat16,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8,
        "ByteStorage": .uint8, "BoolStorage": .bool,
    ]

    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): self = .rebuildParameterWithState
        case ("torch", _), ("torch.cuda", _):  // older files name CUDA storages torch.cuda.<Type>Storage
            guard let dtype = Self.storageTypes[name] else { return nil }
            self = .storageType(dtype)
        default: return nil
        }
    }

    var qualifiedName: String {
        switch self {
        case .orderedDict: "collections.OrderedDict"
        case .rebuildTensor: "torch._utils._rebuild_tensor"
        case .rebuildTensorV2: "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: "torch._utils._rebuild_parameter"
        case .rebuildParameterWithState: "torch._utils._rebuild_parameter_with_state"
        case .storageType(let dtype): "torch." + (Self.storageTypes.first { $0.value == dtype }?.key ?? "Storage")
        }
    }
}

/// Elements `offset ..< offset + count` of the storage saved under `key`, holding `dtype`.
struct StorageReference {
    var key: String
    var dtype: DType
    var offset: Int
    var count: Int
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage.
struct TensorDescription {
    var storage: StorageReference
    var offset: Int
    var shape: [Int]
    var strides: [Int]
}
