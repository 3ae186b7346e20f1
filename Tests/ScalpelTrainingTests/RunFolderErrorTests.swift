// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelTraining

/// Run-folder and divergence errors of issue 14 that name the cause and the fix.
@Suite struct RunFolderErrorTests {
    @Test func outputPathUnderAFileIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-runfolder-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("notes.txt")
        try Data("x".utf8).write(to: file)
        let error = #expect(throws: TrainingError.self) {
            try RunFolder.createFolder(file.appendingPathComponent("run/checkpoints"), purpose: "the run folder")
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("notes.txt is a file, not a folder") && !text.contains("NSCocoaErrorDomain"), "\(text)")
        try RunFolder.createFolder(folder.appendingPathComponent("a/b"), purpose: "the run folder")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("a/b").path))
    }

    @Test func divergenceNamesEpochRateAndOnlyExistingCheckpoints() throws {
        let folder = RunFolder(FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-diverged-\(getpid())"))
        let text = "\(TrainingError.divergence("the training loss became nan", epoch: 1, batch: 3, learningRates: [1e30], folder: folder))"
        #expect(text.contains("epoch 1, batch 3") && text.contains("1e+30") && text.contains("--lr 1e+29"), "\(text)")
        #expect(text.contains("no checkpoint") && !text.contains("last.safetensors"), "\(text)")
    }
}
