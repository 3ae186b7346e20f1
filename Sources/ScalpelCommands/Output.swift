// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Writes to the process's standard streams (kept in one place so tests can reason about output).
enum FileHandleOutput {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
