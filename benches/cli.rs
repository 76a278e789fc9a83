//! The `kyso` command end to end against `pkcs11-tool --sign`, RSA-2048 key 01 on the SoftHSM
//! fixture token, PKCS#1 v1.5 with SHA-256: one signature (one process each), and 100
//! signatures — `kyso sign` on 100 files in one process with one login, against 100
//! `pkcs11-tool` processes (it signs one input per run). The two alternate every round.
//!
//! ```text
//! cargo bench --bench cli
//! KYSO_BENCH_ROUNDS=9 cargo bench --bench cli
//! ```

#[path = "util/mod.rs"]
mod util;

use std::path::{Path, PathBuf};

use util::*;

fn kyso_sign(fx: &Fixture, out: &Path, files: &[PathBuf]) -> f64 {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).unwrap();
    timed(
        fx.kyso()
            .args([
                "sign",
                "--format",
                "raw",
                "--key-id",
                "01",
                "--algorithm",
                "rsa-pkcs1-sha256",
            ])
            .arg("--pin-file")
            .arg(fx.pin_file())
            .arg("--out-dir")
            .arg(out)
            .args(files),
    )
}

fn pkcs11_tool_sign(fx: &Fixture, out: &Path, files: &[PathBuf]) -> f64 {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).unwrap();
    let mut total = 0.0;
    for f in files {
        total += timed(
            fx.command("pkcs11-tool")
                .args([
                    "--module",
                    SOFTHSM,
                    "--token-label",
                    "kyso-test",
                    "--login",
                    "--pin",
                    PIN,
                ])
                .args([
                    "--sign",
                    "--mechanism",
                    "SHA256-RSA-PKCS",
                    "--id",
                    "01",
                    "--input-file",
                ])
                .arg(f)
                .arg("--output-file")
                .arg(out.join(f.file_name().unwrap())),
        );
    }
    total
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rounds = env_usize("KYSO_BENCH_ROUNDS", 5);
    println!("machine: {}; {rounds} rounds\n", machine());
    let fx = Fixture::new();
    let docs = fx.tmp.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let files: Vec<PathBuf> = (0..100)
        .map(|i| {
            let p = docs.join(format!("cong-van-{i:03}.txt"));
            std::fs::write(&p, format!("Công văn số {i}/2025\n").repeat(200)).unwrap();
            p
        })
        .collect();
    let out = fx.tmp.path().join("out");
    let (mut k1, mut p1, mut k100, mut p100, mut r1, mut r100) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        let a = kyso_sign(&fx, &out, &files[..1]);
        let b = pkcs11_tool_sign(&fx, &out, &files[..1]);
        let c = kyso_sign(&fx, &out, &files);
        let d = pkcs11_tool_sign(&fx, &out, &files);
        k1.push(a * 1e3);
        p1.push(b * 1e3);
        k100.push(c * 1e3);
        p100.push(d * 1e3);
        r1.push(a / b);
        r100.push(c / d);
    }
    println!("| signatures | `kyso sign` ms (median, min–max) | `pkcs11-tool --sign` ms | time ratio kyso / pkcs11-tool |");
    println!("|---|---|---|---|");
    println!(
        "| 1 | {} | {} | {} |",
        fmt(&k1, 1),
        fmt(&p1, 1),
        fmt(&r1, 2)
    );
    println!(
        "| 100 (kyso: one process, one login; pkcs11-tool: 100 runs) | {} | {} | {} |",
        fmt(&k100, 0),
        fmt(&p100, 0),
        fmt(&r100, 3)
    );
    println!("\nload average after: {}", machine());
}
