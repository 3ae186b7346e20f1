// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Why training could not start or go on. Every message names what is wrong and how to fix it.
public enum TrainingError: Error, UserFacingError, Sendable, Equatable, CustomStringConvertible {
    /// An option is out of range or inconsistent (checked before any training starts).
    case invalidOption(String)
    /// The run folder is in a state that forbids the request (a finished run without `--force`, an
    /// unfinished one without `--resume`, a checkpoint from another configuration).
    case runFolder(String)
    /// A checkpoint cannot be read or does not fit the model.
    case checkpoint(String)
    /// The data does not fit the model or the task.
    case data(String)
    /// The loss became NaN or infinite.
    case diverged(String)
    /// SIGINT or SIGTERM stopped the run at a safe point (see ``Interruption``); the last complete epoch is saved.
    case interrupted(String, signal: Int32)
    /// libtorch could not allocate memory; the message says what was being done and what to make smaller.
    case outOfMemory(String)

    /// The signal that interrupted the run, for ``interrupted(_:signal:)``.
    public var interruptionSignal: Int32? {
        if case .interrupted(_, let signal) = self { return signal }
        return nil
    }

    public var description: String {
        switch self {
        case .invalidOption(let message), .runFolder(let message), .checkpoint(let message), .data(let message),
             .diverged(let message), .interrupted(let message, _), .outOfMemory(let message):
            message
        }
    }
}
