// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Reads the weights of `torch.save` files (`.pth`, `.pt`, `.bin`) without running Python or any code from the file.
///
/// Both of `torch.save`'s formats are read:
/// - the zip format (PyTorch ≥ 1.6): `<archive>/data.pkl` plus one stored entry per storage under
///   `<archive>/data/`;
/// - the legacy format (`_use_new_zipfile_serialization=False`, files from before 1.6): a sequence of pickles
///   followed by the raw storages.
///
/// The pickle is read by a restricted unpickler that understands only what a state dict contains — dicts,
/// lists, tuples, numbers, strings, `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`,
/// `torch._utils._rebuild_parameter` and the `torch.<Type>Storage` classes — and refuses any other global
/// (`os.system`, `builtins.eval`, a pickled `nn.Module` class, ...) before anything could run.
///
/// Every tensor is loaded to the CPU (the saved location, e.g. `cuda:0`, is ignored) as a contiguous tensor
/// that owns its data, even when the file stored it as a strided view or shared one storage between
/// several tensors.
///
/// ```swift
/// let weights = try PyTorchCheckpoint.read(contentsOf: URL(fileURLWithPath: "efficientnet-lite0-57934424.pth"))
/// print(weights.count, weights.elementCount)   // 296 4694073 (BatchNorm buffers included)
/// ```
///
/// ### See Also
/// - ``SafeTensors``
/// - ``StateDict``
public enum PyTorchCheckpoint {
    /// Reads the state dict saved in a `torch.save` file.
    ///
    /// The top-level object must be a dict of tensors (what `model.state_dict()` gives), or a dict whose
    /// `state_dict` or `model` entry is one (a training checkpoint such as `{"state_dict": ..., "epoch": 3}`);
    /// entries named `_metadata` are skipped.
    ///
    /// - Parameter url: a `.pth`/`.pt` file in either `torch.save` format.
    /// - Returns: the tensors in file order, on the CPU, with their saved dtypes.
    /// - Throws: ``SerializationError`` naming the file when it cannot be read, is truncated or corrupt, is
    ///   compressed, is big-endian, names a global other than the allowed ones, or holds something other than
    ///   tensors.
    public static func read(contentsOf url: URL) throws -> StateDict {
        let data = try mappedContents(of: url)
        return try read(data, source: url.path)
    }

