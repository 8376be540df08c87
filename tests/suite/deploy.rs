//! The systemd unit in `deploy/` passes `systemd-analyze verify` with no complaint at all (an
//! unknown or misspelt setting is only a warning there, so any output fails the test), and
//! keeps the hardening it promises. The test shows as ignored where `systemd-analyze` was not
//! on the `PATH` at build time (`build.rs` turns on `cfg(setad_systemd_analyze)`), never as
//! passed without it.

use std::path::Path;
use std::process::Command;

fn unit() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/setad.service"))
        .expect("read deploy/setad.service")
}

/// The unit with its binary path pointed at the binary this build made, which verify wants to
/// exist and be executable.
fn unit_with_built_binary(dir: &Path) -> std::path::PathBuf {
    let text = unit().replace("/usr/local/bin/setad", env!("CARGO_BIN_EXE_setad"));
    let path = dir.join("setad.service");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
#[cfg_attr(
    not(setad_systemd_analyze),
    ignore = "systemd-analyze was not on the PATH at build time"
)]
fn the_service_unit_passes_systemd_analyze_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = unit_with_built_binary(dir.path());
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze was on the PATH at build time but cannot be run now");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "systemd-analyze verify failed:\n{said}"
    );
    assert_eq!(said.trim(), "", "systemd-analyze verify complained");
}

#[test]
fn the_unit_runs_as_its_own_user_with_the_promised_settings() {
    let unit = unit();
    let settings: Vec<&str> = unit
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .collect();
    for wanted in [
        "User=setad",
        "StateDirectory=setad",
        "EnvironmentFile=/etc/setad/setad.env",
        "ExecStartPre=/usr/local/bin/setad check --offline",
        "ExecStart=/usr/local/bin/setad run",
        "Restart=on-failure",
        "RestartSec=10s",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectKernelLogs=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "SystemCallFilter=@system-service",
        "CapabilityBoundingSet=",
        "LockPersonality=yes",
        "MemoryDenyWriteExecute=yes",
        "RestrictNamespaces=yes",
    ] {
        assert!(settings.contains(&wanted), "{wanted} is not in the unit");
    }
    assert!(
        !settings.iter().any(|s| s.starts_with("DynamicUser=")),
        "the unit's comment argues for a static user"
    );
}
