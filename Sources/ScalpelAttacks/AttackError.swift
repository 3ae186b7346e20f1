// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Torch

/// A rejected attack input (option, image set, perturbation file, run), with what to change.
public struct AttackError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
