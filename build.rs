//! Turns on `cfg(setad_postgres)` when `SETAD_TEST_POSTGRES_URL` is set, so the PostgreSQL
//! tests run; without it they show as ignored in the test summary instead of passing unseen.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(setad_postgres)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=SETAD_TEST_POSTGRES_URL");
    if std::env::var_os("SETAD_TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=setad_postgres");
    }
}
