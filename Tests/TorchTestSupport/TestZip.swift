// Scalpel — TorchTestSupport
// SPDX-License-Identifier: Apache-2.0

/// Hand-made zip archives for tests of the zip readers (`.npz`, `.pth`), hostile ones included.
/// CRCs are left 0: the readers do not check them.
public enum TestZip {
    /// Little-endian bytes of `value`.
    public static func le(_ value: Int, _ width: Int) -> [UInt8] { (0 ..< width).map { UInt8((value >> (8 * $0)) & 0xFF) } }

    /// A zip of stored entries, or of deflated ones when `deflatedSizes` gives each entry's declared
    /// inflated size (the data must then be raw DEFLATE).
    public static func make(_ entries: [(String, [UInt8])], deflatedSizes: [Int]? = nil) -> [UInt8] {
        var out: [UInt8] = [], directory: [UInt8] = []
        for (index, (name, data)) in entries.enumerated() {
            let offset = out.count, nameBytes = Array(name.utf8)
            let method = deflatedSizes == nil ? 0 : 8, size = deflatedSizes?[index] ?? data.count
            let common = le(20, 2) + le(0, 2) + le(method, 2) + le(0, 4) + le(0, 4) + le(data.count, 4) + le(size, 4)
                + le(nameBytes.count, 2) + le(0, 2)
            out += le(0x0403_4B50, 4) + common + nameBytes + data
            directory += le(0x0201_4B50, 4) + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4)
                + le(offset, 4) + nameBytes
        }
        let start = out.count
        out += directory + le(0x0605_4B50, 4) + le(0, 4) + le(entries.count, 2) + le(entries.count, 2)
            + le(directory.count, 4) + le(start, 4) + le(0, 2)
        return out
    }
}
