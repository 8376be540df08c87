//! Turns on `cfg(setad_postgres)` when `SETAD_TEST_POSTGRES_URL` is set, so the PostgreSQL
//! tests run; without it they show as ignored in the test summary instead of passing unseen.
//! Likewise `cfg(setad_systemd_analyze)` when `systemd-analyze` is on the `PATH`, for the test
//! that verifies the service unit (`tests/deploy.rs`).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(setad_postgres)");
    println!("cargo::rustc-check-cfg=cfg(setad_systemd_analyze)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=SETAD_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-env-changed=PATH");
    if std::env::var_os("SETAD_TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=setad_postgres");
    }
    let on_path = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| dir.join("systemd-analyze").is_file())
    });
    if on_path {
        println!("cargo::rustc-cfg=setad_systemd_analyze");
    }
}
