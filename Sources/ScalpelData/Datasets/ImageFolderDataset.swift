// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A folder of images with one subfolder per class (torchvision's ImageFolder layout):
/// `ROOT/CLASS/…/image.png`. Class names are the subfolder names, sorted; images may sit in further
/// subfolders of a class folder. Files are decoded on demand with ``ImageDecoder``.
///
/// Files whose names end in one of ``imageExtensions`` (any case) are samples; hidden files and
/// folders (names starting with ".") are skipped; every other file is listed in ``ignoredFiles`` so
/// the caller can report it.
///
/// DICOM files carry their patient: a `.dcm` sample's PatientID (0010,0020) is its ``patientID(_:)``,
/// so splits keep every image of a patient on one side; listing the folder therefore reads every DICOM
/// file once. Files whose header cannot be read (they fail later, when decoded, naming the file) and
/// files without a PatientID have no patient.
public struct ImageFolderDataset: ImageDataset {
    /// The file name extensions taken as images (lower case; matched case-insensitively).
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "bmp", "tif", "tiff", "dcm"]

    /// The root folder.
    public let root: URL
    public var source: String { root.path }
    public let task: ClassificationTask
    public let classNames: [String]
    /// Every sample's path relative to ``root`` (`CLASS/…/NAME`), sorted.
    public let relativePaths: [String]
    /// Every sample's class index.
    public let classIndices: [Int]
    /// Files that were not taken as images (paths relative to ``root``), for the caller to report.
    public let ignoredFiles: [String]
    /// Every sample's DICOM PatientID; nil for other images and DICOM files without one.
    public let patientIDs: [String?]

    /// Lists the images under `root`.
    ///
    /// - Throws: ``DataSourceError`` naming the folder: it does not exist or is not a folder, it has
    ///   images directly inside it (not in a class folder), fewer than two class folders, or a class
    ///   folder without images.
    public init(root: URL) throws {
        let manager = FileManager.default
        let rootPath = root.standardizedFileURL.path
        self.root = URL(fileURLWithPath: rootPath, isDirectory: true)
        let layout = "expected one subfolder per class, each holding that class's images (ROOT/CLASS/image.png)"
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: rootPath, isDirectory: &isFolder) else {
            throw DataSourceError(file: rootPath, problem: "image folder does not exist", fix: "check the path")
        }
        guard isFolder.boolValue else {
            throw DataSourceError(file: rootPath, problem: "is a file, not a folder of class folders", fix: layout)
        }
        let entries = try ImageFolderDataset.visibleEntries(of: rootPath)
        var classFolders: [String] = [], ignored: [String] = [], strayImages: [String] = []
        for name in entries {
            var entryIsFolder: ObjCBool = false
            _ = manager.fileExists(atPath: rootPath + "/" + name, isDirectory: &entryIsFolder)
            if entryIsFolder.boolValue {
                classFolders.append(name)
            } else if ImageFolderDataset.isImage(name) {
                strayImages.append(name)
            } else {
                ignored.append(name)
            }
        }
        if !strayImages.isEmpty {
            let shown = strayImages.prefix(5).joined(separator: ", ") + (strayImages.count > 5 ? ", … (\(strayImages.count) in all)" : "")
            throw DataSourceError(file: rootPath, problem: "has images directly inside it (\(shown))",
                                  fix: layout + "; move them into their class folder")
        }
        guard !classFolders.isEmpty else {
            throw DataSourceError(file: rootPath, problem: "has no class folders", fix: layout)
        }
        guard classFolders.count >= 2 else {
            throw DataSourceError(file: rootPath, problem: "has only one class folder ('\(classFolders[0])'); classification needs at least two",
                                  fix: layout)
        }
        classFolders.sort()
        var paths: [String] = [], indices: [Int] = []
        // Links are followed, but each folder and file only once: a link to "." or a parent cannot loop,
        // and no image can be listed twice (and so land in two splits).
        var walk = FolderWalk()
        _ = walk.enter(folder: rootPath)
        for (classIndex, name) in classFolders.enumerated() {
            var images: [String] = []
            let alreadyRepeated = walk.repeated.count
            for file in try walk.files(under: rootPath + "/" + name) {
                if ImageFolderDataset.isImage(file) { images.append(name + "/" + file) } else { ignored.append(name + "/" + file) }
            }
            if walk.repeated.count > alreadyRepeated, walk.repeated.last == rootPath + "/" + name {
                throw DataSourceError(file: rootPath, location: "folder '\(name)'",
                                      problem: "class folder is a link to a folder already listed (a symlink loop or a second link to one folder)",
                                      fix: "remove the link or replace it by a real folder")
            }
            ignored += walk.repeated[alreadyRepeated...].map { "\(name)/\($0) (already listed through another path)" }
            guard !images.isEmpty else {
                throw DataSourceError(file: rootPath, location: "folder '\(name)'",
                                      problem: "class folder has no images (\(ImageFolderDataset.extensionList))",
                                      fix: "add images of class '\(name)' or remove the folder")
            }
            images.sort()
            paths += images
            indices += Array(repeating: classIndex, count: images.count)
        }
        classNames = classFolders
        task = classFolders.count == 2 ? .binary : .multiClass
        relativePaths = paths
        classIndices = indices
        ignoredFiles = ignored.sorted()
        patientIDs = paths.map { path in
            guard path.lowercased().hasSuffix(".dcm"),
                  let header = try? DicomDecoder.header(contentsOf: URL(fileURLWithPath: rootPath + "/" + path)),
                  !header.patientID.isEmpty else { return nil }
            return header.patientID
        }
    }

    /// How many distinct patients the DICOM headers name.
    public var patientCount: Int { Set(patientIDs.compactMap { $0 }).count }

    public var count: Int { relativePaths.count }
    public func sampleID(_ index: Int) -> String { relativePaths[index] }
    public func labels(_ index: Int) -> [Int] { [classIndices[index]] }
    public func patientID(_ index: Int) -> String? { patientIDs[index] }
    /// The absolute location of sample `index`.
    public func url(_ index: Int) -> URL { root.appendingPathComponent(relativePaths[index]) }
    public func image(_ index: Int) throws -> DecodedImage { try ImageDecoder.decode(contentsOf: url(index)) }

    static var extensionList: String { imageExtensions.sorted().map { "." + $0 }.joined(separator: ", ") }

    static func isImage(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// The names in `path` that do not start with ".", sorted.
    private static func visibleEntries(of path: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw DataSourceError(file: path, problem: "cannot be listed (\(error.localizedDescription))",
                                  fix: "check the folder's permissions")
        }
    }
}
