// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining
import Testing

/// Two "hosts": two network namespaces joined by a veth pair, made by the test (needs root and `ip`).
/// Rank 0 runs in one, rank 1 in the other; they meet only over the veth link.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct TwoHostsTests {
    @discardableResult
    static func ip(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func ranksInTwoNetworkNamespacesTrainTogether() throws {
        guard let scalpel = TrainCommandTests.executable() else {
            print("notice: the scalpel executable was not found beside the tests; two-host test skipped.")
            return
        }
        let tag = String(UInt32.random(in: 0..<0xFFFF), radix: 16)
        let (a, b) = ("scl-a-\(tag)", "scl-b-\(tag)")
        let (left, right) = ("vsa\(tag)", "vsb\(tag)")
        let subnet = "10.231.\(Int.random(in: 1...250))"
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip"), (try? Self.ip(["netns", "add", a])) == 0 else {
            let message = "network namespaces unavailable (needs root and iproute2's ip); two-host test skipped"
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("CI: \(message)") } else { print("notice: \(message)") }
            return
        }
        defer {
            _ = try? Self.ip(["netns", "del", a])
            _ = try? Self.ip(["netns", "del", b])
        }
        for command in [["netns", "add", b], ["link", "add", left, "type", "veth", "peer", "name", right],
                        ["link", "set", left, "netns", a], ["link", "set", right, "netns", b],
                        ["-n", a, "addr", "add", "\(subnet).1/24", "dev", left], ["-n", b, "addr", "add", "\(subnet).2/24", "dev", right],
                        ["-n", a, "link", "set", left, "up"], ["-n", b, "link", "set", right, "up"],
                        ["-n", a, "link", "set", "lo", "up"], ["-n", b, "link", "set", "lo", "up"]] {
            try #require(try Self.ip(command) == 0, "ip \(command.joined(separator: " ")) failed")
        }
        let folder = TrainCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = Int.random(in: 30000..<40000)
        let ranks = try [(a, left, 0), (b, right, 1)].map { namespace, interface, rank -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = ["netns", "exec", namespace, "env", "GLOO_SOCKET_IFNAME=\(interface)", scalpel.path, "train"]
                + TrainCommandTests.arguments(output: folder, epochs: 1)
                + ["--rank", String(rank), "--world-size", "2", "--rendezvous", "\(subnet).1:\(port)",
                   "--rendezvous-timeout", "60", "--threads", "1"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        ranks.forEach { $0.waitUntilExit() }
        #expect(ranks.map(\.terminationStatus) == [0, 0])
        #expect(RunFolder(folder).isFinished)
    }
}
