// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TorchTestSupport
@testable import Torch

/// The path rule of docs/security.md for archives: an entry name that is absolute or climbs out with `..`
/// makes the whole archive (`.npz`, zip `.pth`) refused, whatever entry is asked for.
@Suite struct ZipEntryNameTests {
    @Test(arguments: ["../../etc/passwd", "archive/../../x", "/etc/passwd", "\\\\server\\share", "a\\..\\..\\b", "C:/x", "a\0b"])
    func escapingNamesAreRefused(_ name: String) throws {
        let bytes = TestZip.make([("archive/data.pkl", [0x80, 0x02]), (name, [1, 2, 3])])
        let error = #expect(throws: SerializationError.self) {
            _ = try bytes.withUnsafeBytes { try ZipArchive($0, source: "weights.pth") }
        }
        #expect(error?.description.contains("weights.pth: ") == true && error?.description.contains("climbs out with '..'") == true,
                "\(String(describing: error))")
    }

    @Test func ordinaryNamesAreKept() throws {
        for name in ["archive/data.pkl", "resnet18/data/0", "a..b/c..", "train_images.npy"] {
            #expect(!ZipArchive.escapesArchive(name), "\(name)")
        }
        let bytes = TestZip.make([("archive/data..pkl", [1])])
        let archive = try bytes.withUnsafeBytes { try ZipArchive($0, source: "x.pth") }
        #expect(archive.entry(named: "archive/data..pkl") != nil)
    }
}
