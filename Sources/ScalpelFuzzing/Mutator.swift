// Scalpel — ScalpelFuzzing
// SPDX-License-Identifier: Apache-2.0
import ScalpelRandom

/// A structure-aware byte mutator in the manner of libFuzzer's: bit flips, interesting integers written
/// over little- and big-endian fields (sizes, counts, offsets), inserted, deleted, duplicated and spliced
/// chunks, truncation, and — for text formats — digit runs replaced by huge or negative numbers and
/// brackets repeated (deep nesting). Deterministic for a seed.
public struct Mutator {
    private var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// Values that break size arithmetic: zero, one, sign and width boundaries.
    static let interesting: [UInt64] = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000,
                                        0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
                                        0xFFFF_FFFF_FFFF_FFFF, 1 << 20, 1 << 31, 1 << 40]
    static let hugeNumbers = ["99999999999999999999", "-1", "-9223372036854775808", "9223372036854775807",
                              "4294967296", "1e308", "nan", "0", "1099511627776"]

    public mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : random.below(bound) }

    /// One to four mutations of `input`, sometimes spliced with `other`.
    public mutating func mutate(_ input: [UInt8], splicing other: [UInt8]? = nil) -> [UInt8] {
        var bytes = input
        for _ in 0 ... below(4) { mutateOnce(&bytes, other: other) }
        return bytes
    }

    private mutating func mutateOnce(_ bytes: inout [UInt8], other: [UInt8]?) {
        if bytes.isEmpty { bytes = [UInt8(truncatingIfNeeded: random.next())]; return }
        switch below(11) {
        case 0:  // flip a bit
            let index = below(bytes.count)
            bytes[index] ^= 1 << UInt8(below(8))
        case 1:  // a random byte
            bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
        case 2, 3:  // an interesting integer over a field, either byte order
            let width = [1, 2, 4, 8][below(4)]
            guard bytes.count >= width else { return }
            let at = below(bytes.count - width + 1)
            let value = Self.interesting[below(Self.interesting.count)]
            let bigEndian = below(2) == 0
            for offset in 0 ..< width {
                let shift = UInt64(8 * (bigEndian ? width - 1 - offset : offset))
                bytes[at + offset] = UInt8(truncatingIfNeeded: value >> shift)
            }
        case 4:  // delete a chunk
            let start = below(bytes.count), length = 1 + below(Swift.min(64, bytes.count - start))
            bytes.removeSubrange(start ..< start + length)
        case 5:  // duplicate a chunk (repeats structures: nesting, entries)
            let start = below(bytes.count), length = 1 + below(Swift.min(32, bytes.count - start))
            let chunk = Array(bytes[start ..< start + length])
            let times = 1 + below(below(2) == 0 ? 4 : 200)
            bytes.insert(contentsOf: Array(repeating: chunk, count: times).joined(), at: below(bytes.count + 1))
        case 6:  // truncate
            bytes.removeLast(below(bytes.count))
        case 7:  // splice with another input
            guard let other, !other.isEmpty else { return }
            let cut = below(bytes.count), from = below(other.count)
            bytes = Array(bytes[..<cut]) + other[from...]
        case 8:  // insert random bytes
            let count = 1 + below(16)
            bytes.insert(contentsOf: (0 ..< count).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: below(bytes.count + 1))
        case 9:  // text: a run of digits replaced by a huge or negative number
            let digits = bytes.indices.filter { (0x30 ... 0x39).contains(bytes[$0]) }
            guard let start = digits.isEmpty ? nil : digits[below(digits.count)] else { return }
            var end = start
            while end < bytes.count, (0x30 ... 0x39).contains(bytes[end]) { end += 1 }
            bytes.replaceSubrange(start ..< end, with: Array(Self.hugeNumbers[below(Self.hugeNumbers.count)].utf8))
        default:  // text: an opening bracket repeated (deep nesting)
            let brackets = bytes.indices.filter { [0x28, 0x5B, 0x7B].contains(bytes[$0]) }
            guard let at = brackets.isEmpty ? nil : brackets[below(brackets.count)] else { return }
            bytes.insert(contentsOf: [UInt8](repeating: bytes[at], count: 1 + below(5000)), at: at)
        }
    }
}
