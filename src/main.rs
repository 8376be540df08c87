fn main() -> std::process::ExitCode {
    match setad::cli::main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("setad: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
