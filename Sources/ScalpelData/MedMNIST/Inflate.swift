// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0

/// A raw DEFLATE (RFC 1951) decoder, for the deflated entries of `.npz` files (zip method 8), which is
/// how `np.savez_compressed` — and the official MedMNIST files — store their arrays.
///
/// Every read is bounds-checked: corrupt or truncated input throws ``InflateError``, never reads past
/// the input, and the output never grows past `expectedSize`.
enum Inflate {
    struct InflateError: Error { var reason: String }

    /// Canonical Huffman code: symbol counts per length and symbols ordered by code.
    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) throws {
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var left = 1
            for length in 1 ..< 16 {
                left = left * 2 - counts[length]
                guard left >= 0 else { throw InflateError(reason: "over-subscribed Huffman code") }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1 ..< 15 { offsets[length + 1] = offsets[length] + counts[length] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    private struct Bits {
        let input: UnsafeRawBufferPointer
        var position = 0
        var buffer = 0
        var count = 0

        mutating func bits(_ needed: Int) throws -> Int {
            while count < needed {
                guard position < input.count else { throw InflateError(reason: "compressed data ends early (truncated)") }
                buffer |= Int(input[position]) << count
                position += 1
                count += 8
            }
            let value = buffer & ((1 << needed) - 1)
            buffer >>= needed
            count -= needed
            return value
        }

        mutating func decode(_ code: Huffman) throws -> Int {
            var value = 0, first = 0, index = 0
            for length in 1 ..< 16 {
                value |= try bits(1)
                let count = code.counts[length]
                if value - count < first { return code.symbols[index + value - first] }
                index += count
                first = (first + count) << 1
                value <<= 1
            }
            throw InflateError(reason: "invalid Huffman code")
        }
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83,
                                     99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5,
                                      5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                       1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
                                        11, 11, 12, 12, 13, 13]
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Decompresses `input` into exactly `expectedSize` bytes.
    static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(expectedSize)
        var reader = Bits(input: input)
        var last = 0
        repeat {
            last = try reader.bits(1)
            switch try reader.bits(2) {
            case 0:
                reader.buffer = 0
                reader.count = 0
                guard reader.position + 4 <= input.count else { throw InflateError(reason: "stored block header is truncated") }
                let length = Int(input[reader.position]) | Int(input[reader.position + 1]) << 8
                let complement = Int(input[reader.position + 2]) | Int(input[reader.position + 3]) << 8
                guard length == ~complement & 0xFFFF else { throw InflateError(reason: "stored block length check fails") }
                reader.position += 4
                guard reader.position + length <= input.count else { throw InflateError(reason: "stored block is truncated") }
                guard output.count + length <= expectedSize else { throw InflateError(reason: "data is longer than the \(expectedSize) bytes the zip entry declares") }
                output.append(contentsOf: input[reader.position ..< reader.position + length])
                reader.position += length
            case 1:
                let literal = try Huffman(lengths: [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
                    + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8))
                let distance = try Huffman(lengths: [Int](repeating: 5, count: 30))
                try inflateBlock(&reader, literal, distance, &output, expectedSize)
            case 2:
                let literalCount = try reader.bits(5) + 257
                let distanceCount = try reader.bits(5) + 1
                let codeLengthCount = try reader.bits(4) + 4
                var codeLengths = [Int](repeating: 0, count: 19)
                for index in 0 ..< codeLengthCount { codeLengths[codeLengthOrder[index]] = try reader.bits(3) }
                let lengthCode = try Huffman(lengths: codeLengths)
                var lengths: [Int] = []
                while lengths.count < literalCount + distanceCount {
                    let symbol = try reader.decode(lengthCode)
                    switch symbol {
                    case 0 ..< 16: lengths.append(symbol)
                    case 16:
                        guard let previous = lengths.last else { throw InflateError(reason: "repeat with no previous length") }
                        lengths += [Int](repeating: previous, count: 3 + (try reader.bits(2)))
                    case 17: lengths += [Int](repeating: 0, count: 3 + (try reader.bits(3)))
                    default: lengths += [Int](repeating: 0, count: 11 + (try reader.bits(7)))
                    }
                }
                guard lengths.count == literalCount + distanceCount else { throw InflateError(reason: "code lengths overrun") }
                let literal = try Huffman(lengths: Array(lengths[..<literalCount]))
                let distance = try Huffman(lengths: Array(lengths[literalCount...]))
                try inflateBlock(&reader, literal, distance, &output, expectedSize)
            default:
                throw InflateError(reason: "invalid block type 3")
            }
        } while last == 0
        guard output.count == expectedSize else {
            throw InflateError(reason: "inflates to \(output.count) bytes but the zip entry declares \(expectedSize)")
        }
        return output
    }

    private static func inflateBlock(_ reader: inout Bits, _ literal: Huffman, _ distance: Huffman,
                                     _ output: inout [UInt8], _ limit: Int) throws {
        while true {
            let symbol = try reader.decode(literal)
            if symbol < 256 {
                guard output.count < limit else { throw InflateError(reason: "data is longer than the \(limit) bytes the zip entry declares") }
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let index = symbol - 257
                guard index < lengthBase.count else { throw InflateError(reason: "invalid length symbol \(symbol)") }
                let length = lengthBase[index] + (try reader.bits(lengthExtra[index]))
                let distanceSymbol = try reader.decode(distance)
                guard distanceSymbol < distanceBase.count else { throw InflateError(reason: "invalid distance symbol \(distanceSymbol)") }
                let back = distanceBase[distanceSymbol] + (try reader.bits(distanceExtra[distanceSymbol]))
                guard back <= output.count else { throw InflateError(reason: "distance \(back) reaches before the start of the data") }
                guard output.count + length <= limit else { throw InflateError(reason: "data is longer than the \(limit) bytes the zip entry declares") }
                let start = output.count - back
                for offset in 0 ..< length { output.append(output[start + offset]) }
            }
        }
    }
}
