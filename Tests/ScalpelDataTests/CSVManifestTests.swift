// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TorchTestSupport
@testable import ScalpelData

@Suite struct CSVTableTests {
    func table(_ text: String) throws -> CSVTable { try CSVTable(data: Data(text.utf8), source: "m.csv") }

    @Test func quotedFieldsEscapedQuotesAndLineBreaksInsideQuotes() throws {
        let csv = try table("path,note\r\n\"a,b.png\",\"said \"\"hi\"\"\"\r\nc.png,\"two\r\nlines\"\n\nd.png,\n")
        #expect(csv.header == ["path", "note"])
        #expect(csv.rows == [["a,b.png", "said \"hi\""], ["c.png", "two\r\nlines"], ["d.png", ""]])
        #expect(csv.lineNumbers == [2, 3, 6])
    }

    @Test func aByteOrderMarkIsSkippedAndTheLastLineNeedsNoNewline() throws {
        let csv = try CSVTable(data: Data([0xEF, 0xBB, 0xBF] + Array("path,label\nx.png,a".utf8)), source: "m.csv")
        #expect(csv.header == ["path", "label"])
        #expect(csv.rows == [["x.png", "a"]])
        #expect(csv.column("label") == 1)
    }

    @Test func anUnterminatedQuoteNamesTheFileAndLine() throws {
        let error = #expect(throws: DataSourceError.self) { try table("path,label\nx.png,a\n\"y.png,b\nz.png,c\n") }
        #expect(error?.file == "m.csv")
        #expect(error?.location == "line 3")
        #expect(error?.description.contains("unterminated quote") == true)
    }

    @Test func aRowWithTheWrongNumberOfFieldsIsNamed() throws {
        let error = #expect(throws: DataSourceError.self) { try table("path,label\nx.png,a\ny.png,b,extra\n") }
        #expect(error?.location == "line 3")
        #expect(error?.description.contains("row has 3 fields, the header has 2") == true, "\(String(describing: error))")
    }

    @Test func textAfterAClosingQuoteAndDuplicateColumnsAreErrors() throws {
        let after = #expect(throws: DataSourceError.self) { try table("path\n\"x\"y\n") }
        #expect(after?.location == "line 2")
        let twice = #expect(throws: DataSourceError.self) { try table("path,path\nx,y\n") }
        #expect(twice?.description.contains("column 'path' appears twice") == true)
        #expect(throws: DataSourceError.self) { try table("") }
    }
}

@Suite struct CSVManifestTests {
    /// A tree with images a.png … f.png under scans/ and the manifest `text` as data.csv.
    func manifest(_ text: String) throws -> (TemporaryTree, URL) {
        let tree = try TemporaryTree()
        for name in ["a", "b", "c", "d", "e", "f"] { try tree.image("scans/\(name).png") }
        return (tree, try tree.text("data.csv", text))
    }

    func failure(_ text: String, _ options: CSVManifestDataset.Options = .init()) throws -> DataSourceError? {
        let (tree, url) = try manifest(text)
        let error = #expect(throws: DataSourceError.self) { try CSVManifestDataset(contentsOf: url, options: options) }
        #expect(error?.file == url.path)
        _ = tree
        return error
    }

    @Test func singleLabelClassesAreSortedAndPathsRelativeToTheCSV() throws {
        let (tree, url) = try manifest("path,label,patient\nscans/a.png,pneumonia,p1\nscans/b.png,normal,\nscans/c.png,normal,p1\n")
        let dataset = try CSVManifestDataset(contentsOf: url, options: .init(patientColumn: "patient"))
        #expect(dataset.classNames == ["normal", "pneumonia"])
        #expect(dataset.task == .binary)
        #expect((0..<3).map { dataset.labels($0) } == [[1], [0], [0]])
        #expect((0..<3).map(dataset.sampleID) == ["scans/a.png", "scans/b.png", "scans/c.png"])
        #expect((0..<3).map(dataset.patientID) == ["p1", nil, "p1"])
        #expect(try dataset.image(0).width == 5)
        #expect(dataset.source == url.path)
        _ = tree
    }

