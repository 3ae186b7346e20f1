// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// An explanation that cannot be computed as asked: a wrong input shape, a class out of range, a
/// network in training mode, a bad option. The message names the value and the fix.
public struct AttributionError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
