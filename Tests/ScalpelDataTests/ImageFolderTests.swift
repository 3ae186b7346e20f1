// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TorchTestSupport
@testable import ScalpelData

/// A temporary folder tree for one test, filled with copies of the fixture images; removed at the end.
final class TemporaryTree {
    let root: URL
    let fixtures = Fixtures(bundle: .module)

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Copies fixture `fixture` to `path` (relative to the root), making folders on the way.
    @discardableResult
    func image(_ path: String, from fixture: String = "gray8.png") throws -> URL {
        let target = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtures.url(fixture), to: target)
        return target
    }

    /// Writes `text` to `path` (relative to the root).
    @discardableResult
    func text(_ path: String, _ text: String) throws -> URL {
        let target = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target)
        return target
    }

    func folder(_ path: String) throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent(path), withIntermediateDirectories: true)
    }
}

@Suite struct ImageFolderTests {
    @Test func classesAreSortedFolderNamesAndSamplesTheirImages() throws {
        let tree = try TemporaryTree()
        try tree.image("normal/b.png")
        try tree.image("normal/a.PNG")
        try tree.image("pneumonia/x.JPG", from: "rgb.jpg")
        try tree.image("pneumonia/p7/y.tif", from: "gray16.tif")
        try tree.image("effusion/z.bmp", from: "rgb8.bmp")
        try tree.image("effusion/.hidden.png")
        try tree.image(".cache/c.png")
        try tree.text("normal/notes.txt", "seen")
        try tree.text("README.md", "about")
        let dataset = try ImageFolderDataset(root: tree.root)
        #expect(dataset.classNames == ["effusion", "normal", "pneumonia"])
        #expect(dataset.task == .multiClass)
        #expect(dataset.count == 5)
        #expect((0..<5).map(dataset.sampleID) == ["effusion/z.bmp", "normal/a.PNG", "normal/b.png", "pneumonia/p7/y.tif", "pneumonia/x.JPG"])
        #expect((0..<5).map { dataset.labels($0) } == [[0], [1], [1], [2], [2]])
        #expect(dataset.ignoredFiles == ["README.md", "normal/notes.txt"])
        #expect(dataset.patientID(0) == nil)
        #expect(dataset.classCounts == [1, 2, 2])
        let deep = try dataset.image(3)
        #expect(deep.bitDepth == 16 && deep.width == 6 && deep.height == 4)
        #expect(try dataset.image(0).channels == 3)
    }

    @Test func twoClassesMakeABinaryTask() throws {
        let tree = try TemporaryTree()
        try tree.image("benign/1.png")
        try tree.image("malignant/2.png")
        #expect(try ImageFolderDataset(root: tree.root).task == .binary)
    }

    @Test func aBadImageIsNamedWhenDecoded() throws {
        let tree = try TemporaryTree()
        try tree.image("a/ok.png")
        try tree.image("b/broken.png", from: "corrupt.png")
        let dataset = try ImageFolderDataset(root: tree.root)
        let error = #expect(throws: ImageDecodingError.self) { try dataset.image(1) }
        #expect(error?.file.hasSuffix("b/broken.png") == true)
    }

    func failure(_ build: (TemporaryTree) throws -> Void) throws -> (DataSourceError?, TemporaryTree) {
        let tree = try TemporaryTree()
        try build(tree)
        let error = #expect(throws: DataSourceError.self) { try ImageFolderDataset(root: tree.root) }
        return (error, tree)
    }

    @Test func aMissingRootIsNamed() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/xray-folder")
        let error = #expect(throws: DataSourceError.self) { try ImageFolderDataset(root: missing) }
        #expect(error?.description.contains("/nonexistent/xray-folder") == true)
        #expect(error?.description.contains("does not exist") == true)
    }

    @Test func aRootWithoutClassFoldersSaysTheLayout() throws {
        let (error, tree) = try failure { try $0.text("readme.txt", "x") }
        #expect(error?.file == tree.root.path)
        #expect(error?.description.contains("has no class folders") == true, "\(String(describing: error))")
        #expect(error?.description.contains("one subfolder per class") == true)
    }

    @Test func imagesInTheRootAreNamed() throws {
        let (error, _) = try failure { tree in
            try tree.image("a/1.png")
            try tree.image("b/2.png")
            try tree.image("stray.png")
            try tree.image("other.jpeg", from: "rgb.jpg")
        }
        let text = error?.description ?? ""
        #expect(text.contains("directly inside it (other.jpeg, stray.png)"), "\(text)")
        #expect(text.contains("ROOT/CLASS/image.png"))
    }

    @Test func anEmptyClassFolderIsNamed() throws {
        let (error, _) = try failure { tree in
            try tree.image("a/1.png")
            try tree.folder("b")
            try tree.text("b/list.txt", "nothing")
            try tree.image("c/3.png")
        }
        #expect(error?.location == "folder 'b'")
        #expect(error?.description.contains("class folder has no images") == true, "\(String(describing: error))")
    }

    @Test func oneClassIsNotEnough() throws {
        let (error, _) = try failure { try $0.image("only/1.png") }
        #expect(error?.description.contains("only one class folder ('only')") == true, "\(String(describing: error))")
    }

    @Test func aFileAsRootIsRefused() throws {
        let tree = try TemporaryTree()
        let file = try tree.image("x.png")
        let error = #expect(throws: DataSourceError.self) { try ImageFolderDataset(root: file) }
        #expect(error?.description.contains("is a file, not a folder") == true)
    }

    @Test func dicomPatientsAreReadAndKeptTogetherBySplits() throws {
        let tree = try TemporaryTree()
        for copy in 1...3 { try tree.image("effusion/ct/\(copy).dcm", from: "dicom/ct16.dcm") }          // PAT-CT16
        for copy in 1...2 { try tree.image("effusion/nw\(copy).DCM", from: "dicom/nowindow.dcm") }      // PAT-NOWINDOW
        for copy in 1...2 { try tree.image("normal/m\(copy).dcm", from: "dicom/mono1_8.dcm") }          // PAT-MONO1_8
        for copy in 1...2 { try tree.image("normal/r\(copy).dcm", from: "dicom/rgb8.dcm") }             // PAT-RGB8
        try tree.image("normal/broken.dcm", from: "dicom/not_dicom.dcm")
        try tree.image("normal/plain.png")
        let dataset = try ImageFolderDataset(root: tree.root)
        let byID = Dictionary(uniqueKeysWithValues: (0..<dataset.count).map { (dataset.sampleID($0), dataset.patientID($0)) })
        #expect(byID["effusion/ct/2.dcm"] == "PAT-CT16")
        #expect(byID["effusion/nw1.DCM"] == "PAT-NOWINDOW")
        #expect(byID["normal/r2.dcm"] == "PAT-RGB8")
        #expect(byID["normal/broken.dcm"] == .some(nil))      // unreadable header: no patient, fails when decoded
        #expect(byID["normal/plain.png"] == .some(nil))
        #expect(dataset.patientCount == 4)
        for seed in UInt64(0)..<5 {
            let splits = try DatasetSplitter.split(dataset, fractions: SplitFractions(train: 0.5, validation: 0.25, test: 0.25),
                                                   seed: seed).splits
            var sideOf: [String: Int] = [:]
            for (side, part) in [splits.train, splits.validation, splits.test].enumerated() {
                for index in 0..<part.count {
                    guard let patient = part.patientID(index) else { continue }
                    #expect(sideOf[patient, default: side] == side, "\(patient) straddles two splits (seed \(seed))")
                    sideOf[patient] = side
                }
            }
            #expect(sideOf.count == 4)
        }
    }
}
