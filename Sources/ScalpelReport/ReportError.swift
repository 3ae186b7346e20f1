// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0

/// Why a report cannot be made: the message names the folder or file, what is wrong and what to do.
public struct ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
