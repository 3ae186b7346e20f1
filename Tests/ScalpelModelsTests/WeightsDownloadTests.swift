// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ScalpelModels

/// ``WeightStore/download(_:progress:)`` against a tiny HTTP/1.1 server on 127.0.0.1: full download,
/// resume of a truncated `.partial` file, checksum mismatch, 404, connection refused. No internet.
@Suite(.serialized) struct WeightsDownloadTests {
    let payload = Data((0 ..< 300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })

    func entry(port: UInt16, name: String = "tiny-net.pth", sha256: String? = nil) -> WeightsEntry {
        var hash = SHA256()
        hash.update(payload)
        let digest = sha256 ?? hash.hexDigest()
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

/// A minimal HTTP/1.1 file server on 127.0.0.1 for tests: GET with optional `Range: bytes=N-`,
/// one request per connection, 404 for unknown paths, optionally a connection dropped mid-body. It stops
/// itself after 10 s at the latest.
final class LoopbackHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let socketFD: Int32
    private let files: [String: Data]
    /// Body bytes sent before the connection is dropped (a lost connection), nil: the whole body.
    private let cutAfter: Int?
    private let lock = NSLock()
    private var stopped = false
    private var log: [String] = []
    private var sent = 0
    private let done = DispatchSemaphore(value: 0)

    init(files: [String: Data], cutAfter: Int? = nil) throws {
        self.files = files
        self.cutAfter = cutAfter
        (socketFD, port) = try Self.listen()
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Request heads received, in order.
    var requests: [String] { lock.withLock { log } }
    /// Body bytes sent over all responses.
    var bytesSent: Int { lock.withLock { sent } }

    func stop() {
        lock.withLock { stopped = true }
        done.wait()
    }

    /// A port nothing listens on: bound, then closed.
    static func closedPort() throws -> UInt16 {
        let (fd, port) = try listen()
        close(fd)
        return port
    }

    private static func listen() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && Glibc.listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    private func serve() {
        defer {
            close(socketFD)
            done.signal()
        }
        let deadline = Date().addingTimeInterval(10)
        while !lock.withLock({ stopped }), Date() < deadline {
            var poller = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let client = accept(socketFD, nil, nil)
            guard client >= 0 else { continue }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var head = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while head.range(of: Data("\r\n\r\n".utf8)) == nil, head.count < 65536 {
            var poller = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 2000) > 0 else { return }
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            head.append(contentsOf: buffer[0 ..< count])
        }
        let text = String(decoding: head, as: UTF8.self)
        lock.withLock { log.append(text) }
        let lines = text.components(separatedBy: "\r\n")
        let path = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        guard let body = files[path] else {
            send(client, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found")
            return
        }
        let range = lines.first { $0.lowercased().hasPrefix("range: bytes=") }
            .flatMap { Int($0.dropFirst("range: bytes=".count).split(separator: "-").first ?? "") }
        if let start = range {
            guard start < body.count else {
                send(client, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */\(body.count)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            }
            send(client, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes \(start)-\(body.count - 1)/\(body.count)\r\n"
                + "Content-Length: \(body.count - start)\r\nConnection: close\r\n\r\n")
            send(client, body.suffix(from: start).prefix(cutAfter ?? body.count))
        } else {
            send(client, "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n")
            send(client, body.prefix(cutAfter ?? body.count))
        }
    }

    private func send(_ client: Int32, _ text: String) { _ = sendAll(client, Data(text.utf8)) }

    private func send(_ client: Int32, _ body: Data) {
        let count = sendAll(client, body)
        lock.withLock { sent += count }
    }

    private func sendAll(_ client: Int32, _ data: Data) -> Int {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.send(client, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                guard count > 0 else { break }
                offset += count
            }
            return offset
        }
    }
}
