//! `kyso verify` on detached CMS signatures: kyso's own (SoftHSM keys) and OpenSSL's, valid,
//! modified, untrusted, expired and with a key usage that forbids signing.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn sign_cms(fx: &Fixture, key_id: &str, file: &Path) {
    assert_ok(&fx.sign("cms", key_id, &[file.to_str().unwrap()]));
}

/// `kyso --json verify --trust ca.pem FILE`, revocation checked where the certificates say.
fn verify_json(fx: &Fixture, file: &Path) -> Output {
    let ca = fx.path("ca.pem");
    fx.run(&[
        "--json",
        "verify",
        "--trust",
        ca.to_str().unwrap(),
        file.to_str().unwrap(),
    ])
}

/// A software key and certificate issued by the fixture CA with `openssl x509 -req` (extension
/// lines in `ext`, validity in days), and a CMS signature of `file` made by `openssl cms -sign`.
fn openssl_signed(fx: &Fixture, name: &str, ext: &str, days: &str, file: &Path) {
    let p = |s: &str| fx.path(&format!("{name}.{s}"));
    let run = |c: &mut Command| assert_ok(&c.output().unwrap());
    run(Command::new("openssl")
        .args([
            "req", "-new", "-newkey", "rsa:2048", "-nodes", "-utf8", "-keyout",
        ])
        .arg(p("key"))
        .args([
            "-subj",
            "/C=VN/CN=ĐỖ VĂN BÌNH/UID=CCCD:001099000001",
            "-out",
        ])
        .arg(p("csr")));
    std::fs::write(p("ext"), ext).unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-in"])
        .arg(p("csr"))
        .arg("-CA")
        .arg(fx.path("ca.pem"))
        .arg("-CAkey")
        .arg(fx.path("ca.key"))
        .args(["-days", days, "-extfile"])
        .arg(p("ext"))
        .arg("-out")
        .arg(p("pem")));
    run(Command::new("openssl")
        .args([
            "cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER", "-in",
        ])
        .arg(file)
        .arg("-signer")
        .arg(p("pem"))
        .arg("-inkey")
        .arg(p("key"))
        .arg("-out")
        .arg(format!("{}.p7s", file.display())));
}

