// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Reads result files from inside one folder only: a name that resolves (through links) outside the
/// folder, a file over its size limit or one that is not a regular file is refused with a clear error.
struct ResultFiles {
    /// The folder as given, and with links resolved.
    let folder: URL
    let resolved: URL

    init(_ folder: URL) throws {
        let standardized = folder.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: standardized.path, isDirectory: &isDirectory) else {
            throw ReportError("\(standardized.path) does not exist; give a run folder (from scalpel train) or a comparison folder (from scalpel compare)")
        }
        guard isDirectory.boolValue else {
            throw ReportError("\(standardized.path) is a file, not a folder; give a run folder (from scalpel train) or a comparison folder (from scalpel compare)")
        }
        self.folder = standardized
        resolved = standardized.resolvingSymlinksInPath()
    }

    func url(_ relative: String) -> URL { folder.appendingPathComponent(relative) }

    /// Whether something is at `relative` (reading it then checks where it leads).
    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: url(relative).path) }

    /// The file's URL after checking that it resolves inside the folder and is a regular file.
    func checked(_ relative: String) throws -> URL {
        let file = url(relative).standardizedFileURL
        let target = file.resolvingSymlinksInPath()
        guard target.path.hasPrefix(resolved.path + "/") else {
            throw ReportError("\(file.path) points outside \(folder.path) (to \(target.path)); a report reads only the folders it is given")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: target.path)
        guard let type = attributes?[.type] as? FileAttributeType else {
            throw ReportError("\(file.path) is missing")
        }
        guard type == .typeRegular else { throw ReportError("\(file.path) is not a regular file") }
        return target
    }

    /// The bytes of `relative`, refused above `limit` bytes.
    func data(_ relative: String, limit: Int) throws -> Data {
        let target = try checked(relative)
        let size = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int) ?? 0
        guard size <= limit else {
            throw ReportError("\(url(relative).path) is \(size) bytes, more than the \(limit) a report reads; is it the right file?")
        }
        do {
            return try Data(contentsOf: target)
        } catch {
            throw ReportError("cannot read \(url(relative).path): \(error.localizedDescription)")
        }
    }

    /// `relative` decoded as JSON; a file that does not decode is refused as not being `what`
    /// ("the result of a UAP attack"), with the decoder's reason.
    func decode<T: Decodable>(_ type: T.Type, _ relative: String, limit: Int, what: String, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        let data = try data(relative, limit: limit)
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw ReportError("\(url(relative).path) is not \(what): \(error)")
        }
    }

    /// Sub-folders (not following links outside), sorted by name.
    func subfolders(of relative: String = "") -> [String] {
        let base = relative.isEmpty ? folder : url(relative)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        return names.sorted().compactMap { name in
            guard !name.hasPrefix(".") else { return nil }
            let path = relative.isEmpty ? name : relative + "/" + name
            let target = url(path).resolvingSymlinksInPath()
            var isDirectory: ObjCBool = false
            guard target.path.hasPrefix(resolved.path + "/"),
                  FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory.boolValue
            else { return nil }
            return path
        }
    }
}
