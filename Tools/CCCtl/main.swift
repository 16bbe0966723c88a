// ccctl: the operator's view of a call-center deployment, against any Kafka cluster. `ccctl --help` lists the
// commands, `ccctl help COMMAND` explains each option.
import ArgumentParser
import Foundation

/// Runs the async `run()` of a parsed subcommand (on an existential the compiler picks the synchronous one, which
/// only prints the help).
func runAsync<Command: AsyncParsableCommand>(_ command: Command) async throws {
    var command = command
    try await command.run()
}

do {
    var command = try CCCtl.parseAsRoot()
    if let asyncCommand = command as? any AsyncParsableCommand {
        try await runAsync(asyncCommand)
    } else {
        try command.run()
    }
} catch {
    let code = CCCtl.exitCode(for: error)
    let message = CCCtl.fullMessage(for: error)
    if code == .success {
        if !message.isEmpty { out(message) }
        exit(0)
    }
    if !message.isEmpty { FileHandle.standardError.write(Data("ccctl: \(message)\n".utf8)) }
    // Usage errors exit 2, as they always did (scripts test for it); others keep their code.
    exit(code == .validationFailure ? 2 : code.rawValue)
}
