// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TorchTestSupport
@testable import ScalpelModels
import ScalpelDownload

/// ``WeightStore/download(_:progress:)`` against a tiny HTTP/1.1 server on 127.0.0.1: full download,
/// resume of a truncated `.partial` file, checksum mismatch, 404, connection refused. No internet.
@Suite(.serialized) struct WeightsDownloadTests {
    let payload = Data((0 ..< 300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })

    func entry(port: UInt16, name: String = "tiny-net.pth", sha256: String? = nil) -> WeightsEntry {
        let digest = sha256 ?? FileDigest.hex(of: payload, .sha256)
        return WeightsEntry(architecture: .resnet18, tag: "TEST", fileName: name,
                            source: .url(URL(string: "http://127.0.0.1:\(port)/models/\(name)")!),
                            sha256Prefix: String(digest.prefix(8)), sha256: nil, top1: nil, top5: nil, isDefault: false)
    }

    func temporaryStore() throws -> WeightStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-weights-\(UUID().uuidString)")
        var store = WeightStore(folder: folder, searchFolders: [], sitePackages: [])
        store.timeout = 5
        return store
    }

    @Test func downloadsVerifiesAndRenames() throws {
        let server = try LoopbackHTTPServer(files: ["/models/tiny-net.pth": payload])
        defer { server.stop() }
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.folder) }
        let seen = Recorder()
        let file = try store.download(entry(port: server.port)) { seen.append($0) }
        #expect(file == store.folder.appendingPathComponent("tiny-net.pth"))
        #expect(try Data(contentsOf: file) == payload)
        #expect(!FileManager.default.fileExists(atPath: file.path + ".partial"))
        #expect(seen.last?.receivedBytes == Int64(payload.count))
        #expect(seen.last?.totalBytes == Int64(payload.count))
        #expect(seen.last?.bar(width: 10).contains("[##########] 100%") == true)
        #expect(try store.locate(entry(port: server.port)) == file)
        #expect(server.requests.first?.contains("Range:") == false)
    }

    @Test func resumesATruncatedPartialFile() throws {
        let server = try LoopbackHTTPServer(files: ["/models/tiny-net.pth": payload])
        defer { server.stop() }
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.folder) }
        try FileManager.default.createDirectory(at: store.folder, withIntermediateDirectories: true)
        try payload.prefix(123_456).write(to: store.folder.appendingPathComponent("tiny-net.pth.partial"))
        let file = try store.download(entry(port: server.port))
        #expect(try Data(contentsOf: file) == payload)
        #expect(server.requests.first?.lowercased().contains("range: bytes=123456-") == true)
        #expect(server.bytesSent == payload.count - 123_456)
    }

    @Test func anInterruptedDownloadKeepsItsPartialFileAndResumes() throws {
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.folder) }
        let partial = store.folder.appendingPathComponent("tiny-net.pth.partial")
        do {
            let dropping = try LoopbackHTTPServer(files: ["/models/tiny-net.pth": payload], cutAfter: 100_000)
            defer { dropping.stop() }
            let error = try #require(throws: WeightStoreError.self) { try store.download(entry(port: dropping.port)) }
            #expect(error.kind == .unreachable && error.description.contains("tiny-net.pth"))
        }
        let kept = try #require(try FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? NSNumber)
        #expect(kept.intValue == 100_000)
        let server = try LoopbackHTTPServer(files: ["/models/tiny-net.pth": payload])
        defer { server.stop() }
        let file = try store.download(entry(port: server.port))
        #expect(try Data(contentsOf: file) == payload)
        #expect(server.bytesSent == payload.count - 100_000)
    }

    @Test func checksumMismatchDeletesTheFile() throws {
        let server = try LoopbackHTTPServer(files: ["/models/tiny-net.pth": payload])
        defer { server.stop() }
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.folder) }
        let wrong = entry(port: server.port, sha256: "deadbeef" + String(repeating: "0", count: 56))
        let error = try #require(throws: WeightStoreError.self) { try store.download(wrong) }
        #expect(error.kind == .checksumMismatch)
        #expect(error.description.contains("deadbeef") && error.description.contains("deleted"))
        let left = try FileManager.default.contentsOfDirectory(atPath: store.folder.path)
        #expect(left.isEmpty)
        // A corrupt file already in the cache is deleted by locate, too.
        try Data("junk".utf8).write(to: store.cachedURL(wrong))
        #expect(throws: WeightStoreError.self) { try store.locate(wrong) }
        #expect(!FileManager.default.fileExists(atPath: store.cachedURL(wrong).path))
    }

    @Test func notFoundNamesTheURL() throws {
        let server = try LoopbackHTTPServer(files: [:])
        defer { server.stop() }
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.folder) }
        let missing = entry(port: server.port)
        let error = try #require(throws: WeightStoreError.self) { try store.download(missing) }
        #expect(error.kind == .httpStatus(404))
        #expect(error.description.contains(missing.downloadURL!.absoluteString))
        #expect(error.description.contains(store.folder.path))
    }

    @Test func connectionRefusedSaysWhereToPutTheFile() throws {
        let port = try LoopbackHTTPServer.closedPort()
        let store = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: store.folder) }
        let offline = entry(port: port)
        let start = Date()
        let error = try #require(throws: WeightStoreError.self) { try store.resolve(offline) }
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(error.kind == .unreachable)
        #expect(error.description.contains("tiny-net.pth"))
        #expect(error.description.contains("http://127.0.0.1:\(port)/models/tiny-net.pth"))
        #expect(error.description.contains("put it in \(store.folder.path)/"))
        #expect(error.description.contains("offline or unreachable"))
    }
}

/// Collects progress reports from the download's delegate queue.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [DownloadProgress] = []
    func append(_ item: DownloadProgress) { lock.withLock { items.append(item) } }
    var last: DownloadProgress? { lock.withLock { items.last } }
}
