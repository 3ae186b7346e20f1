// Scalpel — the command-line tool
// SPDX-License-Identifier: Apache-2.0
import ScalpelCommands

@main
struct Scalpel {
    static func main() {
        RootCommand.runMain()
    }
}
