// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Where and as whom a process joins a data-parallel run: its rank, the number of processes, and the
/// address rank 0 serves the rendezvous on.
///
/// Resolved, in order, from explicit values (`--rank`, `--world-size`, `--rendezvous HOST:PORT`), from
/// torchrun's variables (`RANK`, `WORLD_SIZE`, `LOCAL_RANK`, `MASTER_ADDR`, `MASTER_PORT`) and from
/// Slurm's (`SLURM_PROCID`, `SLURM_NTASKS`, `SLURM_LOCALID`, the first host of `SLURM_JOB_NODELIST`,
/// and a port seeded by `SLURM_JOB_ID` in 20000..<60000 unless `MASTER_PORT` is set, as submitit does).
public struct Rendezvous: Sendable, Equatable {
    public var rank: Int
    public var worldSize: Int
    /// The process's index on its host (for choosing a GPU).
    public var localRank: Int
    public var host: String
    public var port: Int

    public init(rank: Int, worldSize: Int, localRank: Int = 0, host: String, port: Int) {
        self.rank = rank
        self.worldSize = worldSize
        self.localRank = localRank
        self.host = host
        self.port = port
    }

    /// The rendezvous this process belongs to, or nil when nothing says it is part of one.
    ///
    /// - Throws: ``TrainingError/invalidOption(_:)`` naming the flag or variable when a value is
    ///   malformed, out of range, or when a rank is given without a world size or address.
    public static func resolve(rank: Int?, worldSize: Int?, address: String?,
                               environment: [String: String]) throws -> Rendezvous? {
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw TrainingError.invalidOption("environment variable \(name)='\(text)' is not an integer")
            }
            return value
        }
        let slurm = environment["SLURM_PROCID"] != nil && environment["SLURM_NTASKS"] != nil
        let resolvedRank = try rank ?? integer("RANK") ?? (slurm ? integer("SLURM_PROCID") : nil)
        let resolvedWorld = try worldSize ?? integer("WORLD_SIZE") ?? (slurm ? integer("SLURM_NTASKS") : nil)
        guard resolvedRank != nil || resolvedWorld != nil || address != nil else { return nil }
        guard let resolvedRank, let resolvedWorld else {
            throw TrainingError.invalidOption("a data-parallel run needs both a rank and a world size (--rank/--world-size, RANK/WORLD_SIZE or SLURM_PROCID/SLURM_NTASKS)")
        }
        guard (1...4096).contains(resolvedWorld), (0..<resolvedWorld).contains(resolvedRank) else {
            throw TrainingError.invalidOption("rank \(resolvedRank) and world size \(resolvedWorld): the world size must be in 1...4096 and the rank in 0..<world size")
        }
        let localRank = try integer("LOCAL_RANK") ?? integer("SLURM_LOCALID") ?? resolvedRank
        var host = environment["MASTER_ADDR"] ?? (slurm ? environment["SLURM_JOB_NODELIST"].flatMap(firstHost) : nil)
        var port = try integer("MASTER_PORT")
            ?? (slurm ? integer("SLURM_JOB_ID").map { 20000 + $0 % 40000 } : nil)
        if let address {
            guard let colon = address.lastIndex(of: ":"), let value = Int(address[address.index(after: colon)...]),
                  colon != address.startIndex else {
                throw TrainingError.invalidOption("--rendezvous: expected HOST:PORT, got '\(address)'")
            }
            host = String(address[..<colon])
            port = value
        }
        guard let host, let port else {
            throw TrainingError.invalidOption("a data-parallel run needs the rendezvous address: --rendezvous HOST:PORT or MASTER_ADDR and MASTER_PORT")
        }
        guard (1...65535).contains(port) else {
            throw TrainingError.invalidOption("rendezvous port \(port) is outside 1...65535")
        }
        return Rendezvous(rank: resolvedRank, worldSize: resolvedWorld, localRank: localRank, host: host, port: port)
    }

    /// The first host of a Slurm node list: `node[03-05,9],gpu1` → `node03`.
    public static func firstHost(_ list: String) -> String? {
        var depth = 0
        var first = ""
        for character in list {
            if character == "[" { depth += 1 } else if character == "]" { depth -= 1 }
            if character == ",", depth == 0 { break }
            first.append(character)
        }
        guard let open = first.firstIndex(of: "[") else { return first.isEmpty ? nil : first }
        let prefix = first[..<open]
        let inside = first[first.index(after: open)...].prefix { $0 != "]" }
        let range = inside.split(separator: ",").first.map(String.init) ?? ""
        let start = range.split(separator: "-").first.map(String.init) ?? ""
        return start.isEmpty ? nil : prefix + start
    }
}
