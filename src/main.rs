fn main() -> std::process::ExitCode {
    dropspace::cli::main()
}
