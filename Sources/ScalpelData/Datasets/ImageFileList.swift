// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Unlabelled images to predict: files given one by one and every image file under given folders
/// (recursively, by ``ImageFolderDataset/imageExtensions``, hidden files skipped), in a stable order.
/// Labels are placeholders (class 0, or all zeros for a multi-label task): nothing is known of them.
public struct ImageFileList: ImageDataset {
    public let files: [URL]
    public let task: ClassificationTask
    public let classNames: [String]

    /// - Throws: ``DataSourceError`` for a path that does not exist or when no image is found.
    public init(paths: [String], task: ClassificationTask, classNames: [String]) throws {
        var files: [URL] = []
        var walk = FolderWalk()
        for path in paths {
            let url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw DataSourceError(file: path, problem: "does not exist", fix: "give image files or folders of images")
            }
            if !isDirectory.boolValue {
                files.append(url)
                continue
            }
            // Links are followed once: a symlink loop ends and no file is listed twice.
            let found = try walk.files(under: url.path).filter { ImageFolderDataset.isImage($0) }
            files += found.sorted().map { url.appendingPathComponent($0) }
        }
        guard !files.isEmpty else {
            throw DataSourceError(file: paths.joined(separator: ", "),
                                  problem: "holds no image files (\(ImageFolderDataset.imageExtensions.sorted().joined(separator: ", ")))")
        }
        self.files = files
        self.task = task
        self.classNames = classNames
    }

    public var source: String { files.count == 1 ? files[0].path : "\(files.count) image files" }
    public var count: Int { files.count }
    public func sampleID(_ index: Int) -> String { files[index].path }
    public func labels(_ index: Int) -> [Int] {
        task == .multiLabel ? Array(repeating: 0, count: classNames.count) : [0]
    }
    public func image(_ index: Int) throws -> DecodedImage { try ImageDecoder.decode(contentsOf: files[index]) }
}
