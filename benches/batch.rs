//! Batch signing with the `kyso` command against the token's bare signing rate, peak memory
//! against file size, and hashing throughput against `openssl speed`.
//!
//! - batch: F files (default 1,000; sizes log-uniform 10 KB–10 MB, the same every run) signed
//!   as CMS and, as PDFs of the same sizes, as PAdES, by `kyso sign` (one process, one login,
//!   RSA-2048 key 01, rsa-pkcs1-sha256) — against the token's bare rate: `C_Sign`
//!   (`CKM_RSA_PKCS` over a DigestInfo) in a loop with the same key, measured in alternation
//!   with the batches so machine load hits both alike.
//! - memory: peak RSS of `kyso sign --format cms` on a 1 MiB and on a 1 GiB file (sparse,
//!   temporary), and of `--format pades` on a 1 MB and a 10 MB PDF.
//! - hashing: kyso's streamed SHA-256 (64 KiB reads, what `kyso sign` does per file) against
//!   `openssl speed -evp sha256 -bytes 16384`, alternating.
//!
//! ```text
//! cargo bench --bench batch
//! KYSO_BENCH_ROUNDS=5 KYSO_BENCH_FILES=200 cargo bench --bench batch
//! ```
//! Needs GNU time (`/usr/bin/time`, Debian package `time`) for peak RSS.

#[path = "util/mod.rs"]
mod util;

#[path = "../tests/common/sparse_pdf.rs"]
mod sparse_pdf;

use std::io::Write;
use std::path::{Path, PathBuf};

use util::*;

/// Sizes log-uniform between 10 KB and 10 MB.
fn sizes(n: usize) -> Vec<usize> {
    let mut rng = Lcg(8);
    (0..n)
        .map(|_| (10_000f64 * 1000f64.powf(rng.unit())) as usize)
        .collect()
}

fn write_plain(path: &Path, size: usize, seed: u64) {
    let mut rng = Lcg(seed);
    let block: Vec<u8> = (0..65536).map(|_| rng.next() as u8).collect();
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut left = size;
    while left > 0 {
        let n = left.min(block.len());
        f.write_all(&block[..n]).unwrap();
        left -= n;
    }
}

