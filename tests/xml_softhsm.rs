//! XML signatures (`kyso sign --format xml`) checked by two independent validators: xmlsec1
//! (libxml2 + OpenSSL) and Python's signxml (lxml + cryptography), both against the fixture
//! CA, for RSA-2048 and ECDSA P-256 keys; e-invoices signed by the seller then the buyer with
//! both signatures valid, the bytes outside the signature unchanged, hostile XML refused
//! before any PIN, and 1,000 e-invoices signed with one login.

mod common;

use std::process::Command;

use common::einvoice::invoice;
use common::xmldsig::*;
use common::*;

#[test]
fn an_einvoice_signed_by_the_seller_then_the_buyer_verifies_in_both_validators() {
    let fx = Fixture::new();
    let original = invoice(7, 40, "0100686209-199");
    std::fs::write(fx.path("hd.xml"), &original).unwrap();
    // seller: the P-256 key of CÔNG TY TNHH KYSO (MST 0100686209-199)
    let out = fx.sign("xml", "03", &["hd.xml"]);
    assert_ok(&out);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let seller = fx.path("hd.signed.xml");
    let signed = std::fs::read_to_string(&seller).unwrap();
    assert!(signed.contains("<NBan><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\""));
    assert!(signed.contains("ecdsa-sha256") && signed.contains("<SigningTime>"));
    assert_eq!(
        without_signatures(&signed),
        original,
        "every byte outside the signature kept"
    );
    let (ok, err) = xmlsec1(&fx, &seller, None);
    assert!(ok, "xmlsec1: {err}");
    let (ok, err) = signxml(&fx, &seller, "NBan", 2);
    assert!(ok, "signxml: {err}");

    // buyer: the RSA-2048 key, after the seller; the seller's signature stays valid
    let out = fx.sign("xml", "01", &["--role", "buyer", "hd.signed.xml"]);
    assert_ok(&out);
    let both = fx.path("hd.signed-2.xml");
    let text = std::fs::read_to_string(&both).unwrap();
    assert!(text.contains("<NMua><Signature ") && text.contains("rsa-sha256"));
    assert_eq!(
        without_signatures(&text).replace("<NMua></NMua>", "<NMua/>"),
        original
    );
    for (xpath, parent) in [(NBAN, "NBan"), (NMUA, "NMua")] {
        let (ok, err) = xmlsec1(&fx, &both, Some(xpath));
        assert!(ok, "xmlsec1 {parent}: {err}");
        let (ok, err) = signxml(&fx, &both, parent, 2);
        assert!(ok, "signxml {parent}: {err}");
    }

    // a changed byte in the signed data: both validators refuse it
    let tampered = fx.path("tampered.xml");
    std::fs::write(&tampered, text.replace("1500000</DGia>", "1500001</DGia>")).unwrap();
    assert!(!xmlsec1(&fx, &tampered, Some(NBAN)).0);
    assert!(!signxml(&fx, &tampered, "NBan", 2).0);

    // the buyer again: refused, nothing written
    let out = fx.sign("xml", "01", &["--role", "buyer", "hd.signed-2.xml"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("already holds a signature in HDon/DSCKS/NMua"),
        "{}",
        stderr(&out)
    );
    assert!(!fx.path("hd.signed-3.xml").exists());
}

#[test]
fn the_seller_is_warned_before_the_pin_when_the_mst_is_not_the_certificates() {
    let fx = Fixture::new();
    std::fs::write(fx.path("hd.xml"), invoice(1, 2, "0109999999")).unwrap();
    let out = fx.sign("xml", "03", &["hd.xml"]);
    assert_ok(&out);
    let err = stderr(&out);
    let warning = err.find("MST 0109999999").expect(&err);
    assert!(
        err.contains("MST:0100686209-199") || err.contains("0100686209-199"),
        "{err}"
    );
    assert!(warning < err.find("signed ").unwrap_or(usize::MAX), "{err}");
}

#[test]
fn any_xml_signed_enveloped_verifies_in_both_validators_for_rsa_ecdsa_and_pss() {
    let fx = Fixture::new();
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TKhai xmlns=\"http://kekhaithue.gdt.gov.vn/TKhaiThue\" \
               xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <TTChung>\
               <MST>0312345678</MST><TenNNT>Trần Thị Bích Ngọc</TenNNT></TTChung>\n  \
               <!-- a comment the signature leaves out -->\n  <CTieuTKhai><ct21 xsi:nil=\"true\"/>\
               <ct22>1.000.000</ct22></CTieuTKhai>\n</TKhai>\n";
    for (key, alg) in [("01", "rsa-sha256"), ("03", "ecdsa-sha256")] {
        let name = format!("tk-{key}.xml");
        std::fs::write(fx.path(&name), doc).unwrap();
        assert_ok(&fx.sign("xml", key, &["--profile", "enveloped", &name]));
        let signed = fx.path(&format!("tk-{key}.signed.xml"));
        let text = std::fs::read_to_string(&signed).unwrap();
        assert!(
            text.contains("<Reference URI=\"\">") && text.contains(alg),
            "{text}"
        );
        assert_eq!(without_signatures(&text), doc);
        let (ok, err) = xmlsec1(&fx, &signed, None);
        assert!(ok, "xmlsec1 {key}: {err}");
        let (ok, err) = signxml(&fx, &signed, "*", 2);
        assert!(ok, "signxml {key}: {err}");
    }
    // RSA-PSS (RFC 6931 sha256-rsa-MGF1), for receivers that accept it: signxml and kyso
    // verify it (Debian's xmlsec1 1.2.37 has no RSA-PSS for XML signatures)
    std::fs::write(fx.path("tk-pss.xml"), doc).unwrap();
    let pss = [
        "--profile",
        "enveloped",
        "--algorithm",
        "rsa-pss-sha256",
        "tk-pss.xml",
    ];
    assert_ok(&fx.sign("xml", "01", &pss));
    let signed = fx.path("tk-pss.signed.xml");
    let text = std::fs::read_to_string(&signed).unwrap();
    assert!(text.contains("xmldsig-more#sha256-rsa-MGF1"), "{text}");
    let (ok, err) = signxml(&fx, &signed, "*", 2);
    assert!(ok, "signxml pss: {err}");
    let (code, reports) = kyso_verify(&fx, "tk-pss.signed.xml");
    assert_eq!(code, Some(0), "{reports:#?}");
    assert_eq!(reports[0]["xml"]["algorithm"], "rsa-pss-sha256");

    // a second signature over the whole document would break the first: refused
    let out = fx.sign("xml", "01", &["--profile", "enveloped", "tk-01.signed.xml"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already signed"), "{}", stderr(&out));
}

#[test]
fn hostile_xml_is_refused_before_the_pin_with_a_clear_message() {
    let fx = Fixture::new();
    let cases = [
        (
            "xxe.xml",
            "<?xml version=\"1.0\"?><!DOCTYPE HDon [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\
             <HDon><DLHDon Id=\"a\">&x;</DLHDon></HDon>",
            "DOCTYPE",
        ),
        (
            "laughs.xml",
            "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"lol\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">\
             <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;\">]><l>&c;&c;&c;&c;</l>",
            "DOCTYPE",
        ),
        (
            "dup.xml",
            "<HDon><DLHDon Id=\"d\"><MST>1</MST></DLHDon><Fake Id=\"d\"/></HDon>",
            "\"d\" is used twice",
        ),
        ("broken.xml", "<HDon><DLHDon Id=\"x\"></HDon>", "not well-formed"),
        (
            "latin.xml",
            "<?xml version=\"1.0\" encoding=\"windows-1258\"?><HDon/>",
            "encoding windows-1258",
        ),
    ];
    for (name, body, why) in cases {
        std::fs::write(fx.path(name), body).unwrap();
        let args = fx.sign_args("xml", "01", &[name]);
        let (out, log) = fx.run_spied(&strs(&args));
        assert!(!out.status.success(), "{name} signed");
        assert!(stderr(&out).contains(why), "{name}: {}", stderr(&out));
        assert_eq!(spy_count(&log, "C_Login"), 0, "{name}: no PIN spent");
        let signed = fx.path(&name.replace(".xml", ".signed.xml"));
        assert!(!signed.exists(), "{name}: nothing written");
    }
}

#[test]
fn a_thousand_einvoices_with_one_login_all_verify_in_xmlsec1() {
    let fx = Fixture::new();
    let dir = fx.path("hoa-don");
    std::fs::create_dir(&dir).unwrap();
    for n in 1..=1000 {
        // 5 to 20 KB each
        let lines = 14 + (n % 45);
        std::fs::write(
            dir.join(format!("hd-{n:04}.xml")),
            invoice(n, lines, "0100686209-199"),
        )
        .unwrap();
    }
    let args = fx.sign_args("xml", "03", &["--json", "hoa-don"]);
    let mut args = strs(&args);
    // --json goes before the subcommand
    args.retain(|a| *a != "--json");
    let mut all = vec!["--json"];
    all.extend(args);
    let (out, log) = fx.run_spied(&all);
    assert_ok(&out);
    assert_eq!(spy_count(&log, "C_Login"), 1, "one PIN for the batch");
    assert_eq!(json(&out)["signed"].as_array().unwrap().len(), 1000);
    // xmlsec1 once per file, four at a time
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|k| {
                let (fx, dir) = (&fx, &dir);
                s.spawn(move || {
                    (1..=1000)
                        .filter(|n| n % 4 == k)
                        .filter_map(|n| {
                            let f = dir.join(format!("hd-{n:04}.signed.xml"));
                            let (ok, err) = xmlsec1(fx, &f, None);
                            (!ok).then(|| format!("{}: {err}", f.display()))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        failures.first()
    );
}

/// A tax declaration as HTKK exports it (default namespace, lowercase `id`, a comment inside).
const TAX_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<HSoThueDTu xmlns=\"http://kekhaithue.gdt.gov.vn/TKhaiThue\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <HSoKhaiThue id=\"ID_1\">\n    \
<TTinChung><TTinTKhaiThue><TKhaiThue><maTKhai>842</maTKhai><tenTKhai>TỜ KHAI THUẾ GIÁ TRỊ \
GIA TĂNG (Mẫu số 01/GTGT)</tenTKhai><KyKKhaiThue><kieuKy>Q</kieuKy><kyKKhai>4/2026</kyKKhai>\
</KyKKhaiThue></TKhaiThue><NNT><mst>0312345678</mst><tenNNT>TRẦN THỊ BÍCH NGỌC</tenNNT>\
</NNT></TTinTKhaiThue></TTinChung>\n    <!-- HTKK 5.2.0 -->\n    <CTieuTKhaiChinh><ct21>0\
</ct21><ct22>1000000</ct22><ct23 xsi:nil=\"true\"/></CTieuTKhaiChinh>\n  </HSoKhaiThue>\n\
  <CKyDTu/>\n</HSoThueDTu>\n";

#[test]
fn a_tax_declaration_and_a_social_insurance_form_verify_in_both_validators() {
    let fx = Fixture::new();
    // a tax declaration, with the RSA-2048 key most tokens hold and with the P-256 key
    for key in ["01", "03"] {
        let name = format!("tk-{key}.xml");
        std::fs::write(fx.path(&name), TAX_DECLARATION).unwrap();
        assert_ok(&fx.sign("xml", key, &[&name]));
        let signed = fx.path(&format!("tk-{key}.signed.xml"));
        let text = std::fs::read_to_string(&signed).unwrap();
        assert!(text.contains("<CKyDTu><ds:Signature xmlns:ds="), "{text}");
        assert!(text.contains("<ds:Reference URI=\"#ID_1\">"));
        assert_eq!(
            without_ds_signature(&text).replace("<CKyDTu></CKyDTu>", "<CKyDTu/>"),
            TAX_DECLARATION
        );
        let out = Command::new("xmlsec1")
            .args(["--verify", "--id-attr:id", "HSoKhaiThue", "--trusted-pem"])
            .arg(fx.path("ca.pem"))
            .arg(&signed)
            .output()
            .unwrap();
        assert!(out.status.success(), "xmlsec1 tax {key}: {}", stderr(&out));
        let (ok, err) = signxml_with(&fx, &signed, "*", 1, "id");
        assert!(ok, "signxml tax {key}: {err}");
        let (code, reports) = kyso_verify(&fx, &format!("tk-{key}.signed.xml"));
        assert_eq!(code, Some(0), "{reports:#?}");
    }
    // a social-insurance form, signed whole into its Cky
    let form = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<TK1-TS><ThongTin><HoTen>Phạm Quốc \
                Hưng</HoTen><MaSoBHXH>9212345678</MaSoBHXH></ThongTin>\r\n</TK1-TS>";
    std::fs::write(fx.path("tk1-ts.xml"), form).unwrap();
    assert_ok(&fx.sign("xml", "01", &["--profile", "bhxh", "tk1-ts.xml"]));
    let signed = fx.path("tk1-ts.signed.xml");
    let text = std::fs::read_to_string(&signed).unwrap();
    assert!(text.contains("<Cky><Signature xmlns=") && text.contains("<RSAKeyValue>"));
    assert!(text.contains("<Reference URI=\"\">") && text.contains("<SigningTime>"));
    let (ok, err) = xmlsec1(&fx, &signed, None);
    assert!(ok, "xmlsec1 bhxh: {err}");
    let (ok, err) = signxml(&fx, &signed, "*", 1);
    assert!(ok, "signxml bhxh: {err}");
}

/// The text with its `<ds:Signature …>…</ds:Signature>` left out.
fn without_ds_signature(s: &str) -> String {
    let start = s.find("<ds:Signature ").unwrap();
    let end = s.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    format!("{}{}", &s[..start], &s[end..])
}

#[test]
fn in_place_replaces_each_invoice_by_its_signed_self_and_nothing_else() {
    let fx = Fixture::new();
    let dir = fx.path("outbox");
    std::fs::create_dir(&dir).unwrap();
    for n in 1..=3 {
        std::fs::write(
            dir.join(format!("hd-{n}.xml")),
            invoice(n, 5, "0100686209-199"),
        )
        .unwrap();
    }
    assert_ok(&fx.sign("xml", "03", &["--in-place", "outbox"]));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["hd-1.xml", "hd-2.xml", "hd-3.xml"],
        "no other file left"
    );
    for n in 1..=3 {
        let f = dir.join(format!("hd-{n}.xml"));
        let (ok, err) = xmlsec1(&fx, &f, None);
        assert!(ok, "{}: {err}", f.display());
    }
    // a folder verified whole: each signed XML in it
    let out = fx.verify_text(&["outbox"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("3 valid, 0 invalid"),
        "{}",
        stdout(&out)
    );
    // another format has no inside to sign into
    let out = fx.sign("cms", "01", &["--in-place", "outbox/hd-1.xml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--in-place needs --format xml"));
}

#[test]
fn xades_bes_verifies_in_xmlsec1_signxml_xades_and_kyso() {
    let fx = Fixture::new();
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<HopDong xmlns=\"urn:example:hopdong\">\
               <SoHD>01/2026</SoHD><BenA>CÔNG TY TNHH KYSO</BenA></HopDong>\n";
    for (key, alg) in [("01", "rsa-sha256"), ("03", "ecdsa-sha256")] {
        let name = format!("hd-{key}.xml");
        std::fs::write(fx.path(&name), doc).unwrap();
        assert_ok(&fx.sign("xml", key, &["--profile", "xades-bes", &name]));
        let signed = fx.path(&format!("hd-{key}.signed.xml"));
        let text = std::fs::read_to_string(&signed).unwrap();
        assert!(text.contains(alg) && text.contains("<xades:SigningCertificateV2>"));
        assert!(text.contains("Type=\"http://uri.etsi.org/01903#SignedProperties\""));
        let (ok, err) = xmlsec1(&fx, &signed, None);
        assert!(ok, "xmlsec1 {key}: {err}");
        if let Err(e) = signxml_xades(&fx, &signed) {
            panic!("signxml XAdES {key}: {e}");
        }
        let (code, reports) = kyso_verify(&fx, &format!("hd-{key}.signed.xml"));
        assert_eq!(code, Some(0), "{reports:#?}");
    }
}

#[test]
fn the_subject_name_can_be_written_as_dot_net_senders_write_it() {
    let fx = Fixture::new();
    std::fs::write(fx.path("hd.xml"), invoice(1, 3, "0100686209-199")).unwrap();
    assert_ok(&fx.sign("xml", "03", &["--subject-name", "dotnet", "hd.xml"]));
    let signed = fx.path("hd.signed.xml");
    let text = std::fs::read_to_string(&signed).unwrap();
    assert!(
        text.contains(
            "<X509SubjectName>CN=CÔNG TY TNHH KYSO, OID.0.9.2342.19200300.100.1.1=MST:0100686209-199, O="
        ),
        "{text}"
    );
    // xmlsec1 cannot read that form (it says so) and verifies with the certificate anyway
    let out = Command::new("xmlsec1")
        .args(["--verify", "--id-attr:Id", "DLHDon", "--trusted-pem"])
        .arg(fx.path("ca.pem"))
        .arg(&signed)
        .output()
        .unwrap();
    assert!(out.status.success() && stderr(&out).lines().any(|l| l == "OK"));
    let (ok, err) = signxml(&fx, &signed, "NBan", 2);
    assert!(ok, "{err}");
}
