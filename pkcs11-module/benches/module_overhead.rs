//! What kyso's PKCS#11 module costs on top of the token: signatures per second through
//! `libkyso_pkcs11.so`, through SoftHSM directly, and through p11-kit's proxy (the reference
//! proxy), RSA-2048 (`CKM_RSA_PKCS`, `CKM_SHA256_RSA_PKCS`) and ECDSA P-256, 1 and 2 threads;
//! and start-up (`dlopen` + `C_Initialize` + `C_GetSlotList` + `C_Finalize`).
//!
//! Each measurement runs in a child process (SoftHSM reads its configuration once per process,
//! and one module's `C_Finalize` must not tear down another's), and the backends alternate
//! within each round so machine noise hits them alike. Run:
//!
//! ```text
//! cargo bench -p kyso-pkcs11 --bench module_overhead            # 5 rounds
//! KYSO_BENCH_ROUNDS=9 KYSO_BENCH_SIGNATURES=400 cargo bench -p kyso-pkcs11 --bench module_overhead
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const P11KIT_PROXY: &str = "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so";
const PIN: &str = "123456";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn kyso_module() -> PathBuf {
    // benches run from target/release/deps; the cdylib sits in target/release.
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("libkyso_pkcs11.so")
}

/// Child: sign `n` times per thread and print signatures per second.
fn child_sign(module: &str, mech: &str, threads: usize, n: usize) {
    let ctx = Pkcs11::new(module).unwrap();
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| {
            ctx.get_token_info(*s)
                .is_ok_and(|t| t.label().trim() == "kyso-test")
        })
        .expect("fixture token");
    let login = ctx.open_ro_session(slot).unwrap();
    login
        .login(UserType::User, Some(&AuthPin::from(PIN)))
        .unwrap();
    // Mechanism holds raw pointers (not Sync): each thread makes its own.
    let mechanism = || match mech {
        "rsa-pkcs" => Mechanism::RsaPkcs,
        "sha256-rsa-pkcs" => Mechanism::Sha256RsaPkcs,
        _ => Mechanism::Ecdsa,
    };
    let (id, input): (u8, Vec<u8>) = match mech {
        "rsa-pkcs" => (1, kyso::HashAlg::Sha256.digest_info(&[7; 32]).unwrap()),
        "sha256-rsa-pkcs" => (1, vec![7; 1000]),
        _ => (3, vec![7; 32]),
    };
    let key = login
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(vec![id]),
        ])
        .unwrap()[0];
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let session = ctx.open_ro_session(slot).unwrap();
                let mechanism = mechanism();
                for _ in 0..n {
                    session.sign(&mechanism, key, &input).unwrap();
                }
            });
        }
    });
    let rate = (threads * n) as f64 / start.elapsed().as_secs_f64();
    println!("{rate}");
}

/// Child: one start-up, in microseconds.
fn child_startup(module: &str) {
    let start = Instant::now();
    let ctx = Pkcs11::new(module).unwrap();
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let _ = ctx.get_all_slots().unwrap();
    ctx.finalize().unwrap();
    println!("{}", start.elapsed().as_micros());
}

fn run_child(fixture: &Path, kyso_toml: &Path, args: &[String]) -> f64 {
    let out = Command::new(std::env::current_exe().unwrap())
        .env("KYSO_BENCH_CHILD", "1")
        .env("SOFTHSM2_CONF", fixture.join("softhsm2.conf"))
        .env("KYSO_CONFIG", kyso_toml)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn median_spread(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if std::env::var_os("KYSO_BENCH_CHILD").is_some() {
        match args[0].as_str() {
            "sign" => child_sign(
                &args[1],
                &args[2],
                args[3].parse().unwrap(),
                args[4].parse().unwrap(),
            ),
            _ => child_startup(&args[1]),
        }
        return;
    }
    let rounds: usize = std::env::var("KYSO_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let n: usize = std::env::var("KYSO_BENCH_SIGNATURES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let kyso = kyso_module();
    assert!(
        kyso.exists(),
        "build the module first: cargo build --release -p kyso-pkcs11"
    );
    let tmp = tempfile::tempdir().unwrap();
    let fixture = tmp.path().join("fx");
    let st = Command::new("bash")
        .arg(repo().join("tests/fixtures/make-softhsm-token.sh"))
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(st.status.success());
    let kyso_toml = fixture.join("kyso.toml");
    std::fs::write(&kyso_toml, format!("[[module]]\npath = \"{SOFTHSM}\"\n")).unwrap();
    let mut backends = vec![
        ("softhsm", SOFTHSM.to_owned()),
        ("kyso", kyso.display().to_string()),
    ];
    if Path::new(P11KIT_PROXY).exists() {
        backends.push(("p11-kit-proxy", P11KIT_PROXY.to_owned()));
    }
    println!(
        "machine: {} cores, load average {}; {rounds} rounds, {n} signatures per thread per run\n",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "| mechanism | threads | backend | signatures/s (median, min–max) | time ratio to direct, per round (median, min–max) |"
    );
    println!("|---|---|---|---|---|");
    for mech in ["rsa-pkcs", "sha256-rsa-pkcs", "ecdsa-p256"] {
        for threads in [1, 2] {
            let mut rates: Vec<Vec<f64>> = vec![Vec::new(); backends.len()];
            // The order rotates every round, so no backend always runs first or last.
            for round in 0..rounds {
                for k in 0..backends.len() {
                    let i = (k + round) % backends.len();
                    let a = vec![
                        "sign".into(),
                        backends[i].1.clone(),
                        mech.into(),
                        threads.to_string(),
                        n.to_string(),
                    ];
                    rates[i].push(run_child(&fixture, &kyso_toml, &a));
                }
            }
            for (i, (name, _)) in backends.iter().enumerate() {
                // Cost ratio: time per signature relative to SoftHSM direct in the same round
                // (1.00 = free), so a slow moment of the machine hits both sides of a ratio.
                let ratios: Vec<f64> = rates[0].iter().zip(&rates[i]).map(|(d, r)| d / r).collect();
                let (med, lo, hi) = median_spread(rates[i].clone());
                let (rm, rlo, rhi) = median_spread(ratios);
                println!(
                    "| {mech} | {threads} | {name} | {med:.0} ({lo:.0}–{hi:.0}) | {rm:.3} ({rlo:.3}–{rhi:.3}) |"
                );
            }
        }
    }
    println!(
        "\n| start-up: dlopen + C_Initialize + C_GetSlotList + C_Finalize | token | µs (median, min–max) |"
    );
    println!("|---|---|---|");
    let mut startup = backends.clone();
    startup.push((
        "opensc",
        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so".into(),
    ));
    // No token: SoftHSM (directly, or behind kyso or p11-kit) with an empty token directory.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(empty.join("tokens")).unwrap();
    std::fs::write(
        empty.join("softhsm2.conf"),
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            empty.join("tokens").display()
        ),
    )
    .unwrap();
    for (label, dir) in [("one", &fixture), ("none", &empty)] {
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); startup.len()];
        for round in 0..rounds.max(5) {
            for k in 0..startup.len() {
                let i = (k + round) % startup.len();
                times[i].push(run_child(
                    dir,
                    &kyso_toml,
                    &["startup".into(), startup[i].1.clone()],
                ));
            }
        }
        for (i, (name, _)) in startup.iter().enumerate() {
            let (med, lo, hi) = median_spread(times[i].clone());
            println!("| {name} | {label} | {med:.0} ({lo:.0}–{hi:.0}) |");
        }
    }
}
