// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TorchTestSupport
@testable import Torch

/// Pickles crafted to exhaust the stack or memory (issue 14): refused with a clear error in both the zip and
/// the legacy format, never a stack overflow.
@Suite struct HostilePickleTests {
    let fixtures = Fixtures(bundle: .module)

    /// `depth` tuples, each holding the next: EMPTY_TUPLE then TUPLE1 `depth` times, then STOP.
    static func nestedTuples(_ depth: Int) -> [UInt8] { [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: depth) + [0x2E] }

    /// `depth` lists, each appended into the one before: EMPTY_LIST, then (EMPTY_LIST, APPEND-into-it via DUP order).
    static func nestedLists(_ depth: Int) -> [UInt8] {
        // [[[...]]]: EMPTY_LIST ×depth then APPEND ×(depth−1) appends each list into the one below it.
        [0x80, 0x02] + [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1) + [0x2E]
    }

    func legacy(_ pickle: [UInt8]) throws -> Data {
        var data = try Data(contentsOf: fixtures.url("serialization_legacy_header.bin"))
        data.append(contentsOf: pickle)
        return data
    }

    func zip(_ pickle: [UInt8]) -> Data {
        Data(TestZip.make([("archive/data.pkl", pickle), ("archive/byteorder", Array("little".utf8))]))
    }

    @Test(arguments: [("tuples", nestedTuples(100_000)), ("lists", nestedLists(100_000))])
    func deepNestingIsRefusedInBothFormats(_ kind: String, _ pickle: [UInt8]) throws {
        for (format, data) in [("legacy", try legacy(pickle)), ("zip", zip(pickle))] {
            let error = #expect(throws: SerializationError.self, "\(kind) \(format)") {
                try PyTorchCheckpoint.read(data, source: "deep.pth")
            }
            #expect(error?.reason.contains("SCALPEL_MAX_PICKLE_DEPTH") == true, "\(kind) \(format): \(String(describing: error))")
            #expect(error?.source == "deep.pth")
        }
    }

    @Test func ordinaryNestingStillLoads() throws {
        // 50 levels are under the limit: the pickle parses, and is then refused only for not being a dict.
        // The main pickle, then the (empty) storage key list of the legacy format.
        let pickle = Self.nestedTuples(50) + [0x80, 0x02, 0x5D, 0x2E]
        let error = #expect(throws: SerializationError.self) { try PyTorchCheckpoint.read(try legacy(pickle), source: "t") }
        #expect(error?.reason.contains("SCALPEL_MAX_PICKLE_DEPTH") == false, "\(String(describing: error))")
        #expect(error?.reason.contains("tuple") == true, "\(String(describing: error))")
    }

    @Test func aListAppendedIntoItselfIsRefused() throws {
        // EMPTY_LIST, MEMOIZE, BINGET 0, APPEND: l.append(l), a cycle no state dict has.
        let pickle: [UInt8] = [0x80, 0x02, 0x5D, 0x94, 0x68, 0x00, 0x61, 0x2E]
        let error = #expect(throws: SerializationError.self) { try PyTorchCheckpoint.read(try legacy(pickle), source: "t") }
        #expect(error?.reason.contains("crafted") == true, "\(String(describing: error))")
    }

    @Test func zipEntryCountOverTheLimitIsRefused() throws {
        var limits = InputLimits()
        limits.zipEntries = 1
        #expect(limits.refusal("the entry count", 2, .zipEntries).contains("SCALPEL_MAX_ZIP_ENTRIES=N"))
        #expect(InputLimits(environment: ["SCALPEL_MAX_ZIP_ENTRIES": "5", "SCALPEL_MAX_IMAGE_SIDE": "-3"]).zipEntries == 5)
        #expect(InputLimits(environment: ["SCALPEL_MAX_IMAGE_SIDE": "-3"]).imageSide == 1 << 18)
        #expect(InputLimits.checkedProduct([1 << 40, 1 << 40]) == nil && InputLimits.checkedProduct([2, 3]) == 6)
    }
}
