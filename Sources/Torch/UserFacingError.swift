// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0

/// An error whose description already says, in one line, what is wrong and how to fix it (naming the
/// file, option or field): the command-line tool prints it as `error: <description>` instead of a crash
/// report. Every Scalpel error type a user can cause conforms where it is defined.
public protocol UserFacingError: Error, CustomStringConvertible {}

extension TorchError: UserFacingError {}
extension SerializationError: UserFacingError {}