    /// Reads the state dict in the bytes of a `torch.save` file.
    ///
    /// - Parameters:
    ///   - data: the whole file.
    ///   - source: names the file in errors.
    /// - Throws: ``SerializationError``, as ``read(contentsOf:)``.
    public static func read(_ data: Data, source: String) throws -> StateDict {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let storages = StorageRegistry(source: source)
            let root: PickleValue
            let ranges: [String: Int]
            if ZipArchive.isZip(bytes) {
                (root, ranges) = try readZip(bytes, source: source, storages: storages)
            } else if bytes.count >= 4, bytes[0] == 0x80, bytes[1] == 0x02, bytes[2] == 0x8A, bytes[3] == 0x0A {
                (root, ranges) = try readLegacy(bytes, source: source, storages: storages)
            } else {
                let head = bytes.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")
                throw SerializationError(source: source, reason: "is not a torch.save file: it starts with [\(head)], neither a zip archive (50 4b 3 4) nor the legacy format (80 2 8a a)")
            }
            let builder = TensorBuilder(bytes: bytes, storageStarts: ranges, source: source)
            return try stateDict(from: root, source: source, build: builder.tensor)
        }
    }

    // MARK: Formats

    /// Zip format: `<archive>/data.pkl`, `<archive>/byteorder`, `<archive>/data/<key>`.
    private static func readZip(_ bytes: UnsafeRawBufferPointer, source: String, storages: StorageRegistry) throws
        -> (PickleValue, [String: Int]) {
        let archive = try ZipArchive(bytes, source: source)
        let pickles = archive.entries.filter { $0.name.hasSuffix("/data.pkl") && $0.name.split(separator: "/").count == 2 }
        guard pickles.count == 1, let pickle = pickles.first else {
            let names = archive.entries.prefix(12).map(\.name)
            let hint = archive.entries.contains { $0.name.hasSuffix("/constants.pkl") }
                ? " It looks like a TorchScript archive (torch.jit.save), which holds code; save model.state_dict() instead." : ""
            throw SerializationError(source: source, reason: "zip archive has \(pickles.count) '<archive>/data.pkl' entries, expected exactly one (entries: \(names)).\(hint)")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if let order = archive.entry(named: prefix + "byteorder") {
            let range = try archive.range(of: order)
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            guard text.trimmingCharacters(in: .whitespacesAndNewlines) == "little" else {
                throw SerializationError(source: source, reason: "byteorder is '\(text.prefix(16))'; only little-endian files can be read")
            }
        }
        let range = try archive.range(of: pickle)
        var reader = ByteReader(bytes, from: range.lowerBound, to: range.upperBound, source: source, context: pickle.name)
        let root = try Unpickler.load(&reader, persistentLoad: storages.load)
        var starts: [String: Int] = [:]
        for (key, info) in storages.roots {
            let name = prefix + "data/" + key
            guard let entry = archive.entry(named: name) else {
                throw SerializationError(source: source, reason: "storage '\(key)' (\(info.count) × \(info.dtype)) is referenced by data.pkl but the archive has no entry '\(name)'; the file is truncated or corrupt")
            }
            let data = try archive.range(of: entry)
            let needed = info.count * info.dtype.elementSize
            guard data.count >= needed else {
                throw SerializationError(source: source, reason: "entry '\(name)' holds \(data.count) bytes but storage '\(key)' needs \(needed) (\(info.count) × \(info.dtype)); the file is corrupt")
            }
            starts[key] = data.lowerBound
        }
        return (root, starts)
    }

    /// The magic number that opens a legacy file, as little-endian bytes: 0x1950a86a20f9469cfc6c.
    private static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// Legacy format: magic, protocol version, sys_info, the object, the storage keys, then each storage as
    /// an 8-byte little-endian element count and its raw bytes.
    private static func readLegacy(_ bytes: UnsafeRawBufferPointer, source: String, storages: StorageRegistry) throws
        -> (PickleValue, [String: Int]) {
        var position = 0
        func header(_ context: String) throws -> (PickleValue, ByteReader) {
            var reader = ByteReader(bytes, from: position, source: source, context: context)
            let value = try Unpickler.load(&reader) { _, reader in throw reader.error("unexpected persistent id") }
            position = reader.position
            return (value, reader)
        }
        let (magic, magicReader) = try header("legacy magic number")
        guard case .bigInt(let magicBytes) = magic, magicBytes == legacyMagic else {
            throw magicReader.error("expected the torch.save magic number, found \(magic.described)")
        }
        let (version, versionReader) = try header("legacy protocol version")
        guard version.int == 1001 else {
            throw versionReader.error("expected protocol version 1001, found \(version.int.map(String.init) ?? version.kindName)")
        }
        let (info, infoReader) = try header("legacy sys_info")
        guard case .dict(let system) = info else { throw infoReader.error("expected the sys_info dict, found \(info.described)") }
        if case .bool(false) = system["little_endian"] {
            throw infoReader.error("the file was saved on a big-endian machine; only little-endian files can be read")
        }
        var reader = ByteReader(bytes, from: position, source: source, context: "legacy main pickle")
        let root = try Unpickler.load(&reader, persistentLoad: storages.load)
        reader = ByteReader(bytes, from: reader.position, source: source, context: "legacy storage key list")
        let keyList = try Unpickler.load(&reader) { _, reader in throw reader.error("unexpected persistent id") }
        guard case .list(let keys) = keyList else { throw reader.error("expected the list of storage keys, found \(keyList.described)") }
        reader = ByteReader(bytes, from: reader.position, source: source, context: "legacy storage data")
        var starts: [String: Int] = [:]
        for item in keys.items {
            guard let key = item.string ?? item.int.map(String.init) else { throw reader.error("storage key is \(item.described), not a string") }
            guard let info = storages.roots[key] else {
                throw reader.error("storage '\(key)' is listed but no tensor refers to it, so its dtype is unknown")
            }
            let count = try reader.uint64("the element count of storage '\(key)'")
            guard count == info.count else {
                throw reader.error("storage '\(key)' should hold \(info.count) elements but its header says \(count)")
            }
            starts[key] = reader.position
            _ = try reader.take(count * info.dtype.elementSize, "the \(count) × \(info.dtype) elements of storage '\(key)'")
        }
        if let missing = storages.roots.keys.sorted().first(where: { starts[$0] == nil }) {
            throw SerializationError(source: source, reason: "storage '\(missing)' is referenced by a tensor but missing from the legacy storage list; the file is corrupt")
        }
        return (root, starts)
    }

    // MARK: The state dict

    private static func stateDict(from root: PickleValue, source: String,
                                  build: (TensorDescription) throws -> Tensor) throws -> StateDict {
        func fail(_ reason: String) -> SerializationError { SerializationError(source: source, reason: reason) }
        guard case .dict(let top) = root else {
            throw fail("holds \(root.described), not a dict of tensors (a state dict)")
        }
        func isTensor(_ value: PickleValue) -> Bool { if case .tensor = value { true } else { false } }
        var chosen = top
        var label = "state dict"
        let isOnlyMetadata = top.keys.allSatisfy { $0.string == "_metadata" }
        if !isOnlyMetadata, !top.values.contains(where: isTensor) {
            if case .dict(let inner) = top["state_dict"] {
                (chosen, label) = (inner, "'state_dict'")
            } else if case .dict(let inner) = top["model"] {
                (chosen, label) = (inner, "'model'")
            } else {
                let listing = zip(top.keys, top.values).prefix(20).map { "\($0.string.map { "'\($0)'" } ?? $0.kindName): \($1.kindName)" }
                throw fail("holds no tensors: its top-level dict has \(top.keys.count) entries [\(listing.joined(separator: ", "))\(top.keys.count > 20 ? ", ..." : "")], and no 'state_dict' or 'model' entry that is a dict of tensors")
            }
        }
        var result = StateDict()
        for (key, value) in zip(chosen.keys, chosen.values) {
            guard let name = key.string else { throw fail("\(label) has \(key.described) key; tensor names must be strings") }
            if name == "_metadata" { continue }
            guard case .tensor(let description) = value else {
                throw fail("\(label) entry '\(name)' is \(value.described), not a tensor")
            }
            result[name] = try build(description)
        }
        return result
    }
}

