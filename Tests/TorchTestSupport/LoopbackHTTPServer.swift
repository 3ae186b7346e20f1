// Scalpel — TorchTestSupport
// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 file server on 127.0.0.1 for tests: GET with optional `Range: bytes=N-`,
/// one request per connection, 404 for unknown paths, optionally a connection dropped mid-body. It stops
/// itself after 10 s at the latest.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public let port: UInt16
    private let socketFD: Int32
    private let files: [String: Data]
    /// Body bytes sent before the connection is dropped (a lost connection), nil: the whole body.
    private let cutAfter: Int?
    private let lock = NSLock()
    private var stopped = false
    private var log: [String] = []
    private var sent = 0
    private let done = DispatchSemaphore(value: 0)

    public init(files: [String: Data], cutAfter: Int? = nil) throws {
        self.files = files
        self.cutAfter = cutAfter
        (socketFD, port) = try Self.listen()
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Request heads received, in order.
    public var requests: [String] { lock.withLock { log } }
    /// Body bytes sent over all responses.
    public var bytesSent: Int { lock.withLock { sent } }

    public func stop() {
        lock.withLock { stopped = true }
        done.wait()
    }

    /// A port nothing listens on: bound, then closed.
    public static func closedPort() throws -> UInt16 {
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
