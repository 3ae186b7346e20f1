// Scalpel — ScalpelDownload
// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET whose body is appended to a `.partial` file, as `URLSession`'s delegate.
final class RangeFetch: NSObject, URLSessionDataDelegate, @unchecked Sendable {
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

    private func failure(_ kind: DownloadError.Kind, _ request: URLRequest?, _ message: String) -> DownloadError {
        let url = request?.url ?? partial
        return DownloadError(kind, url: url, destination: partial.deletingPathExtension(), message)
    }

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
                    throw failure(.httpStatus(206), dataTask.originalRequest,
                                  "the server resumed \(fileName) at another offset than \(resumeFrom)")
                case 200:  // the whole file (no partial file, or the server ignored Range): start over
                    received = 0
                    total = response.expectedContentLength > 0 ? response.expectedContentLength : nil
                    guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                        throw failure(.fileSystem, dataTask.originalRequest, "cannot write \(partial.path)")
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
                self.error = failure(.fileSystem, dataTask.originalRequest,
                                     "cannot write \(partial.path): \(error.localizedDescription)")
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