/// The storages a pickle refers to, by key, from its persistent ids.
private final class StorageRegistry {
    let source: String
    private(set) var roots: [String: (dtype: DType, count: Int)] = [:]

    init(source: String) { self.source = source }

    /// `('storage', torch.<Type>Storage, key, location, numel[, (view_key, offset, view_numel) or None])`.
    func load(_ id: PickleValue, _ reader: ByteReader) throws -> PickleValue {
        guard case .tuple(let fields) = id, fields.count == 5 || fields.count == 6, fields[0].string == "storage" else {
            throw reader.error("persistent id is \(id.described), expected ('storage', type, key, location, numel)")
        }
        guard case .global(.storageType(let dtype)) = fields[1] else {
            throw reader.error("persistent id names a storage type \(fields[1].kindName), expected torch.<Type>Storage")
        }
        guard let key = fields[2].string ?? fields[2].int.map(String.init), let count = fields[4].int, count >= 0,
              count <= Int.max / 8
        else {
            throw reader.error("persistent id has key \(fields[2].kindName) and size \(fields[4].kindName), expected a string and an element count")
        }
        if let known = roots[key] {
            guard known.dtype == dtype, known.count == count else {
                throw reader.error("storage '\(key)' is described both as \(known.count) × \(known.dtype) and \(count) × \(dtype)")
            }
        } else {
            roots[key] = (dtype, count)
        }
        var reference = StorageReference(key: key, dtype: dtype, offset: 0, count: count)
        if fields.count == 6, case .tuple(let view) = fields[5] {
            // A legacy storage view: elements offset ..< offset + size of the root storage.
            guard view.count == 3, let offset = view[1].int, let size = view[2].int, offset >= 0, size >= 0,
                  offset <= count, size <= count - offset
            else { throw reader.error("storage view \(view.map(\.kindName)) does not fit storage '\(key)' of \(count) elements") }
            reference.offset = offset
            reference.count = size
        }
        return .storage(reference)
    }
}

