// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// A weight file that cannot be found, fetched or trusted. The message names the file, where it comes
/// from and the exact folder to put it in by hand.
public struct WeightStoreError: Error, UserFacingError, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No registry entry has that name, or the architecture has no published weights.
        case unknownWeights
        /// The server could not be reached (offline, refused, DNS, timeout).
        case unreachable
        /// The server answered with this HTTP status instead of the file.
        case httpStatus(Int)
        /// The file's sha256 is not the published one (the file was deleted when it was ours).
        case checksumMismatch
        /// A PyPI package's file is not installed anywhere Scalpel looks.
        case notInstalled
        /// A local path that is not there.
        case noSuchFile
        /// Reading or writing the cache failed.
        case fileSystem
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
