// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelDownload
import Testing
import TorchTestSupport
@testable import ScalpelData

/// ``MedMNISTStore``: file names and URLs per size, search folders, MD5 checks, and downloads from a
/// loopback HTTP server (no internet).
@Suite(.serialized) struct MedMNISTStoreTests {
    let payload = Data((0 ..< 200_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 7) })

    func temporaryFolder(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-medmnist-\(label)-\(UUID().uuidString)")
    }

    /// A made-up dataset file served at `port` (or nowhere), with `md5` (default: the payload's).
    func tinyFile(port: UInt16 = 9, md5: String?? = .none) -> MedMNISTInfo.File {
        MedMNISTInfo.File(name: "tinymnist", size: 64, fileName: "tinymnist_64.npz",
                          url: "http://127.0.0.1:\(port)/records/1/files/tinymnist_64.npz?download=1",
                          md5: md5 ?? FileDigest.hex(of: payload, .md5))
    }

    func store(_ root: URL, searching: [URL] = []) -> MedMNISTStore {
        var store = MedMNISTStore(folder: root.appendingPathComponent("cache"), searchFolders: searching, environment: [:])
        store.timeout = 5
        return store
    }

    @Test func md5KnownAnswers() {
        #expect(FileDigest.hex(of: Data(), .md5) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(FileDigest.hex(of: Data("abc".utf8), .md5) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(FileDigest.hex(of: Data("The quick brown fox jumps over the lazy dog".utf8), .md5)
            == "9e107d9d372bb6826bd81d3542a419d6")
    }

    @Test func filesOfEverySize() throws {
        let pneumonia = try MedMNISTStore.file("PneumoniaMNIST", size: 28)
        #expect(pneumonia.fileName == "pneumoniamnist.npz" && pneumonia.md5 == "28209eda62fecd6e6a2d98b1501bb15f")
        let plus = try MedMNISTStore.file("pneumoniamnist", size: 224)
        #expect(plus.fileName == "pneumoniamnist_224.npz")
        #expect(plus.url == "https://zenodo.org/records/10519652/files/pneumoniamnist_224.npz?download=1")
        #expect(plus.md5 == "d6a3c71de1b945ea11211b03746c1fe1")
        #expect(try MedMNISTStore.file("bloodmnist", size: 64).md5 == "2b94928a2ae4916078ca51e05b6b800b")
        #expect(try MedMNISTStore.file("organsmnist", size: 128).md5 == "ded0c5fa01a95dc4978b956f613e9b8e")
        #expect(try MedMNISTStore.file("organamnist", size: 28).acceptedMD5s
            == ["866b832ed4eeba67bfb9edee1d5544e6", "68e3f8846a6bd62f0c9bf841c0d9eacc"])
        for info in MedMNISTInfo.all {
            for size in MedMNISTInfo.sizes {
                let file = try #require(info.file(size: size))
                #expect(file.md5?.count == 32 && file.md5?.allSatisfy(\.isHexDigit) == true, "\(file.fileName)")
                #expect(file.url.hasSuffix("/\(file.fileName)?download=1"))
            }
        }
        let allMD5s = MedMNISTInfo.all.flatMap { info in MedMNISTInfo.sizes.compactMap { info.file(size: $0)?.md5 } }
        #expect(Set(allMD5s).count == 48)
        #expect(MedMNISTInfo.named("pneumoniamnist_64")?.name == "pneumoniamnist")
        #expect(MedMNISTInfo.named("pneumoniamnist_65") == nil)

        let unknown = try #require(throws: MedMNISTStoreError.self) { try MedMNISTStore.file("nodulemnist", size: 28) }
        #expect(unknown.kind == .unknownDataset && unknown.description.contains("pathmnist, chestmnist"))
        let size = try #require(throws: MedMNISTStoreError.self) { try MedMNISTStore.file("pathmnist", size: 32) }
        #expect(size.kind == .unsupportedSize && size.description.contains("28, 64, 128, 224"))
    }

    @Test func foldersFollowTheEnvironment() {
        let variable = MedMNISTStore.environmentVariable
        #expect(variable == "SCALPEL_MEDMNIST_DIR")
        #expect(MedMNISTStore.defaultFolder(environment: [variable: "/m", "XDG_CACHE_HOME": "/x", "HOME": "/h"]).path == "/m")
        #expect(MedMNISTStore.defaultFolder(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).path == "/x/scalpel/medmnist")
        #expect(MedMNISTStore.defaultFolder(environment: ["HOME": "/h"]).path == "/h/.cache/scalpel/medmnist")
        let everywhere = MedMNISTStore(environment: [variable: "/m", "HOME": "/h"])
        #expect(everywhere.folders.map(\.path) == ["/m", "/h/.medmnist", "/h/.cache/scalpel/medmnist"])
        let explicit = MedMNISTStore(folder: URL(fileURLWithPath: "/data"), environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"])
        #expect(explicit.folders.map(\.path) == ["/data", "/h/.medmnist", "/x/scalpel/medmnist"])
    }

    @Test func locatesInSearchFoldersInOrder() throws {
        let root = temporaryFolder("locate")
        defer { try? FileManager.default.removeItem(at: root) }
        let first = root.appendingPathComponent("first"), second = root.appendingPathComponent("second")
        let store = store(root, searching: [first, second])
        #expect(try store.locate(tinyFile()) == nil)
        #expect(try store.locate("pneumoniamnist", size: 64) == nil)
        try FileManager.default.createDirectory(at: second, withIntermediateDirectories: true)
        try payload.write(to: second.appendingPathComponent("tinymnist_64.npz"))
        #expect(try store.locate(tinyFile()) == second.appendingPathComponent("tinymnist_64.npz"))
        try FileManager.default.createDirectory(at: first, withIntermediateDirectories: true)
        try payload.write(to: first.appendingPathComponent("tinymnist_64.npz"))
        #expect(try store.locate(tinyFile()) == first.appendingPathComponent("tinymnist_64.npz"))
    }

    @Test func wrongMD5IsExplainedAndTheFileKept() throws {
        let root = temporaryFolder("md5")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("medmnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let junk = folder.appendingPathComponent("tinymnist_64.npz")
        try Data("junk".utf8).write(to: junk)
        let file = tinyFile()
        let error = try #require(throws: MedMNISTStoreError.self) { try store(root, searching: [folder]).locate(file) }
        #expect(error.kind == .checksumMismatch)
        #expect(error.description.contains(junk.path))
        #expect(error.description.contains("md5 is \(FileDigest.hex(of: Data("junk".utf8), .md5))"))
        #expect(error.description.contains("expected \(file.md5!)"))
        #expect(error.description.contains(file.url))
        #expect(FileManager.default.fileExists(atPath: junk.path))
    }

    @Test func unknownMD5IsAcceptedWithAWarning() throws {
        let root = temporaryFolder("unverified")
        defer { try? FileManager.default.removeItem(at: root) }
        var store = store(root)
        let warnings = Warnings()
        store.warn = { warnings.append($0) }
        try FileManager.default.createDirectory(at: store.folder, withIntermediateDirectories: true)
        try Data("anything".utf8).write(to: store.folder.appendingPathComponent("tinymnist_64.npz"))
        #expect(try store.locate(tinyFile(md5: .some(nil))) == store.folder.appendingPathComponent("tinymnist_64.npz"))
        #expect(warnings.all.count == 1 && warnings.all[0].contains("no published MD5 is known for tinymnist_64.npz"))
    }

    @Test func downloadsFromTheRecordAndChecksMD5() throws {
        let server = try LoopbackHTTPServer(files: ["/records/1/files/tinymnist_64.npz?download=1": payload])
        defer { server.stop() }
        let root = temporaryFolder("download")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = store(root)
        let file = tinyFile(port: server.port)
        let notAllowed = try #require(throws: MedMNISTStoreError.self) {
            try store.resolve("pneumoniamnist", size: 64, allowDownload: false)
        }
        #expect(notAllowed.kind == .notFound && notAllowed.description.contains("pneumoniamnist_64.npz"))
        #expect(notAllowed.description.contains("put it in \(store.folder.path)/"))

        let downloaded = try store.download(file)
        #expect(downloaded == store.folder.appendingPathComponent("tinymnist_64.npz"))
        #expect(try Data(contentsOf: downloaded) == payload)
        #expect(!FileManager.default.fileExists(atPath: downloaded.path + ".partial"))
        #expect(try store.locate(file) == downloaded)
        #expect(server.requests.count == 1)
    }

    @Test func aWrongDownloadIsDeleted() throws {
        let server = try LoopbackHTTPServer(files: ["/records/1/files/tinymnist_64.npz?download=1": payload])
        defer { server.stop() }
        let root = temporaryFolder("wrong")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = store(root)
        let expected = String(repeating: "0", count: 32)
        let error = try #require(throws: MedMNISTStoreError.self) {
            try store.download(tinyFile(port: server.port, md5: .some(expected)))
        }
        #expect(error.kind == .checksumMismatch)
        #expect(error.description.contains("md5 is \(FileDigest.hex(of: payload, .md5)), expected \(expected)"))
        #expect(error.description.contains("deleted"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.folder.path).isEmpty)
    }

    @Test func offlineSaysWhereToPutTheFile() throws {
        let port = try LoopbackHTTPServer.closedPort()
        let root = temporaryFolder("offline")
        defer { try? FileManager.default.removeItem(at: root) }
        let other = root.appendingPathComponent("elsewhere")
        let store = store(root, searching: [other])
        let file = tinyFile(port: port)
        let start = Date()
        let error = try #require(throws: MedMNISTStoreError.self) { try store.download(file) }
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(error.kind == .unreachable)
        #expect(error.description.contains(file.url))
        #expect(error.description.contains("tinymnist_64.npz could not be downloaded"))
        #expect(error.description.contains("offline or unreachable"))
        #expect(error.description.contains("put it in \(store.folder.path)/"))
        #expect(error.description.contains(other.path))
        #expect(error.description.contains("SCALPEL_MEDMNIST_DIR"))
    }
}

/// Collects the store's warnings.
final class Warnings: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
