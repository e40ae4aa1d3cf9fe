import ArgumentParser

@main
struct Quench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "quench", version: "0.1.0")
}
