//! E-invoices per second: `kyso sign --format xml` (one process, one login, SoftHSM RSA-2048
//! key 01, rsa-pkcs1-sha256) against what integrators script today, `xmlsec1 --sign` run once
//! per file on a template, and against the token's bare `C_Sign` rate, measured in
//! alternation (bare, kyso, bare: the ratio is to the mean of the two bare runs around it).
//!
//! kyso's time is the whole process, what a user waits for: start-up, module load, the checks
//! before the PIN, login, signing, each output checked against the certificate, written,
//! fsynced and renamed. The same run into `/dev/shm` (tmpfs: fsync costs nothing there) shows
//! what durability costs. Each round writes into a new directory, all removed at the end: on
//! ext4 without a journal, creating files right after a thousand were deleted costs much more
//! (the allocator steps over recently deleted inodes), which no user's batch sees.
//!
//! xmlsec1 signs with a software RSA-2048 key (PEM): Debian's xmlsec1 1.2.37 loads the
//! SoftHSM key through the OpenSSL pkcs11 engine but then fails with "key is not found", so
//! its per-file rate here is an upper bound of what it does with a token.
//!
//! ```text
//! cargo bench --bench xml
//! KYSO_BENCH_ROUNDS=5 cargo bench --bench xml
//! ```

#[path = "util/mod.rs"]
mod util;

#[path = "../tests/common/einvoice.rs"]
mod einvoice;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use util::*;

/// The seller's signature template xmlsec1 fills (the shape kyso writes).
const TEMPLATE: &str = "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"seller\">\
<SignedInfo><CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>\
<SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
<Reference URI=\"#DLHDon-N\"><Transforms><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\
</Transforms><DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue/></Reference>\
<Reference URI=\"#seller-SigningTime\"><DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\
<DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data><X509SubjectName/>\
<X509Certificate/></X509Data></KeyInfo><Object Id=\"seller-SigningTime\"><SignatureProperties>\
<SignatureProperty Target=\"#seller\"><SigningTime>2026-12-04T10:00:00</SigningTime>\
</SignatureProperty></SignatureProperties></Object></Signature>";

fn fresh(dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    dir.to_owned()
}

fn main() {
    let rounds = env_usize("KYSO_BENCH_ROUNDS", 3);
    let files = env_usize("KYSO_BENCH_FILES", 1000);
    let fx = Fixture::new();
    let work = fx.tmp.path();
    let invoices = fresh(&work.join("hoa-don"));
    let templates = fresh(&work.join("templates"));
    let mut bytes = 0;
    for n in 1..=files {
        // 5 to 20 KB each
        let text = einvoice::invoice(n, 14 + n % 45, "0100686209-199");
        bytes += text.len();
        std::fs::write(invoices.join(format!("hd-{n:05}.xml")), &text).unwrap();
        let tmpl = TEMPLATE.replace("DLHDon-N", &format!("DLHDon-{n}"));
        let text = text.replace("<NBan></NBan>", &format!("<NBan>{tmpl}</NBan>"));
        std::fs::write(templates.join(format!("hd-{n:05}.xml")), text).unwrap();
    }
    let key = work.join("sw.key");
    let cert = work.join("sw.pem");
    let st = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=xmlsec1",
        ])
        .args(["-days", "2", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(st.status.success());
    let bare = Bare::new(&fx);
    bare.rate(50);
    println!(
        "### xml: {files} e-invoices, {:.1} MB in all (5–20 KB each), RSA-2048, rsa-pkcs1-sha256\n",
        bytes as f64 / 1e6
    );
    println!("machine: {}\n", machine());
    let (mut kyso, mut xmlsec, mut bare_rates) = (Vec::new(), Vec::new(), Vec::new());
    let (mut vs_xmlsec, mut vs_bare) = (Vec::new(), Vec::new());
    let (mut cpu, mut shm, mut shm_vs_bare) = (Vec::new(), Vec::new(), Vec::new());
    let xmlsec_files = files.min(200);
    let outputs = fresh(&work.join("out"));
    let shm_dir = tempfile::tempdir_in("/dev/shm").ok();
    let sign = |out: &Path| {
        let mut c = fx.kyso();
        c.args(["sign", "--format", "xml", "--key-id", "01"])
            .args(["--algorithm", "rsa-pkcs1-sha256", "--pin-file"])
            .arg(fx.pin_file())
            .arg("--out-dir")
            .arg(out)
            .arg(&invoices);
        c
    };
    for round in 0..rounds {
        let b0 = bare.rate(files);
        let (secs, cpu_secs) = timed_cpu(&sign(&outputs.join(format!("{round}"))));
        let k = files as f64 / secs;
        let b1 = bare.rate(files);
        if let Some(dir) = &shm_dir {
            let s = files as f64 / timed(&mut sign(&dir.path().join(format!("{round}"))));
            let b2 = bare.rate(files);
            shm.push(s);
            shm_vs_bare.push(s / ((b1 + b2) / 2.0));
            let _ = std::fs::remove_dir_all(dir.path().join(format!("{round}")));
        }
        let out = fresh(&outputs.join(format!("xmlsec-{round}")));
        let start = Instant::now();
        for n in 1..=xmlsec_files {
            let name = format!("hd-{n:05}.xml");
            let st = Command::new("xmlsec1")
                .args(["--sign", "--id-attr:Id", "DLHDon", "--privkey-pem"])
                .arg(format!("{},{}", key.display(), cert.display()))
                .arg("--output")
                .arg(out.join(&name))
                .arg(templates.join(&name))
                .output()
                .unwrap();
            assert!(
                st.status.success(),
                "{}",
                String::from_utf8_lossy(&st.stderr)
            );
        }
        let x = xmlsec_files as f64 / start.elapsed().as_secs_f64();
        let b = (b0 + b1) / 2.0;
        kyso.push(k);
        cpu.push(cpu_secs * 1e3 / files as f64);
        xmlsec.push(x);
        bare_rates.push(b);
        vs_xmlsec.push(k / x);
        vs_bare.push(k / b);
    }
    println!("| e-invoices per second, median (range), {rounds} rounds | |");
    println!("|---|---|");
    println!(
        "| kyso sign --format xml, {files} files, one process (start, login, checks, each \
         output checked, fsynced, renamed) | {} |",
        fmt(&kyso, 0)
    );
    println!(
        "| xmlsec1 --sign once per file ({xmlsec_files} files, software key) | {} |",
        fmt(&xmlsec, 0)
    );
    println!(
        "| SoftHSM bare C_Sign, key 01, {files} signatures | {} |",
        fmt(&bare_rates, 0)
    );
    println!("| kyso / xmlsec1 | {} |", fmt(&vs_xmlsec, 1));
    println!("| kyso / bare token | {} |", fmt(&vs_bare, 2));
    println!(
        "| kyso's CPU (user + system, all threads), ms per e-invoice | {} |",
        fmt(&cpu, 2)
    );
    if !shm.is_empty() {
        println!(
            "| the same into /dev/shm (tmpfs: fsync free), e-invoices/s | {} |",
            fmt(&shm, 0)
        );
        println!("| the same / bare token | {} |", fmt(&shm_vs_bare, 2));
    }
}
