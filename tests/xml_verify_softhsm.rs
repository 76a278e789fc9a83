//! `kyso verify` on XML: every signature in a file judged, tampering, a moved signature, a
//! wrapping attack and XXE rejected with clear messages; public signed e-invoices verified as
//! xmlsec1 verifies them.

mod common;

use std::process::Command;

use common::einvoice::invoice;
use common::xmldsig::*;
use common::*;

#[test]
fn kyso_verify_checks_every_signature_and_rejects_tampering_moving_and_wrapping() {
    let fx = Fixture::new();
    let original = invoice(3, 10, "0100686209-199");
    std::fs::write(fx.path("hd.xml"), &original).unwrap();
    assert_ok(&fx.sign("xml", "03", &["hd.xml"]));
    assert_ok(&fx.sign("xml", "01", &["--role", "buyer", "hd.signed.xml"]));
    let (code, reports) = kyso_verify(&fx, "hd.signed-2.xml");
    assert_eq!(code, Some(0), "{reports:#?}");
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["xml"]["location"], "HDon/DSCKS/NBan/Signature");
    assert_eq!(reports[0]["xml"]["mst_matches"], true);
    assert_eq!(reports[1]["xml"]["location"], "HDon/DSCKS/NMua/Signature");
    assert!(reports.iter().all(|r| r["status"] == "valid"));
    let both = std::fs::read_to_string(fx.path("hd.signed-2.xml")).unwrap();
    let seller_sig = {
        let start = both.find("<NBan><Signature").unwrap() + "<NBan>".len();
        let end = both.find("</NBan>\r\n    <NMua>").unwrap();
        both[start..end].to_owned()
    };

    // a changed byte in the invoice: both signatures invalid, said plainly
    std::fs::write(
        fx.path("tampered.xml"),
        both.replace("<SLuong>2</SLuong>", "<SLuong>3</SLuong>"),
    )
    .unwrap();
    let (code, reports) = kyso_verify(&fx, "tampered.xml");
    assert_eq!(code, Some(1));
    for r in &reports {
        assert_eq!(r["status"], "invalid");
        assert!(
            r["error"]
                .as_str()
                .unwrap()
                .contains("was changed after signing"),
            "{r:#}"
        );
    }

    // the seller's signature moved onto another invoice (same Id, other content)
    let other = invoice(3, 11, "0100686209-199")
        .replace("<NBan></NBan>", &format!("<NBan>{seller_sig}</NBan>"));
    std::fs::write(fx.path("moved.xml"), other).unwrap();
    let (code, reports) = kyso_verify(&fx, "moved.xml");
    assert_eq!(code, Some(1));
    assert_eq!(reports[0]["status"], "invalid", "{reports:#?}");
    assert_eq!(reports[0]["xml"]["references_valid"], false);

    // wrapping: the signed DLHDon moved aside (still resolved by its Id, digest intact), a
    // forged one with another Id where readers read the invoice
    let signed_data = {
        let start = both.find("<DLHDon ").unwrap();
        let end = both.find("</DLHDon>").unwrap() + "</DLHDon>".len();
        both[start..end].to_owned()
    };
    let forged = signed_data
        .replace("Id=\"DLHDon-3\"", "Id=\"DLHDon-forged\"")
        .replace("<DGia>1500000</DGia>", "<DGia>1</DGia>");
    let wrapped = both.replacen(
        &signed_data,
        &format!("{forged}<LuuTru>{signed_data}</LuuTru>"),
        1,
    );
    std::fs::write(fx.path("wrapped.xml"), &wrapped).unwrap();
    let (code, reports) = kyso_verify(&fx, "wrapped.xml");
    assert_eq!(code, Some(1));
    for r in &reports {
        assert_eq!(r["status"], "invalid", "{r:#}");
        assert_eq!(r["xml"]["references_valid"], true, "the digest alone holds");
        assert!(
            r["error"].as_str().unwrap().contains("wrapping attack"),
            "{r:#}"
        );
    }

    // XXE: refused, no file read
    std::fs::write(
        fx.path("xxe.xml"),
        "<?xml version=\"1.0\"?><!DOCTYPE HDon [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\
         <HDon><DLHDon Id=\"a\">&x;</DLHDon></HDon>",
    )
    .unwrap();
    let out = fx.verify_text(&["xxe.xml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("refuses DTDs"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("root:"), "no file content leaked");
}

#[test]
fn public_signed_einvoices_verify_in_kyso_as_in_xmlsec1() {
    let fx = Fixture::new();
    let samples = repo_root().join("tests/fixtures/xml");
    for name in ["ts24-tdiep-202.xml", "vnpt-hdon-sha1.xml"] {
        std::fs::copy(samples.join(name), fx.path(name)).unwrap();
    }
    let independent = |file: &str, parent: &str| {
        let out = Command::new("xmlsec1")
            .args(["--verify", "--insecure", "--id-attr:Id", "DLHDon"])
            .args(["--id-attr:Id", "MCCQT", "--node-xpath"])
            .arg(format!(
                "//*[local-name()='{parent}']/*[local-name()='Signature']"
            ))
            .arg(fx.path(file))
            .output()
            .unwrap();
        out.status.success()
    };
    // TS24 through the tax authority: the seller's and the authority's signatures hold
    let (code, reports) = kyso_verify(&fx, "ts24-tdiep-202.xml");
    assert_eq!(
        code,
        Some(1),
        "not trusted: the vendors' test CAs are not anchors"
    );
    assert_eq!(reports.len(), 2);
    for (r, parent) in reports.iter().zip(["NBan", "CQT"]) {
        assert!(
            independent("ts24-tdiep-202.xml", parent),
            "xmlsec1 {parent}"
        );
        let x = &r["xml"];
        assert_eq!(x["signature_valid"], true, "{r:#}");
        assert_eq!(x["references_valid"], true, "{r:#}");
        assert_eq!(r["status"], "untrusted", "{r:#}");
    }
    assert_eq!(reports[0]["xml"]["mst_matches"], true);
    assert_eq!(reports[1]["xml"]["signed"].as_array().unwrap().len(), 3);

    // VNPT, rsa-sha1: the signature holds, the certificate's MST is not the seller's
    assert!(independent("vnpt-hdon-sha1.xml", "NBan"));
    let (code, reports) = kyso_verify(&fx, "vnpt-hdon-sha1.xml");
    assert_eq!(code, Some(1));
    let x = &reports[0]["xml"];
    assert_eq!(x["algorithm"], "rsa-pkcs1-sha1");
    assert_eq!(
        (x["signature_valid"].clone(), x["references_valid"].clone()),
        (true.into(), true.into())
    );
    assert_eq!(reports[0]["status"], "invalid");
    assert!(reports[0]["error"].as_str().unwrap().contains("tax code"));

    // one byte of the invoice changed: both kyso and xmlsec1 refuse it
    let text = std::fs::read_to_string(fx.path("ts24-tdiep-202.xml")).unwrap();
    std::fs::write(
        fx.path("ts24-tampered.xml"),
        text.replace("<TgTTTBSo>1284000<", "<TgTTTBSo>1284001<"),
    )
    .unwrap();
    assert!(!independent("ts24-tampered.xml", "NBan"));
    let (_, reports) = kyso_verify(&fx, "ts24-tampered.xml");
    assert!(reports
        .iter()
        .all(|r| r["status"] == "invalid" && r["xml"]["references_valid"] == false));
}
