fn main() -> std::process::ExitCode {
    match setad::cli::main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("setad: {}", setad::cli::error_text(&e));
            std::process::ExitCode::FAILURE
        }
    }
}
