// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0

/// Checks on a YAML configuration file made before a YAML parser sees it: the parser builds nested
/// values recursively and expands aliases by copying, so a file nested thousands deep or a "billion
/// laughs" of aliases would exhaust the stack or memory. A configuration is a flat mapping of options,
/// so these bounds never bind on a real one.
public enum ConfigLimits {
    /// The largest configuration file read (1 MiB).
    public static let maximumBytes = 1 << 20
    /// The deepest nesting of brackets, list dashes or indentation levels.
    public static let maximumNesting = 32

    /// Throws ``SerializationError`` naming `source` when `bytes` is too large, nests too deeply or uses
    /// YAML aliases (`*name`).
    public static func checkNesting(_ bytes: [UInt8], source: String) throws {
        guard bytes.count <= maximumBytes else {
            throw SerializationError(source: source, reason: "is \(bytes.count) bytes; a configuration file may have at most \(maximumBytes) (1 MiB): is it the right file?")
        }
        var flowDepth = 0, line = 1, column = 0, dashes = 0, atLineStart = true
        var quote: UInt8? = nil
        var previous: UInt8 = 0x0A
        for byte in bytes {
            defer { previous = byte }
            if byte == 0x0A {
                line += 1
                column = 0
                dashes = 0
                atLineStart = true
                quote = nil
                continue
            }
            column += 1
            if let open = quote {
                if byte == open { quote = nil }
                continue
            }
            if atLineStart {
                if byte == 0x20 {
                    guard column <= 4 * maximumNesting else {
                        throw nested(source, line, "is indented more than \(4 * maximumNesting) columns")
                    }
                    continue
                }
                if byte == 0x2D, previous == 0x20 || previous == 0x0A || previous == 0x2D {  // "- - - x"
                    dashes += 1
                    guard dashes <= maximumNesting else { throw nested(source, line, "opens more than \(maximumNesting) lists") }
                    continue
                }
                atLineStart = byte == 0x20
            }
            switch byte {
            case 0x22, 0x27: quote = byte
            case 0x23 where previous == 0x20 || previous == 0x0A: quote = 0x0A  // a comment: skip to the line end
            case 0x5B, 0x7B:
                flowDepth += 1
                guard flowDepth <= maximumNesting else { throw nested(source, line, "nests brackets more than \(maximumNesting) deep") }
            case 0x5D, 0x7D: flowDepth = Swift.max(0, flowDepth - 1)
            case 0x2A where previous == 0x20 || previous == 0x5B || previous == 0x2C || previous == 0x7B:
                throw SerializationError(source: source, reason: "line \(line) uses a YAML alias ('*'); configuration files may not use anchors and aliases (quote the value if it is text)")
            default: break
            }
        }
    }

    private static func nested(_ source: String, _ line: Int, _ what: String) -> SerializationError {
        SerializationError(source: source, reason: "line \(line) \(what); a configuration file is a flat mapping of option names to values")
    }
}