/// Copies each tensor's elements out of the file into a new contiguous CPU tensor.
private struct TensorBuilder {
    let bytes: UnsafeRawBufferPointer
    /// Absolute file offset of each storage's first byte.
    let storageStarts: [String: Int]
    let source: String

    func tensor(_ description: TensorDescription) throws -> Tensor {
        let dtype = description.storage.dtype
        let size = dtype.elementSize
        guard let start = storageStarts[description.storage.key] else {
            throw SerializationError(source: source, reason: "storage '\(description.storage.key)' has no data in the file")
        }
        // Bounds were checked when the tensor was unpickled and when the storage was located.
        let base = start + (description.storage.offset + description.offset) * size
        let shape = description.shape
        let count = shape.reduce(1, *)
        var expectedStride = 1
        var isContiguous = true
        for (extent, stride) in zip(shape, description.strides).reversed() where extent != 1 {
            if stride != expectedStride { isContiguous = false }
            expectedStride *= extent
        }
        if count == 0 || (isContiguous && dtype != .bool) {
            let slice = count == 0 ? UnsafeRawBufferPointer(start: nil, count: 0)
                : UnsafeRawBufferPointer(rebasing: bytes[base ..< base + count * size])
            return try fromBytes(slice, shape: shape, dtype: dtype)
        }
        var output = [UInt8](repeating: 0, count: count * size)
        output.withUnsafeMutableBytes { out in
            let rank = shape.count
            if rank == 0 {
                out.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[base ..< base + size]))
            } else {
                gather(into: out, from: base, shape: shape, strides: description.strides, elementSize: size)
            }
            if dtype == .bool {
                for position in out.indices where out[position] > 1 { out[position] = 1 }
            }
        }
        return try output.withUnsafeBytes { try fromBytes($0, shape: shape, dtype: dtype) }
    }

    /// Copies the elements of a strided view, row-major, into `out`.
    private func gather(into out: UnsafeMutableRawBufferPointer, from base: Int, shape: [Int], strides: [Int],
                        elementSize size: Int) {
        let rank = shape.count
        let count = shape.reduce(1, *)
        let inner = shape[rank - 1]
        let innerStride = strides[rank - 1] * size
        var index = [Int](repeating: 0, count: rank - 1)
        var source = base
        var written = 0
        for _ in 0 ..< count / inner {
            if innerStride == size {
                let run = inner * size
                (out.baseAddress! + written).copyMemory(from: bytes.baseAddress! + source, byteCount: run)
                written += run
            } else {
                var element = source
                for _ in 0 ..< inner {
                    (out.baseAddress! + written).copyMemory(from: bytes.baseAddress! + element, byteCount: size)
                    written += size
                    element += innerStride
                }
            }
            // Advance the outer index like an odometer, moving `source` by each dimension's stride.
            var dimension = rank - 2
            while dimension >= 0 {
                index[dimension] += 1
                source += strides[dimension] * size
                if index[dimension] < shape[dimension] { break }
                source -= shape[dimension] * strides[dimension] * size
                index[dimension] = 0
                dimension -= 1
            }
        }
    }

    private func fromBytes(_ slice: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws -> Tensor {
        do {
            return try Tensor.fromBytes(slice, shape: shape, dtype: dtype)
        } catch {
            throw SerializationError(source: source, reason: "tensor of shape \(shape) (\(dtype)) cannot be created: \(error)")
        }
    }
}
