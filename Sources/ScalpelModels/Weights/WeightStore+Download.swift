// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// How far a download has come; ``bar(width:)`` draws it.
public struct DownloadProgress: Sendable, Equatable {
    public var fileName: String
    /// Bytes on disk so far, including a resumed `.partial` file.
    public var receivedBytes: Int64
    /// The file's size, when the server said.
    public var totalBytes: Int64?

    public init(fileName: String, receivedBytes: Int64, totalBytes: Int64?) {
        self.fileName = fileName
        self.receivedBytes = receivedBytes
        self.totalBytes = totalBytes
    }

    public var fraction: Double? {
        guard let totalBytes, totalBytes > 0 else { return nil }
        return min(1, Double(receivedBytes) / Double(totalBytes))
    }

    /// `resnet18-f37072fd.pth [#########...........]  45%  20.1/44.7 MB`.
    public func bar(width: Int = 30) -> String {
        let megabytes = { (bytes: Int64) in String(format: "%.1f", Double(bytes) / 1_000_000) }
        guard let fraction, let totalBytes else { return "\(fileName) \(megabytes(receivedBytes)) MB" }
        let filled = Int(fraction * Double(width))
        return "\(fileName) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] " + String(format: "%3d%%", Int(fraction * 100)) + "  \(megabytes(receivedBytes))/\(megabytes(totalBytes)) MB"
    }
}

extension WeightStore {
    /// Prints ``DownloadProgress/bar(width:)`` to standard error, on one line redrawn in place.
    public static let printProgress: @Sendable (DownloadProgress) -> Void = { progress in
        let done = progress.totalBytes.map { progress.receivedBytes >= $0 } ?? false
        FileHandle.standardError.write(Data(("\r" + progress.bar() + (done ? "\n" : "")).utf8))
    }

    /// Downloads `entry` into the cache folder and returns the verified file.
    ///
    /// Bytes go to `<file>.partial`; an existing partial file is resumed with an HTTP `Range` request
    /// (a server that ignores it sends the whole file, which then replaces it). The finished file is
    /// checked against the registry's sha256 and renamed into place atomically, so the cache never
    /// holds a partial or unverified file under the real name.
    ///
    /// - Parameter progress: called as bytes arrive (at most every 0.1 % or 1 MB) and once at the end.
    /// - Throws: ``WeightStoreError``: `.unreachable` when offline (naming the file, its URL and the
    ///   folder to put it in; the partial file is kept for a later resume), `.httpStatus` for an
    ///   answer other than the file, `.checksumMismatch` (the file is deleted), `.notInstalled` for a
    ///   PyPI-packaged file (with the `pip install` command).
    @discardableResult
    public func download(_ entry: WeightsEntry, progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> URL {
        guard let url = entry.downloadURL else { throw missing(entry, reason: nil) }
        let destination = cachedURL(entry)
        let partial = folder.appendingPathComponent(entry.fileName + ".partial")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw WeightStoreError(.fileSystem, "cannot create the weight folder \(folder.path): \(error.localizedDescription)")
        }
        let existing = ((try? FileManager.default.attributesOfItem(atPath: partial.path))?[.size] as? NSNumber)?.int64Value ?? 0
        let fetch = RangeFetch(partial: partial, resumeFrom: existing, fileName: entry.fileName, progress: progress)
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: fetch, delegateQueue: nil)
        session.dataTask(with: request).resume()
        fetch.finished.wait()
        session.finishTasksAndInvalidate()

        let outcome = fetch.outcome()
        switch outcome.status {
        case 200, 206:
            if let error = outcome.error { throw failure(entry, error) }
        case 416 where existing > 0:
            break  // the partial file is already whole: verify it
        case 0:
            throw failure(entry, outcome.error)
        default:
            try? FileManager.default.removeItem(at: partial)
            throw WeightStoreError(
                .httpStatus(outcome.status),
                "\(entry.fileName): \(url.absoluteString) answered HTTP \(outcome.status) instead of the file. "
                    + "Download it by hand and put it in \(folder.path)/.")
        }
        try verify(partial, entry, deleting: true)
        guard rename(partial.path, destination.path) == 0 else {
            throw WeightStoreError(.fileSystem, "cannot move \(partial.path) to \(destination.path): \(String(cString: strerror(errno)))")
        }
        return destination
    }

    private func failure(_ entry: WeightsEntry, _ error: Error?) -> WeightStoreError {
        if let error = error as? WeightStoreError { return error }
        let reason = (error as? URLError).map { error -> String in
            switch error.code {
            case .cannotConnectToHost: "connection refused"
            case .notConnectedToInternet: "not connected to the internet"
            case .cannotFindHost, .dnsLookupFailed: "host not found"
            case .timedOut: "timed out"
            case .networkConnectionLost: "connection lost; run again to resume"
            default: error.localizedDescription
            }
        } ?? error?.localizedDescription ?? "no answer"
        return missing(entry, reason: "offline or unreachable: \(reason)")
    }
}

