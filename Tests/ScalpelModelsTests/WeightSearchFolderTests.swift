// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelModels
import Testing

/// The weights `scripts/setup` installs are found wherever `scalpel` runs from: beside the checkout
/// the executable was built in, in `$SCALPEL_WEIGHTS_PATH`, and in the current folder's `.deps/weights`.
@Suite struct WeightSearchFolderTests {
    @Test func theCheckoutOfTheExecutableIsSearchedFromAnyFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-weights-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let checkout = root.appendingPathComponent("checkout")
        let installed = checkout.appendingPathComponent(".deps/weights")
        try FileManager.default.createDirectory(at: installed, withIntermediateDirectories: true)
        let executable = checkout.appendingPathComponent(".build/x86_64-unknown-linux-gnu/debug/scalpel")
        let elsewhere = root.appendingPathComponent("somewhere/else")

        let folders = WeightStore.defaultSearchFolders(environment: ["SCALPEL_WEIGHTS_PATH": "/srv/a:/srv/b"],
                                                       executable: executable, currentDirectory: elsewhere)
        #expect(folders.map(\.path) == ["/srv/a", "/srv/b", elsewhere.appendingPathComponent(".deps/weights").path, installed.path])

        // Run from the checkout itself, its folder is listed once.
        let inside = WeightStore.defaultSearchFolders(environment: [:], executable: executable, currentDirectory: checkout)
        #expect(inside.map(\.standardizedFileURL.path) == [installed.standardizedFileURL.path])

        // An executable outside any checkout adds nothing.
        let alone = WeightStore.defaultSearchFolders(environment: [:], executable: root.appendingPathComponent("bin/scalpel"),
                                                     currentDirectory: elsewhere)
        #expect(alone.count == 1)
    }

    @Test func theRunningTestsFindTheirExecutable() throws {
        let executable = try #require(WeightStore.runningExecutable())
        #expect(FileManager.default.fileExists(atPath: executable.path))
    }
}
