// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name to
/// `{dtype, shape, data_offsets}`, then the raw little-endian bytes. Reading it runs no code.
public enum SafeTensors {
    static let dtypeNames: [DType: String] = [
        .float64: "F64", .float32: "F32", .float16: "F16", .bfloat16: "BF16", .int64: "I64", .int32: "I32",
        .int16: "I16", .int8: "I8", .uint8: "U8", .bool: "BOOL",
    ]

    /// Reads every tensor of a `.safetensors` file onto the CPU, in file order.
    public static func read(contentsOf url: URL) throws -> (tensors: StateDict, metadata: [String: String]) {
        let data = try mappedContents(of: url)
        return try read(data, source: url.path)
    }

    /// Parses safetensors bytes; `source` names them in errors.
    public static func read(_ data: Data, source: String) throws -> (tensors: StateDict, metadata: [String: String]) {
        func fail(_ reason: String) -> SerializationError { SerializationError(source: source, reason: reason) }
        guard data.count >= 8 else { throw fail("too short to be a safetensors file (\(data.count) bytes)") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard headerLength <= UInt64(data.count - 8), headerLength < 100_000_000 else {
            throw fail("header length \(headerLength) does not fit the file (\(data.count) bytes): not a safetensors file, or truncated")
        }
        let headerData = data.subdata(in: 8 ..< 8 + Int(headerLength))
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw fail("header is not a JSON object: not a safetensors file, or corrupt")
        }
        let bodyStart = 8 + Int(headerLength)
        let bodyLength = data.count - bodyStart
        var metadata: [String: String] = [:]
        var items: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int],
                  let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else { throw fail("entry '\(name)' lacks dtype, shape or data_offsets") }
            guard let dtype = dtypeNames.first(where: { $0.value == dtypeName })?.key else {
                throw fail("entry '\(name)' has dtype \(dtypeName), which Scalpel does not read")
            }
            let begin = offsets[0], end = offsets[1]
            // Multiplied with overflow checks: a hostile header must not trap.
            let expected = shape.reduce(Optional(dtype.elementSize)) { product, extent in
                product.flatMap { $0.multipliedReportingOverflow(by: extent) }.flatMap { $0.overflow ? nil : $0.partialValue }
            } ?? -1
            guard begin >= 0, end >= begin, end <= bodyLength, end - begin == expected, shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("entry '\(name)' (\(dtypeName) \(shape)) has data offsets [\(begin), \(end)] that do not match its size \(expected) or the file; the file is corrupt or truncated")
            }
            items.append((name, dtype, shape, begin, end))
        }
        // File order; an empty tensor sits at the offset where the next one starts, so it sorts before it.
        items.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var tensors = StateDict()
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            for item in items {
                let slice = UnsafeRawBufferPointer(rebasing: raw[(bodyStart + item.begin) ..< (bodyStart + item.end)])
                tensors[item.name] = try Tensor.fromBytes(slice, shape: item.shape, dtype: item.dtype)
            }
        }
        return (tensors, metadata)
    }

    /// Serialises tensors (copied to the host, row-major) with optional string metadata.
    public static func encode(_ tensors: StateDict, metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var body = Data()
        for (name, tensor) in tensors.entries {
            let bytes = try tensor.hostBytes()
            header[name] = [
                "dtype": dtypeNames[tensor.dtype]!,
                "shape": tensor.shape,
                "data_offsets": [body.count, body.count + bytes.count],
            ] as [String: Any]
            body.append(contentsOf: bytes)
        }
        var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while (8 + headerData.count) % 8 != 0 { headerData.append(0x20) }
        var data = Data()
        var length = UInt64(headerData.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(headerData)
        data.append(body)
        return data
    }

    /// Writes a `.safetensors` file atomically (a temporary file renamed into place).
    public static func write(_ tensors: StateDict, metadata: [String: String] = [:], to url: URL) throws {
        let data = try encode(tensors, metadata: metadata)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw SerializationError(source: url.path, reason: "cannot be written (\(error.localizedDescription))")
        }
    }
}