    @Test func explicitClassesFixTheOrderAndOrdinalMarksTheTask() throws {
        let (tree, url) = try manifest("file,grade\nscans/a.png,mild\nscans/b.png,none\n")
        let options = CSVManifestDataset.Options(pathColumn: "file", labels: .single("grade"),
                                                 classNames: ["none", "mild", "severe"], ordinal: true)
        let dataset = try CSVManifestDataset(contentsOf: url, options: options)
        #expect(dataset.classNames == ["none", "mild", "severe"])
        #expect(dataset.task == .ordinal)
        #expect((0..<2).map { dataset.labels($0) } == [[1], [0]])
        _ = tree
    }

    @Test func unknownClassNamesRowColumnValueAndTheClasses() throws {
        let error = try failure("path,label\nscans/a.png,none\nscans/b.png,modrate\n",
                                .init(classNames: ["none", "moderate"]))
        #expect(error?.location == "line 3, column 'label'")
        let text = error?.description ?? ""
        #expect(text.contains("unknown class 'modrate'") && text.contains("'none', 'moderate'"), "\(text)")
    }

    @Test func multiLabelColumnsAreClasses() throws {
        let (tree, url) = try manifest("path,effusion,mass,nodule\nscans/a.png,1,0,yes\nscans/b.png,false,TRUE,0\n")
        let dataset = try CSVManifestDataset(contentsOf: url, options: .init(labels: .multiple(["effusion", "mass", "nodule"])))
        #expect(dataset.task == .multiLabel)
        #expect(dataset.classNames == ["effusion", "mass", "nodule"])
        #expect(dataset.labels(0) == [1, 0, 1])
        #expect(dataset.labels(1) == [0, 1, 0])
        _ = tree
    }

    @Test func aBadMultiLabelValueNamesRowAndColumn() throws {
        let error = try failure("path,effusion,mass\nscans/a.png,1,0\nscans/b.png,0,maybe\n",
                                .init(labels: .multiple(["effusion", "mass"])))
        #expect(error?.location == "line 3, column 'mass'")
        #expect(error?.description.contains("'maybe' is not a 0/1 label") == true)
    }

    @Test func aMissingColumnListsTheHeader() throws {
        let error = try failure("file,label\nscans/a.png,x\n")
        let text = error?.description ?? ""
        #expect(text.contains("no column 'path'") && text.contains("'file', 'label'"), "\(text)")
        let patient = try failure("path,label\nscans/a.png,x\nscans/b.png,y\n", .init(patientColumn: "subject"))
        #expect(patient?.description.contains("no column 'subject' (the patient column option)") == true)
    }

    @Test func aMissingFileNamesRowPathAndTheRootOption() throws {
        let error = try failure("path,label\nscans/a.png,x\nscans/missing.png,y\n")
        #expect(error?.location == "line 3, column 'path'")
        let text = error?.description ?? ""
        #expect(text.contains("'scans/missing.png' does not exist") && text.contains("root option"), "\(text)")
    }

    @Test func theRootOptionAndAbsolutePaths() throws {
        let (tree, _) = try manifest("")
        let absolute = tree.root.appendingPathComponent("scans/b.png").path
        let url = try tree.text("lists/data.csv", "path,label\na.png,x\n\(absolute),y\n")
        let dataset = try CSVManifestDataset(contentsOf: url, options: .init(root: tree.root.appendingPathComponent("scans")))
        #expect(dataset.urls[0].path.hasSuffix("scans/a.png"))
        #expect(dataset.sampleID(1) == absolute)
        #expect(throws: DataSourceError.self) { try CSVManifestDataset(contentsOf: url) }  // a.png is not in lists/
    }

