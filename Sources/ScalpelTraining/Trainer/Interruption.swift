// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM while training: stop at a safe point instead of dying mid-write.
///
/// While ``catching(_:)`` runs (the ``Trainer`` wraps every run in it), the first SIGINT or SIGTERM only
/// records the signal; the trainer checks ``pendingSignal`` at every batch boundary and after every
/// epoch's checkpoint, and stops there with ``TrainingError/interrupted(_:signal:)``. The last complete
/// epoch is then on disk (`checkpoints/last.safetensors`), so `--resume` continues exactly as an
/// uninterrupted run would (an epoch cut short is trained again from its start). The `scalpel` tool
/// exits with status 128 + the signal (130 for SIGINT, 143 for SIGTERM). A second signal, more than
/// 2 s after the first (sooner it is taken as a copy, e.g. forwarded by a launcher), ends the process
/// at once with the system's default action. Outside ``catching(_:)`` signals keep their
/// previous handling. Data-parallel ranks agree at epoch ends and stop together there.
public enum Interruption {
    private static let received = Atomic<Int32>(0)
    private static let firstSignalTime = Atomic<Int64>(0)
    /// A signal within this time of the first (ns) is taken as a copy of it, not as a second request.
    static let repeatWindow: Int64 = 2_000_000_000
    private static let installation = Mutex<(users: Int, previous: [Int32: sigaction])>((0, [:]))
    private static let signals: [Int32] = [SIGINT, SIGTERM]

    /// The signal received since the last ``clear()`` (nil: none).
    public static var pendingSignal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// Records `signal` as if it had been received (for callers that learn of a stop request otherwise,
    /// and for tests).
    public static func request(_ signal: Int32) {
        received.store(signal, ordering: .releasing)
    }

    /// Forgets a received signal.
    public static func clear() {
        firstSignalTime.store(0, ordering: .relaxed)
        received.store(0, ordering: .releasing)
    }

    /// CLOCK_MONOTONIC in nanoseconds (async-signal-safe).
    static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Sends a received SIGINT/SIGTERM on to child processes, once: for a process that waits for children
    /// it started (Foundation's `Process` puts each in its own process group, so a terminal's Ctrl-C does
    /// not reach them). Call it in the waiting loop, inside ``catching(_:)``, as
    /// `forwarded = Interruption.forward(to: children, unless: forwarded)`; returns the forwarded signal.
    public static func forward(to children: [Process], unless forwarded: Int32?) -> Int32? {
        if let forwarded { return forwarded }
        guard let signal = pendingSignal else { return nil }
        for child in children where child.isRunning { kill(child.processIdentifier, signal) }
        return signal
    }

    /// The exit status that reports an interruption by `signal`: 128 + signal, as shells do.
    public static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }

    /// The signal's name: `SIGINT`, `SIGTERM` or `signal N`.
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }

    /// Runs `body` with SIGINT and SIGTERM recorded instead of ending the process (nested and concurrent
    /// uses share one installation; the previous handlers come back when the last one ends).
    public static func catching<T>(_ body: () throws -> T) throws -> T {
        installation.withLock { state in
            if state.users == 0 {
                clear()   // also initialises both atomics before a handler can touch them
                for signal in signals {
                    var action = sigaction()
                    action.__sigaction_handler.sa_handler = { signal in
                        // Async-signal-safe only: atomics, the monotonic clock, and the default action.
                        let now = Interruption.monotonicNanoseconds()
                        guard Interruption.received.load(ordering: .acquiring) != 0 else {
                            Interruption.firstSignalTime.store(now, ordering: .relaxed)
                            Interruption.received.store(signal, ordering: .releasing)
                            return
                        }
                        // A copy of the first signal (a launcher forwarding it while the job's processes all got it).
                        if now - Interruption.firstSignalTime.load(ordering: .relaxed) < Interruption.repeatWindow { return }
                        Glibc.signal(signal, SIG_DFL)
                        raise(signal)
                    }
                    action.sa_flags = SA_RESTART
                    sigemptyset(&action.sa_mask)
                    for other in signals { sigaddset(&action.sa_mask, other) }   // one handler at a time
                    var previous = sigaction()
                    sigaction(signal, &action, &previous)
                    state.previous[signal] = previous
                }
                // A launcher may start the process with these signals blocked (a test runner's Process does):
                // unblocked here, they reach this thread at least.
                var unblocked = sigset_t()
                sigemptyset(&unblocked)
                for signal in signals { sigaddset(&unblocked, signal) }
                pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
            }
            state.users += 1
        }
        defer {
            installation.withLock { state in
                state.users -= 1
                if state.users == 0 {
                    for signal in signals {
                        if var previous = state.previous[signal] { sigaction(signal, &previous, nil) }
                    }
                    state.previous = [:]
                }
            }
        }
        return try body()
    }
}
