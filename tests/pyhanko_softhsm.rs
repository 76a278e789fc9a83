//! pyHanko, an independent PAdES validator, judges kyso's signatures and what kyso does to
//! other people's: pyHanko signs a LibreOffice-style PDF (a `/MediaBox` with 15 digits), kyso
//! countersigns with a visible stamp, and pyHanko still finds its own signature intact with
//! only signing modifications after it; the other way round too. `kyso verify` agrees.

mod common;

use std::path::Path;

use common::pyhanko::{self, fields_ok};
use common::*;

/// A one-page PDF with LibreOffice's A4 `/MediaBox`.
fn libreoffice_like(path: &Path) {
    common::small_pdf::write_pdf(
        path,
        &[
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.303937007874 841.889763779528] \
             /Contents 4 0 R >>"
                .to_owned(),
            common::small_pdf::stream("BT /F1 12 Tf 72 720 Td (Cong van) Tj ET"),
        ],
    );
}

#[test]
fn pyhanko_and_kyso_each_leave_the_others_signature_valid() {
    let fx = Fixture::new();
    let dir = &fx.dir;
    pyhanko::make_signer(dir);
    libreoffice_like(&dir.join("cv.pdf"));

    // pyHanko first, then kyso (visible stamp on the same page)
    pyhanko::sign(dir, "cv.pdf", "cv-ph.pdf");
    assert_ok(&fx.sign("pades", "01", &["--visible", "1,30,30,250,64", "cv-ph.pdf"]));
    let report = pyhanko::validate(dir, "cv-ph.signed.pdf");
    assert_eq!(fields_ok(&report), [true, true], "{report}");
    let k = json(&fx.verify_json(&["cv-ph.signed.pdf"]));
    assert_eq!(
        k[0]["later_changes"]["modifications"],
        serde_json::json!([]),
        "{k:#}"
    );
    assert_eq!(k[1]["status"], "valid", "{k:#}");

    // kyso first, then pyHanko
    assert_ok(&fx.sign("pades", "03", &["cv.pdf"]));
    pyhanko::sign(dir, "cv.signed.pdf", "cv-k-ph.pdf");
    let report = pyhanko::validate(dir, "cv-k-ph.pdf");
    assert_eq!(fields_ok(&report), [true, true], "{report}");
    let k = json(&fx.verify_json(&["cv-k-ph.pdf"]));
    assert_eq!(
        k[0]["status"], "valid",
        "kyso's signature, judged by kyso after pyHanko's: {k:#}"
    );
}
