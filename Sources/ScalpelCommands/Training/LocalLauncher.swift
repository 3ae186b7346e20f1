// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

/// `--nproc N`: starts N copies of this program on this host, as torchrun would — each with RANK,
/// WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1 and a free MASTER_PORT, the same arguments without
/// `--nproc`, an equal share of the cores, and `--quiet` on ranks above 0 — and waits for them. When
/// one fails, the others are stopped and the failure is reported with its rank.
enum LocalLauncher {
    /// Runs the processes; returns when all succeeded, throws ``CommandError`` naming the first rank
    /// that failed.
    static func run(processes count: Int, arguments: [String], threads: Int?) throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let port = try freePort()
        let share = threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / count)
        var base = removingNproc(from: Array(arguments.dropFirst()))
        if threads == nil { base += ["--threads", String(share)] }
        var children: [Process] = []
        for rank in 0..<count {
            let process = Process()
            process.executableURL = executable
            process.arguments = base + (rank > 0 && !base.contains("--quiet") ? ["--quiet"] : [])
            var environment = ProcessInfo.processInfo.environment
            environment["RANK"] = String(rank)
            environment["LOCAL_RANK"] = String(rank)
            environment["WORLD_SIZE"] = String(count)
            environment["MASTER_ADDR"] = "127.0.0.1"
            environment["MASTER_PORT"] = String(port)
            process.environment = environment
            try process.run()
            children.append(process)
        }
        // Ctrl-C or SIGTERM to this process goes on to the ranks (in their own process groups), which stop
        // together at the end of the epoch; then this process exits as they do.
        var failure: (rank: Int, status: Int32)?, forwarded: Int32?
        try Interruption.catching {
        while children.contains(where: \.isRunning) {
            forwarded = Interruption.forward(to: children, unless: forwarded)
            if failure == nil, forwarded == nil,
               let rank = children.indices.first(where: { !children[$0].isRunning && children[$0].terminationStatus != 0 }) {
                failure = (rank, children[rank].terminationStatus)
                // The others notice the lost peer in their next exchange; stop any that wait elsewhere.
                Thread.sleep(forTimeInterval: 2)
                for child in children where child.isRunning { child.terminate() }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        }
        if let signal = forwarded {
            throw TrainingError.interrupted("interrupted by \(Interruption.name(of: signal)): the \(count) ranks stopped at the end of an epoch (exit statuses \(children.map(\.terminationStatus))); continue with the same command and --resume", signal: signal)
        }
        if failure == nil, let rank = children.indices.first(where: { children[$0].terminationStatus != 0 }) {
            failure = (rank, children[rank].terminationStatus)
        }
        if let failure {
            throw CommandError("--nproc \(count): rank \(failure.rank) failed (exit status \(failure.status)); the other processes were stopped. Continue with --resume.")
        }
    }

    /// The arguments without `--nproc N` / `--nproc=N`.
    static func removingNproc(from arguments: [String]) -> [String] {
        var result: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if argument == "--nproc" { skipNext = true; continue }
            if argument.hasPrefix("--nproc=") { continue }
            result.append(argument)
        }
        return result
    }

    /// A TCP port nothing listens on now (the kernel's choice for port 0).
    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw CommandError("--nproc: cannot open a socket to find a free port") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(socket, pointer, length) == 0 else { return -1 }
                return getsockname(socket, pointer, &length)
            }
        }
        guard bound == 0 else { throw CommandError("--nproc: cannot bind a local port for the rendezvous") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