/// One HTTP GET whose body is appended to a `.partial` file, as `URLSession`'s delegate.
private final class RangeFetch: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let partial: URL, resumeFrom: Int64, fileName: String
    let progress: (@Sendable (DownloadProgress) -> Void)?
    let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var handle: FileHandle?
    private var status = 0
    private var received: Int64 = 0
    private var total: Int64?
    private var reported: Int64 = -1
    private var error: Error?

    init(partial: URL, resumeFrom: Int64, fileName: String, progress: (@Sendable (DownloadProgress) -> Void)?) {
        self.partial = partial
        self.resumeFrom = resumeFrom
        self.fileName = fileName
        self.progress = progress
    }

    func outcome() -> (status: Int, error: Error?) { lock.withLock { (status, error) } }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        let disposition: URLSession.ResponseDisposition = lock.withLock {
            status = http?.statusCode ?? 0
            do {
                switch status {
                case 206 where Self.rangeStart(http) == resumeFrom:
                    received = resumeFrom
                    total = Self.rangeTotal(http)
                    handle = try FileHandle(forWritingTo: partial)
                    try handle?.seekToEnd()
                case 206:
                    throw WeightStoreError(.httpStatus(206), "the server resumed \(fileName) at another offset than \(resumeFrom)")
                case 200:  // the whole file (no partial file, or the server ignored Range): start over
                    received = 0
                    total = response.expectedContentLength > 0 ? response.expectedContentLength : nil
                    guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                        throw WeightStoreError(.fileSystem, "cannot write \(partial.path)")
                    }
                    handle = try FileHandle(forWritingTo: partial)
                default:
                    return .cancel
                }
                return .allow
            } catch {
                self.error = error
                return .cancel
            }
        }
        completionHandler(disposition)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let update: DownloadProgress? = lock.withLock {
            guard let handle, error == nil else { return nil }
            do {
                try handle.write(contentsOf: data)
            } catch {
                self.error = WeightStoreError(.fileSystem, "cannot write \(partial.path): \(error.localizedDescription)")
                dataTask.cancel()
                return nil
            }
            received += Int64(data.count)
            let step = max(1 << 20, (total ?? 0) / 1000)
            guard received - reported >= step else { return nil }
            reported = received
            return DownloadProgress(fileName: fileName, receivedBytes: received, totalBytes: total)
        }
        if let update { progress?(update) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let update: DownloadProgress? = lock.withLock {
            try? handle?.close()
            handle = nil
            if let error, self.error == nil, status == 200 || status == 206 || status == 0 { self.error = error }
            if self.error == nil, let total, received != total {
                self.error = URLError(.networkConnectionLost)
            }
            guard self.error == nil, status == 200 || status == 206 else { return nil }
            return DownloadProgress(fileName: fileName, receivedBytes: received, totalBytes: total ?? received)
        }
        if let update { progress?(update) }
        finished.signal()
    }

    /// `start` of `Content-Range: bytes start-end/total`.
    static func rangeStart(_ response: HTTPURLResponse?) -> Int64? {
        rangeParts(response).flatMap { Int64($0[0]) }
    }

    static func rangeTotal(_ response: HTTPURLResponse?) -> Int64? {
        rangeParts(response).flatMap { Int64($0[2]) }
    }

    private static func rangeParts(_ response: HTTPURLResponse?) -> [Substring]? {
        guard let value = response?.value(forHTTPHeaderField: "Content-Range"), value.hasPrefix("bytes ") else { return nil }
        let parts = value.dropFirst(6).split(whereSeparator: { $0 == "-" || $0 == "/" })
        return parts.count == 3 ? parts : nil
    }
}