    /// The path rule of docs/security.md: a manifest's images lie inside its root; `..` and absolute paths
    /// that leave it are refused (even when the file exists) unless the user names a root that holds them.
    @Test func pathsThatLeaveTheRootAreRefusedUnlessTheRootHoldsThem() throws {
        let (tree, _) = try manifest("")
        let lists = tree.root.appendingPathComponent("lists")
        let outside = tree.root.appendingPathComponent("scans/b.png").path
        for path in ["../scans/b.png", "sub/../../scans/b.png", outside, "../../../../../../../../etc/passwd"] {
            let url = try tree.text("lists/data.csv", "path,label\n\(path),y\nscans/a.png,x\n")
            let error = #expect(throws: DataSourceError.self) { try CSVManifestDataset(contentsOf: url) }
            let text = error?.description ?? ""
            #expect(text.contains("lies outside the manifest's root \(lists.standardizedFileURL.path)") && text.contains("--image-root"),
                    "\(path): \(text)")
        }
        // `..` that stays inside the root is fine; a root holding the images allows their absolute paths.
        let url = try tree.text("lists/data.csv", "path,label\nlists/../scans/a.png,x\n\(outside),y\n")
        let dataset = try CSVManifestDataset(contentsOf: url, options: .init(root: tree.root.appendingPathComponent("lists/..")))
        #expect(dataset.count == 2)
        let absolute = try tree.text("lists/data.csv", "path,label\n\(outside),y\n\(tree.root.path)/scans/a.png,x\n")
        #expect(try CSVManifestDataset(contentsOf: absolute, options: .init(root: URL(fileURLWithPath: "/"))).count == 2)
    }

    @Test func theSplitColumnGivesTheSplits() throws {
        let (tree, url) = try manifest("""
            path,label,split
            scans/a.png,x,train
            scans/b.png,y,Train
            scans/c.png,x,val
            scans/d.png,y,VALIDATION
            scans/e.png,x,test
            scans/f.png,y,train

            """)
        let dataset = try CSVManifestDataset(contentsOf: url, options: .init(splitColumn: "split"))
        let result = try dataset.splitResult()
        #expect((0..<result.splits.train.count).map(result.splits.train.sampleID) == ["scans/a.png", "scans/b.png", "scans/f.png"])
        #expect(result.splits.validation.count == 2)
        #expect(result.splits.test.count == 1)
        #expect(result.report.test.perClass == [1, 0])
        #expect(result.report.warnings == ["class 'y' has no samples in the test split"])
        _ = tree
    }

    @Test func aPatientInTwoSplitsOfTheSplitColumnIsAWarning() throws {
        let (tree, url) = try manifest(
            "path,label,split,patient\nscans/a.png,x,train,p1\nscans/b.png,y,val,p2\nscans/c.png,x,test,p1\nscans/d.png,y,test,\n")
        let dataset = try CSVManifestDataset(contentsOf: url, options: .init(splitColumn: "split", patientColumn: "patient"))
        let warnings = try dataset.splitResult().report.warnings
        #expect(warnings.contains { $0.hasPrefix("patient 'p1' is in the train and test splits") }, "\(warnings)")
        #expect(!warnings.contains { $0.contains("'p2'") })
        _ = tree
    }

    @Test func anUnknownSplitOrAnEmptySplitIsAnError() throws {
        let error = try failure("path,label,split\nscans/a.png,x,train\nscans/b.png,y,dev\n", .init(splitColumn: "split"))
        #expect(error?.location == "line 3, column 'split'")
        #expect(error?.description.contains("unknown split 'dev'") == true)
        let (tree, url) = try manifest("path,label,split\nscans/a.png,x,train\nscans/b.png,y,test\n")
        let dataset = try CSVManifestDataset(contentsOf: url, options: .init(splitColumn: "split"))
        let empty = #expect(throws: DataSourceError.self) { try dataset.splits() }
        #expect(empty?.description.contains("no rows are marked for validation") == true)
        _ = tree
    }

    @Test func withoutASplitColumnTheSplitterSplitsBySeed() throws {
        let rows = ["a", "b", "c", "d", "e", "f"].enumerated().map { "scans/\($1).png,\($0 % 2 == 0 ? "x" : "y")" }
        let (tree, url) = try manifest("path,label\n" + rows.joined(separator: "\n"))
        let dataset = try CSVManifestDataset(contentsOf: url)
        let splits = try dataset.splits(fractions: SplitFractions(train: 0.5, validation: 0.25, test: 0.25), seed: 3)
        #expect(splits.train.count + splits.validation.count + splits.test.count == 6)
        #expect(splits.validation.count >= 1 && splits.test.count >= 1)
        _ = tree
    }

    @Test func emptyLabelsAndOneClassAreErrors() throws {
        let empty = try failure("path,label\nscans/a.png,\nscans/b.png,x\n")
        #expect(empty?.location == "line 2, column 'label'")
        let one = try failure("path,label\nscans/a.png,x\nscans/b.png,x\n")
        #expect(one?.description.contains("classification needs at least two") == true)
    }
}
