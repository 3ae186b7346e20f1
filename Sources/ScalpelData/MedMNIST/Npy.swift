// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Torch

/// One array of numpy's `.npy` format: the magic `\x93NUMPY`, a version (1, 2 or 3), a header length,
/// a Python-dict header (`descr`, `fortran_order`, `shape`) and the raw C-order data.
public struct NpyArray: Sendable, Equatable {
    /// The element types understood (numpy `descr` strings).
    public enum DType: String, Sendable, CaseIterable {
        case uint8 = "|u1", uint16 = "<u2", int64 = "<i8", float32 = "<f4", float64 = "<f8", bool = "|b1"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .bool: 1
            case .uint16: 2
            case .float32: 4
            case .int64, .float64: 8
            }
        }
    }

    public var dtype: DType
    public var shape: [Int]
    /// The elements' bytes, little-endian, C (row-major) order.
    public var data: [UInt8]

    /// The number of elements (the product of ``shape``; 1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// Parses `.npy` bytes; `source` names them in errors (e.g. `"file.npz: train_images.npy"`).
    ///
    /// - Throws: ``DatasetError`` for a bad magic, an unknown version, an unreadable header, an
    ///   unsupported `descr`, `fortran_order: True`, or data shorter than the shape requires.
    public init(_ bytes: [UInt8], source: String) throws {
        func fail(_ expected: String, _ found: String) -> DatasetError {
            DatasetError(file: source, key: "npy header", expected: expected, found: found)
        }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Array(bytes[0 ..< 6]) == magic else {
            throw fail("the .npy magic \\x93NUMPY", bytes.count < 10 ? "\(bytes.count) bytes" : "other first bytes")
        }
        let major = Int(bytes[6])
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("a 4-byte header length", "\(bytes.count) bytes in all") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("format version 1, 2 or 3", "version \(major).\(bytes[7])")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw fail("a \(headerLength)-byte header", "\(bytes.count - headerStart) bytes (truncated)")
        }
        let header = String(decoding: bytes[headerStart ..< headerStart + headerLength], as: UTF8.self)
        guard let descr = Self.value(of: "descr", in: header) else { throw fail("a 'descr' entry", header) }
        let descrText = descr.trimming("'\"")
        // Single-byte types may be written with '|', '<' or '='.
        let normalised = descrText.count == 3 && descrText.hasSuffix("1") ? "|" + descrText.dropFirst() : descrText
        guard let dtype = DType(rawValue: normalised) else {
            throw fail("descr one of \(DType.allCases.map(\.rawValue))", "'\(descrText)'")
        }
        guard let order = Self.value(of: "fortran_order", in: header) else { throw fail("a 'fortran_order' entry", header) }
        guard order == "False" else {
            throw fail("fortran_order False (C order)", "fortran_order \(order); re-save with np.ascontiguousarray")
        }
        guard let shapeText = Self.value(of: "shape", in: header) else { throw fail("a 'shape' entry", header) }
        var shape: [Int] = []
        for part in shapeText.trimming("()").split(separator: ",") {
            let trimmed = String(part).trimming(" L")
            if trimmed.isEmpty { continue }
            guard let dimension = Int(trimmed), dimension >= 0 else { throw fail("a shape of integers", shapeText) }
            shape.append(dimension)
        }
        guard shape.count <= 32 else { throw fail("at most 32 dimensions", "\(shape.count) in \(shapeText.prefix(80))") }
        // The element count comes from the file: multiply with overflow checks before using it.
        guard let needed = InputLimits.checkedProduct(shape + [dtype.size]) else {
            throw fail("a shape whose size fits in memory", "shape \(shapeText.prefix(80)), whose element count overflows")
        }
        self.dtype = dtype
        self.shape = shape
        let dataStart = headerStart + headerLength
        guard needed <= bytes.count - dataStart else {
            throw DatasetError(file: source, key: "npy data", expected: "\(needed) bytes for shape \(shape) of \(dtype.rawValue)",
                               found: "\(bytes.count - dataStart) bytes (truncated)")
        }
        data = Array(bytes[dataStart ..< dataStart + needed])
    }

    /// Every element as an integer (floats truncated toward zero; NaN and out-of-range floats → nil).
    public func integers() -> [Int?] {
        func word(_ index: Int, _ width: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in (0 ..< width).reversed() { value = value << 8 | UInt64(data[index * width + byte]) }
            return value
        }
        return (0 ..< count).map { index -> Int? in
            switch dtype {
            case .uint8, .bool: Int(data[index])
            case .uint16: Int(word(index, 2))
            case .int64: Int(Int64(bitPattern: word(index, 8)))
            case .float32: Int(exactly: Float(bitPattern: UInt32(word(index, 4))).rounded(.towardZero))
            case .float64: Int(exactly: Double(bitPattern: word(index, 8)).rounded(.towardZero))
            }
        }
    }

    /// The text after `'key':` in a header dict, up to the next top-level comma or closing brace.
    private static func value(of key: String, in header: String) -> String? {
        for quote in ["'", "\""] {
            guard let range = header.range(of: "\(quote)\(key)\(quote)") else { continue }
            var rest = header[range.upperBound...].drop { $0 == " " }
            guard rest.first == ":" else { return nil }
            rest = rest.dropFirst().drop { $0 == " " }
            var depth = 0
            var end = rest.startIndex
            while end < rest.endIndex {
                let character = rest[end]
                if character == "(" { depth += 1 }
                if character == ")" { depth -= 1 }
                if depth == 0, character == "," || character == "}" { break }
                end = rest.index(after: end)
            }
            return String(rest[..<end]).trimming(" ")
        }
        return nil
    }
}

extension String {
    /// Drops the given characters from both ends.
    fileprivate func trimming(_ set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