#[test]
fn valid_signature_shows_signer_identity_time_and_chain() {
    let fx = Fixture::new();
    let doc = fx.path("to-trinh.txt");
    std::fs::write(&doc, "Tờ trình số 7").unwrap();
    sign_cms(&fx, "04", &doc);
    let ca = fx.path("ca.pem");
    let out = fx.verify_json(&[doc.to_str().unwrap()]);
    assert_ok(&out);
    let r = &json(&out)[0];
    assert_eq!(r["status"], "valid", "{r:#}");
    let s = &r["signature"];
    assert_eq!(s["signature_valid"], true);
    assert_eq!(s["content_unmodified"], true);
    assert_eq!(s["certificate_bound"], true);
    assert_eq!(s["algorithm"], "ecdsa-sha384");
    assert_eq!(s["signer"]["common_name"], "TRẦN THỊ BÍCH NGỌC");
    assert_eq!(s["signer"]["identity"]["cccd"], "079088001234");
    assert_eq!(s["signer"]["identity"]["mst"], "0312345678");
    let t = time::OffsetDateTime::parse(
        s["signing_time"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!((time::OffsetDateTime::now_utc() - t).whole_seconds().abs() < 120);
    assert_eq!(r["trust"]["chain"][1], "CN=Kyso Test CA,O=Kyso Test,C=VN");
    assert_eq!(r["revocation"]["status"], "not_checked");
    assert!(r["revocation"]["detail"]
        .as_str()
        .unwrap()
        .contains("--offline"));

    // text output, given the .p7s name
    let p7s = fx.path("to-trinh.txt.p7s");
    let out = fx.run(&[
        "verify",
        "--trust",
        ca.to_str().unwrap(),
        p7s.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("to-trinh.txt: VALID"), "{text}");
    assert!(
        text.contains("TRẦN THỊ BÍCH NGỌC (MST:0312345678, CCCD:079088001234)"),
        "{text}"
    );
}

#[test]
fn modified_document_and_untrusted_signer_fail() {
    let fx = Fixture::new();
    let doc = fx.path("a.txt");
    std::fs::write(&doc, "Quyết định").unwrap();
    sign_cms(&fx, "01", &doc);
    // no anchor: intact but not trusted
    let out = fx.run(&["verify", doc.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("NOT TRUSTED"), "{}", stdout(&out));
    assert!(stdout(&out).contains("pass --trust"));
    // a different anchor
    let other = fx.path("rsa3072.pem");
    let out = fx.run(&[
        "--json",
        "verify",
        "--trust",
        other.to_str().unwrap(),
        doc.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)[0]["status"], "untrusted");
    // one byte changed
    std::fs::write(&doc, "Quyết đinh").unwrap();
    let out = verify_json(&fx, &doc);
    assert_eq!(out.status.code(), Some(1));
    let r = &json(&out)[0];
    assert_eq!(r["status"], "invalid");
    assert_eq!(r["signature"]["content_unmodified"], false);
    assert_eq!(r["signature"]["signature_valid"], true);
    // a signature file that is not CMS
    std::fs::write(fx.path("a.txt.p7s"), "not der").unwrap();
    let out = verify_json(&fx, &doc);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)[0]["status"], "error");
}

#[test]
fn openssl_signatures_verify_and_expiry_and_key_usage_are_named() {
    let fx = Fixture::new();
    let ca = fx.path("ca.pem");
    let good = fx.path("good.txt");
    std::fs::write(&good, "Biên bản").unwrap();
    openssl_signed(
        &fx,
        "good",
        "keyUsage=critical,nonRepudiation\n",
        "30",
        &good,
    );
    let out = verify_json(&fx, &good);
    assert_ok(&out);
    assert_eq!(
        json(&out)[0]["signature"]["signer"]["identity"]["cccd"],
        "001099000001"
    );

    let expired = fx.path("expired.txt");
    std::fs::write(&expired, "Biên bản").unwrap();
    openssl_signed(
        &fx,
        "expired",
        "keyUsage=critical,digitalSignature\n",
        "0",
        &expired,
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = verify_json(&fx, &expired);
    assert_eq!(out.status.code(), Some(1));
    let r = &json(&out)[0];
    assert_eq!(r["status"], "untrusted");
    assert!(
        r["trust"]["problems"][0]
            .as_str()
            .unwrap()
            .contains("expired on"),
        "{r:#}"
    );

    let enc = fx.path("enc.txt");
    std::fs::write(&enc, "Biên bản").unwrap();
    openssl_signed(
        &fx,
        "enc",
        "keyUsage=critical,keyEncipherment\n",
        "30",
        &enc,
    );
    let out = fx.run(&[
        "verify",
        "--trust",
        ca.to_str().unwrap(),
        enc.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("does not allow signatures (key usage: keyEncipherment)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn anchors_from_kyso_toml_default_root_and_no_default_trust() {
    let fx = Fixture::new();
    let doc = fx.path("cong-van.txt");
    std::fs::write(&doc, "Công văn số 12").unwrap();
    sign_cms(&fx, "04", &doc);
    // The fixture CA is not under the built-in Vietnam root: not trusted, and the hint names
    // both ways to add an anchor.
    let out = fx.run(&["verify", "--offline", doc.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("NOT TRUSTED"), "{text}");
    assert!(text.contains("[verify] trust"), "{text}");

    // `[verify] trust` in kyso.toml, the path relative to the file: valid, anchor named.
    let conf_dir = fx.path("conf");
    std::fs::create_dir_all(&conf_dir).unwrap();
    std::fs::copy(fx.path("ca.pem"), conf_dir.join("org-ca.pem")).unwrap();
    let toml = conf_dir.join("kyso.toml");
    std::fs::write(&toml, "[verify]\ntrust = [\"org-ca.pem\"]\n").unwrap();
    let with_config = |extra: &[&str]| {
        let mut c = fx.kyso();
        c.env("KYSO_CONFIG", &toml)
            .args(["--module", SOFTHSM, "--json", "verify", "--offline"])
            .args(extra)
            .arg(&doc);
        c.output().unwrap()
    };
    let out = with_config(&[]);
    assert_ok(&out);
    let r = &json(&out)[0];
    assert_eq!(r["status"], "valid", "{r:#}");
    assert_eq!(r["trust"]["anchor"], "CN=Kyso Test CA,O=Kyso Test,C=VN");
    // --no-default-trust keeps the configured anchors
    assert_ok(&with_config(&["--no-default-trust"]));

    // --no-default-trust with nothing else: no anchor at all, said so.
    let out = fx.run(&[
        "verify",
        "--offline",
        "--no-default-trust",
        doc.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("no trust anchor (--no-default-trust)"));

    // --trust names the anchor in the text report too
    let out = fx.verify_text(&[doc.to_str().unwrap()]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("anchor     CN=Kyso Test CA,O=Kyso Test,C=VN"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn missing_intermediates_come_from_ca_issuers_once_or_from_a_folder() {
    use common::servers::{issue_cert, HttpServer, Request};
    let fx = Fixture::new();
    let run = |c: &mut Command| assert_ok(&c.output().unwrap());
    issue_cert(
        &fx.dir,
        "sub",
        "/C=VN/O=Kyso Test/CN=Kyso Test Sub CA",
        "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n",
        "0x7301",
    );
    let sub_dir = fx.path("subca");
    std::fs::create_dir_all(&sub_dir).unwrap();
    std::fs::copy(fx.path("sub.pem"), sub_dir.join("ca.pem")).unwrap();
    std::fs::copy(fx.path("sub.key"), sub_dir.join("ca.key")).unwrap();
    run(Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(fx.path("sub.pem"))
        .arg("-out")
        .arg(fx.path("sub.der")));
    let der = std::fs::read(fx.path("sub.der")).unwrap();
    let server = HttpServer::start(Box::new(move |req: &Request| {
        if req.method == "GET" && req.path == "/sub.crt" {
            (200, "application/pkix-cert", der.clone())
        } else {
            (404, "text/plain", b"not here".to_vec())
        }
    }));
    issue_cert(
        &sub_dir,
        "leaf",
        "/C=VN/CN=VÕ THỊ SÁU/UID=CCCD:001099007302",
        &format!(
            "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
             authorityInfoAccess = caIssuers;URI:{}\n",
            server.url("/sub.crt")
        ),
        "0x7302",
    );
    let docs: Vec<_> = ["a.txt", "b.txt"].iter().map(|n| fx.path(n)).collect();
    for d in &docs {
        std::fs::write(d, "Quyết định bổ nhiệm").unwrap();
        // openssl cms carries the signer's certificate only, not the Sub CA's
        run(Command::new("openssl")
            .args(["cms", "-sign", "-binary", "-outform", "DER", "-in"])
            .arg(d)
            .arg("-signer")
            .arg(sub_dir.join("leaf.pem"))
            .arg("-inkey")
            .arg(sub_dir.join("leaf.key"))
            .arg("-out")
            .arg(format!("{}.p7s", d.display())));
    }
    let ca = fx.path("ca.pem");
    let verify = |extra: &[&str]| {
        let mut args = vec!["--json", "verify", "--trust", ca.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.extend(docs.iter().map(|d| d.to_str().unwrap()));
        let out = fx.run(&args);
        (out.status.code(), json(&out))
    };
    // Offline and nothing given: the issuer is missing.
    let (code, v) = verify(&["--offline"]);
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(v[0]["status"], "untrusted", "{v:#}");
    assert_eq!(server.count(), 0);
    // Online: fetched from caIssuers, once for both signatures.
    let (code, v) = verify(&[]);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(
        v[1]["trust"]["chain"][1],
        "CN=Kyso Test Sub CA,O=Kyso Test,C=VN"
    );
    assert_eq!(server.count(), 1);
    // Offline with a folder of intermediates.
    let (code, v) = verify(&["--offline", "--intermediates", sub_dir.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v[0]["trust"]["chain"].as_array().unwrap().len(), 3);
}