/// A one-page PDF of about `size` bytes (the page's content stream is padded with comments).
pub fn write_pdf(path: &Path, size: usize) {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let mut obj = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    obj(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    obj(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    obj(
        &mut out,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    );
    let mut content = b"BT /F1 12 Tf 72 770 Td (Quyet dinh so 1) Tj ET\n".to_vec();
    let line = b"% lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod\n";
    while content.len() + line.len() < size.saturating_sub(600) {
        content.extend_from_slice(line);
    }
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(&content);
    stream.extend_from_slice(b"\nendstream");
    obj(&mut out, &stream);
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    std::fs::write(path, out).unwrap();
}

fn sign_cmd(
    fx: &Fixture,
    format: &str,
    out_dir: &Path,
    inputs: &[PathBuf],
) -> std::process::Command {
    sign_cmd_with(fx.kyso(), fx, format, out_dir, inputs)
}

/// `sign_cmd` run by another `kyso` binary (`KYSO_BENCH_BEFORE`: an earlier build, measured in
/// the same run for a before/after comparison).
fn sign_cmd_with(
    mut c: std::process::Command,
    fx: &Fixture,
    format: &str,
    out_dir: &Path,
    inputs: &[PathBuf],
) -> std::process::Command {
    c.args([
        "sign",
        "--format",
        format,
        "--key-id",
        "01",
        "--algorithm",
        "rsa-pkcs1-sha256",
    ])
    .arg("--pin-file")
    .arg(fx.pin_file())
    .arg("--out-dir")
    .arg(out_dir)
    .args(inputs);
    c
}

fn fresh(dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    dir.to_owned()
}

fn batch(fx: &Fixture, rounds: usize, files: usize) {
    let work = fx.tmp.path();
    let sizes = sizes(files);
    let total: usize = sizes.iter().sum();
    let plain = fresh(&work.join("plain"));
    let pdfs = fresh(&work.join("pdf"));
    let small = fresh(&work.join("small"));
    for (i, &s) in sizes.iter().enumerate() {
        write_plain(&plain.join(format!("f{i:04}.bin")), s, i as u64);
        write_pdf(&pdfs.join(format!("f{i:04}.pdf")), s);
        write_plain(&small.join(format!("s{i:04}.bin")), 10_000, i as u64);
    }
    let bare = Bare::new(fx);
    bare.rate(50); // warm up
    println!(
        "### batch: {files} files, {:.0} MB in all (10 KB–10 MB, log-uniform), RSA-2048 key 01, rsa-pkcs1-sha256\n",
        total as f64 / 1e6
    );
    let (mut cms, mut pades, mut bare_rates) = (Vec::new(), Vec::new(), Vec::new());
    let (mut cms_ratio, mut pades_ratio) = (Vec::new(), Vec::new());
    let (mut small_rate, mut small_ratio) = (Vec::new(), Vec::new());
    let (mut small_shm_rate, mut small_shm_ratio) = (Vec::new(), Vec::new());
    let (mut cms_cpu, mut pades_cpu) = (Vec::new(), Vec::new());
    let before = std::env::var_os("KYSO_BENCH_BEFORE").map(PathBuf::from);
    let mut before_rates: [Vec<f64>; 4] = Default::default();
    let mut after_rates: [Vec<f64>; 4] = Default::default();
    for _ in 0..rounds {
        // the earlier build and this one on the same inputs, one after the other
        if let Some(old) = &before {
            let scenarios: [(&str, &Path, bool); 4] = [
                ("cms", &small, false),
                ("cms", &small, true),
                ("cms", &plain, false),
                ("pades", &pdfs, false),
            ];
            for (k, (format, input, shm)) in scenarios.into_iter().enumerate() {
                for (bin, rates) in [
                    (old.as_path(), &mut before_rates[k]),
                    (Path::new(env!("CARGO_BIN_EXE_kyso")), &mut after_rates[k]),
                ] {
                    let out = if shm {
                        fresh(Path::new("/dev/shm/kyso-bench-out"))
                    } else {
                        fresh(&work.join("out"))
                    };
                    let cmd = fx.command(bin);
                    let t = timed(&mut sign_cmd_with(
                        cmd,
                        fx,
                        format,
                        &out,
                        &[input.to_owned()],
                    ));
                    rates.push(files as f64 / t);
                }
            }
            let _ = std::fs::remove_dir_all("/dev/shm/kyso-bench-out");
        }
        // token-bound: 10 KB files, hashing costs nothing next to the signature
        let b0 = bare.rate(files.min(500));
        let out = fresh(&work.join("out"));
        let t0 = timed(&mut sign_cmd(fx, "cms", &out, std::slice::from_ref(&small)));
        let b1 = bare.rate(files.min(500));
        small_rate.push(files as f64 / t0);
        small_ratio.push(files as f64 / t0 / ((b0 + b1) / 2.0));
        // the same with the outputs in memory (tmpfs): kyso's pipeline without the disk's fsync
        let shm = fresh(Path::new("/dev/shm/kyso-bench-out"));
        let t0 = timed(&mut sign_cmd(fx, "cms", &shm, std::slice::from_ref(&small)));
        let _ = std::fs::remove_dir_all(&shm);
        let b1b = bare.rate(files.min(500));
        small_shm_rate.push(files as f64 / t0);
        small_shm_ratio.push(files as f64 / t0 / ((b1 + b1b) / 2.0));
        let out = fresh(&work.join("out"));
        let (t, cpu) = timed_cpu(&sign_cmd(fx, "cms", &out, std::slice::from_ref(&plain)));
        cms_cpu.push(cpu / t);
        let b2 = bare.rate(files.min(500));
        let out = fresh(&work.join("out"));
        let (t2, cpu2) = timed_cpu(&sign_cmd(fx, "pades", &out, std::slice::from_ref(&pdfs)));
        pades_cpu.push(cpu2 / t2);
        let b3 = bare.rate(files.min(500));
        let (r1, r2) = (files as f64 / t, files as f64 / t2);
        cms.push(r1);
        pades.push(r2);
        bare_rates.extend([b1, b2, b3]);
        cms_ratio.push(r1 / ((b1 + b2) / 2.0));
        pades_ratio.push(r2 / ((b2 + b3) / 2.0));
    }
    let _ = std::fs::remove_dir_all(work.join("out"));
    println!(
        "| what | files or signatures/s (median, min–max) | ratio to bare C_Sign (target ≥ 0.9) | CPUs busy (CPU s / wall s) |"
    );
    println!("|---|---|---|---|");
    println!(
        "| bare `C_Sign`, same key | {} | 1 | 1 |",
        fmt(&bare_rates, 0)
    );
    println!(
        "| `kyso sign --format cms`, {files} files of 10 KB | {} | {} | |",
        fmt(&small_rate, 0),
        fmt(&small_ratio, 2)
    );
    println!(
        "| `kyso sign --format cms`, {files} files of 10 KB, outputs on tmpfs | {} | {} | |",
        fmt(&small_shm_rate, 0),
        fmt(&small_shm_ratio, 2)
    );
    println!(
        "| `kyso sign --format cms`, the mixed files | {} | {} | {} |",
        fmt(&cms, 0),
        fmt(&cms_ratio, 2),
        fmt(&cms_cpu, 2)
    );
    println!(
        "| `kyso sign --format pades`, the mixed files as PDFs | {} | {} | {} |",
        fmt(&pades, 0),
        fmt(&pades_ratio, 2),
        fmt(&pades_cpu, 2)
    );
    println!();
    if before.is_some() {
        println!("before (KYSO_BENCH_BEFORE) and after (this build), files/s, measured one after the other:\n");
        println!("| what | before | after |");
        println!("|---|---|---|");
        let names = [
            format!("`kyso sign --format cms`, {files} files of 10 KB"),
            format!("`kyso sign --format cms`, {files} files of 10 KB, outputs on tmpfs"),
            "`kyso sign --format cms`, the mixed files".to_owned(),
            "`kyso sign --format pades`, the mixed files as PDFs".to_owned(),
        ];
        for (k, name) in names.iter().enumerate() {
            println!(
                "| {name} | {} | {} |",
                fmt(&before_rates[k], 0),
                fmt(&after_rates[k], 0)
            );
        }
        println!();
    }
    let _ = std::fs::remove_dir_all(&plain);
    let _ = std::fs::remove_dir_all(&pdfs);
    let _ = std::fs::remove_dir_all(&small);
}

fn memory(fx: &Fixture, rounds: usize) {
    let work = fresh(&fx.tmp.path().join("mem"));
    let small = work.join("small.bin");
    write_plain(&small, 1 << 20, 1);
    let big = work.join("big.bin");
    // 1 GiB, sparse: reads as zeros, takes no disk.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let (pdf1, pdf10) = (work.join("one.pdf"), work.join("ten.pdf"));
    write_pdf(&pdf1, 1_000_000);
    write_pdf(&pdf10, 10_000_000);
    let pdf_big = work.join("big.pdf");
    sparse_pdf::write_sparse_pdf(&pdf_big, 1 << 30);
    println!("### memory: peak RSS of one `kyso sign` process\n");
    println!("| input | peak RSS MiB (median, min–max) | seconds (median) |");
    println!("|---|---|---|");
    for (name, format, file) in [
        ("CMS, 1 MiB file", "cms", &small),
        ("CMS, 1 GiB file (sparse)", "cms", &big),
        ("PAdES, 1 MB PDF", "pades", &pdf1),
        ("PAdES, 10 MB PDF", "pades", &pdf10),
        ("PAdES, 1 GiB PDF (sparse)", "pades", &pdf_big),
    ] {
        let (mut rss, mut secs) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let out = fresh(&work.join("out"));
            let (s, r) = timed_rss(&sign_cmd(fx, format, &out, std::slice::from_ref(file)));
            rss.push(r as f64 / 1024.0);
            secs.push(s);
        }
        println!("| {name} | {} | {:.2} |", fmt(&rss, 1), stats(&secs).0);
    }
    println!();
    let _ = std::fs::remove_dir_all(&work);
}

/// MB/s of `openssl speed -evp sha256 -bytes 16384`.
fn openssl_sha256() -> f64 {
    let out = std::process::Command::new("openssl")
        .args([
            "speed", "-evp", "sha256", "-bytes", "16384", "-seconds", "2",
        ])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    // "sha256    1234567.89k" (thousands of bytes per second)
    let line = s
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("sha256"))
        .expect("openssl speed output");
    let k: f64 = line
        .split_whitespace()
        .last()
        .unwrap()
        .trim_end_matches('k')
        .parse()
        .unwrap();
    k * 1000.0 / 1e6
}

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`): hashing rates
/// per CPU second, like `openssl speed` (which divides by user CPU time), so that other
/// processes on a busy machine do not count against either side.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .expect("/proc/thread-self/schedstat")
}

/// MB per CPU second of `hash` over 256 MiB in memory, for about 2 CPU seconds.
fn cpu_rate(hash: &dyn Fn(&[u8])) -> f64 {
    let data = vec![0x5au8; 256 << 20];
    let start = thread_cpu_ns();
    let mut total = 0usize;
    while thread_cpu_ns() - start < 2_000_000_000 {
        hash(&data);
        total += data.len();
    }
    total as f64 / ((thread_cpu_ns() - start) as f64 / 1e9) / 1e6
}

fn hashing(rounds: usize) {
    let (mut k, mut o, mut c, mut r) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        // kyso's streamed hashing, 64 KiB reads: what `kyso sign` does per file.
        let a = cpu_rate(&|d| {
            kyso::HashAlg::Sha256.digest_reader(&mut &d[..]).unwrap();
        });
        let b = openssl_sha256();
        // The sha2 crate kyso hashed with before, for reference.
        let sha2 = cpu_rate(&|d| {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            for chunk in d.chunks(64 << 10) {
                h.update(chunk);
            }
            h.finalize();
        });
        k.push(a);
        o.push(b);
        c.push(sha2);
        r.push(a / b);
    }
    println!("### hashing: SHA-256, MB per CPU second, one thread\n");
    println!("| what | MB/s (median, min–max) | ratio to openssl (target ≥ 0.9) |");
    println!("|---|---|---|");
    println!(
        "| `openssl speed -evp sha256 -bytes 16384` | {} | 1 |",
        fmt(&o, 0)
    );
    println!(
        "| kyso `digest_reader` (64 KiB reads) | {} | {} |",
        fmt(&k, 0),
        fmt(&r, 2)
    );
    let rc: Vec<f64> = c.iter().zip(&o).map(|(a, b)| a / b).collect();
    println!(
        "| the sha2 crate (64 KiB updates), for reference | {} | {} |",
        fmt(&c, 0),
        fmt(&rc, 2)
    );
    println!();
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rounds = env_usize("KYSO_BENCH_ROUNDS", 3);
    let files = env_usize("KYSO_BENCH_FILES", 1000);
    let only = std::env::var("KYSO_BENCH_ONLY").unwrap_or_default();
    println!("machine: {}; {rounds} rounds\n", machine());
    let fx = Fixture::new();
    if only.is_empty() || only == "hashing" {
        hashing(rounds);
    }
    if only.is_empty() || only == "memory" {
        memory(&fx, rounds);
    }
    if only.is_empty() || only == "batch" {
        batch(&fx, rounds, files);
    }
    println!("load average after: {}", machine());
}
