// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import ScalpelData
import Torch

extension NpyArray {
    /// A float32 array holding `tensor`'s values, C order.
    public init(float32 tensor: Tensor) throws {
        let values = try tensor.to(dtype: .float32).contiguous().hostArray(of: Float.self)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        self = try NpyArray(Self.header(descr: DType.float32.rawValue, shape: tensor.shape) + bytes, source: "float32 tensor")
    }

    /// The `.npy` file (format version 1.0): magic, header padded so the data starts at a multiple of 64.
    public func encoded() -> [UInt8] { Self.header(descr: dtype.rawValue, shape: shape) + data }

    static func header(descr: String, shape: [Int]) -> [UInt8] {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = dict.utf8.count
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dict.utf8)
    }
}
