// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TorchTestSupport
@testable import ScalpelData

/// The unclear errors of issue 14, now naming the cause and the fix.
@Suite(.serialized) struct ClearErrorTests {
    let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-clear-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        Issue.record("no error thrown")
        return ""
    }

    @Test func fifoAndDevicesNamedLikeImagesAreNamedForWhatTheyAre() throws {
        let fifo = folder.appendingPathComponent("pipe.png")
        try? FileManager.default.removeItem(at: fifo)
        #expect(mkfifo(fifo.path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(at: fifo) }
        // Would block forever reading a FIFO with no writer.
        let pipe = message { _ = try ImageDecoder.decode(contentsOf: fifo) }
        #expect(pipe.contains("pipe.png") && pipe.contains("FIFO"), "\(pipe)")
        // Would fill memory reading /dev/zero.
        let zero = message { _ = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: "/dev/zero")) }
        #expect(zero.contains("/dev/zero") && zero.contains("device"), "\(zero)")
        let dicom = message { _ = try DicomDecoder.decode(contentsOf: URL(fileURLWithPath: "/dev/zero")) }
        #expect(dicom.contains("device"), "\(dicom)")
        let missing = message { _ = try ImageDecoder.decode(contentsOf: folder.appendingPathComponent("absent.png")) }
        #expect(missing.contains("does not exist"), "\(missing)")
    }

    @Test func csvLabelsDifferingOnlyInCaseAreNamed() throws {
        let csv = folder.appendingPathComponent("case.csv")
        try Data("path,label\n1.png,A\n2.png,a\n3.png,B\n".utf8).write(to: csv)
        for name in ["1.png", "2.png", "3.png"] { FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data()) }
        let text = message { _ = try CSVManifestDataset(contentsOf: csv) }
        #expect(text.contains("case.csv") && text.contains("'A' and 'a'") && text.contains("letter case"), "\(text)")
    }

    @Test func csvWriterQuotesWhatRFC4180RequiresAndReadsBack() throws {
        let rows = [["path", "p_a,b"], ["scan\nwith newline.png", "say \"hi\""], [" padded ", "plain"]]
        let text = CSVWriter.document(rows)
        #expect(text == "path,\"p_a,b\"\n\"scan\nwith newline.png\",\"say \"\"hi\"\"\"\n\" padded \",plain\n")
        let table = try CSVTable(data: Data(text.utf8), source: "written.csv")
        #expect(table.header == rows[0] && table.rows == Array(rows.dropFirst()))
    }
}
