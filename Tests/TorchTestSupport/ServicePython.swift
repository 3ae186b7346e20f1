// Scalpel — TorchTestSupport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The Python that tests use to read what Scalpel writes with reference tools (the `tensorboard`
/// package, Selenium): `.deps/test-python` (made by `scripts/services/python-readers`), else the anchor
/// env `.deps/python`. Tests that need it skip with a notice when it is missing, and fail under `CI=true`.
public enum ServicePython {
    /// Whether the tests run in CI, where a missing service is a failure, not a skip.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The package root (the folder holding Package.swift) above `filePath`.
    public static func packageRoot(filePath: String = #filePath) -> URL? {
        var url = URL(fileURLWithPath: filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return nil
    }

    /// The first interpreter that imports every module in `modules`, or nil.
    public static func interpreter(importing modules: [String], filePath: String = #filePath) -> URL? {
        guard let root = packageRoot(filePath: filePath) else { return nil }
        for env in [".deps/test-python", ".deps/python"] {
            let python = root.appendingPathComponent(env).appendingPathComponent("bin/python")
            guard FileManager.default.isExecutableFile(atPath: python.path) else { continue }
            let check = modules.map { "import \($0)" }.joined(separator: "; ")
            if let result = try? run(python, ["-c", check]), result.status == 0 { return python }
        }
        return nil
    }

    /// Runs `python arguments…` to completion; stdout and stderr as text.
    public static func run(_ python: URL, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = python
        process.arguments = arguments
        // stderr goes to a file and stdout to a pipe read to its end, so neither can block the process.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-python-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), errors)
    }
}
