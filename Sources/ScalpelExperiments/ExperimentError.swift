// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Torch

/// A problem with a run specification, a run folder or a data source that the user can fix: the
/// message names the file or option, what is wrong and what to do.
public struct ExperimentError: Error, UserFacingError, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
