//! Compile-time behaviour of `network!`: each program under `tests/ui/fail`
//! must fail to build with exactly the errors in its `.stderr` file, and each
//! program under `tests/ui/pass` must build and run.
//!
//! Regenerate the expected errors with `TRYBUILD=overwrite cargo test --test ui`
//! and review every changed `.stderr` before committing it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Mask files that the UI programs name, relative to the package root.
const MASK_DIRECTORIES: [&str; 2] = ["tests/ui/pass/masks", "tests/ui/fail/masks"];

#[test]
fn network_macro_ui() {
    copy_mask_files();
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}

/// Copies the mask files into the crate that trybuild generates.
///
/// `file("...")` paths are relative to `CARGO_MANIFEST_DIR`, and trybuild
/// compiles the UI programs as a crate of its own in
/// `<target directory>/tests/trybuild/<package name>`, so a path that works
/// from the package root works there only if the files are copied alongside.
// NOTE: that directory is where trybuild 1.0 puts its crate, not a documented
// interface; if it moves, the mask-file cases fail with "cannot be read".
fn copy_mask_files() {
    let package_root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let trybuild_crate = target_directory()
        .join("tests")
        .join("trybuild")
        .join(env!("CARGO_PKG_NAME"));
    for directory in MASK_DIRECTORIES {
        let source = package_root.join(directory);
        let destination = trybuild_crate.join(directory);
        fs::create_dir_all(&destination)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", destination.display()));
        let entries = fs::read_dir(&source)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", source.display()));
        for entry in entries {
            let path = entry.expect("a readable directory entry").path();
            let target = destination.join(path.file_name().expect("a file name"));
            fs::copy(&path, &target).unwrap_or_else(|e| {
                panic!(
                    "cannot copy {} to {}: {e}",
                    path.display(),
                    target.display()
                )
            });
        }
    }
}

/// Runs `cargo metadata` and returns the target directory, which trybuild
/// builds in too.
fn target_directory() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("`cargo metadata` runs");
    assert!(
        output.status.success(),
        "`cargo metadata` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata = String::from_utf8(output.stdout).expect("`cargo metadata` prints UTF-8");
    let key = "\"target_directory\":\"";
    let start = metadata
        .find(key)
        .map(|index| index + key.len())
        .expect("`cargo metadata` reports `target_directory`");
    let length = metadata[start..]
        .find('"')
        .expect("`target_directory` is a JSON string");
    // NOTE: JSON escapes are not decoded, so a target directory whose path
    // contains `"` or `\` is not found.
    PathBuf::from(&metadata[start..start + length])
}
