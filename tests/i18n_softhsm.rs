//! kyso speaks the locale's language: under `LANG=vi_VN.UTF-8` listings, a batch with a
//! failure, a wrong PIN, `doctor` and `--help` are in Vietnamese; under `LANG=C` (or with
//! `--lang en`) in English; `--json` keeps its keys and adds a stable error code; the visible
//! stamp speaks the document's language (`--stamp-lang`), whatever the interface's.

mod common;

use std::process::{Command, Output};

use common::*;

/// `kyso --module SoftHSM ARGS…` under locale `lang`.
fn run_in(fx: &Fixture, lang: &str, args: &[&str]) -> Output {
    fx.kyso()
        .env("LANG", lang)
        .arg("--module")
        .arg(SOFTHSM)
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

#[test]
fn listings_and_a_batch_with_a_failure_follow_the_locale() {
    let fx = Fixture::new();
    let vi = text(&run_in(&fx, "vi_VN.UTF-8", &["certs"]));
    for w in ["chủ thể", "định danh", "nơi cấp", "hiệu lực"] {
        assert!(vi.contains(w), "{w}: {vi}");
    }
    let en = text(&run_in(&fx, "C.UTF-8", &["certs"]));
    assert!(en.contains("subject") && !en.contains("chủ thể"), "{en}");
    let tokens = text(&run_in(&fx, "vi_VN.UTF-8", &["tokens"]));
    assert!(tokens.contains("mã PIN bình thường"), "{tokens}");

    std::fs::write(fx.path("cv.txt"), "Công văn").unwrap();
    let args = fx.sign_args("raw", "01", &["cv.txt", "missing.txt"]);
    let out = run_in(&fx, "vi_VN.UTF-8", &strs(&args));
    assert_eq!(out.status.code(), Some(1));
    let vi = text(&out);
    assert!(vi.contains("đã ký cv.txt -> cv.txt.sig"), "{vi}");
    assert!(
        vi.contains("1 đã ký, 0 bỏ qua (đã ký trước đó), 1 lỗi"),
        "{vi}"
    );
    assert!(
        vi.contains("  lỗi: missing.txt: không tìm thấy tệp"),
        "{vi}"
    );
    // --lang wins over the locale
    std::fs::remove_file(fx.path("cv.txt.sig")).unwrap();
    let mut en_args = vec!["--lang", "en"];
    en_args.extend(strs(&args));
    let en = text(&run_in(&fx, "vi_VN.UTF-8", &en_args));
    assert!(
        en.contains("1 signed, 0 skipped (already signed), 1 failed with"),
        "{en}"
    );

    // --json: the same keys in any language, and a stable code next to the message
    let mut json_args = vec!["--json"];
    json_args.extend(strs(&args));
    let out = run_in(&fx, "vi_VN.UTF-8", &json_args);
    let report = json(&out);
    assert_eq!(report["failed"][0]["code"], "input-not-found", "{report:#}");
    assert_eq!(report["signed"][0]["file"], "cv.txt", "{report:#}");
}

#[test]
fn a_wrong_pin_is_said_in_vietnamese_and_tried_once() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "a").unwrap();
    let bad = fx.pin_file("000000");
    let (out, log) = {
        let log = fx.path("spy.log");
        let out = fx
            .kyso()
            .env("LANG", "vi_VN.UTF-8")
            .env("PKCS11SPY", SOFTHSM)
            .env("PKCS11SPY_OUTPUT", &log)
            .args([
                "--module",
                SPY,
                "sign",
                "--format",
                "raw",
                "--token",
                "kyso-test",
            ])
            .args(["--key-id", "01", "--pin-file"])
            .arg(&bad)
            .arg("a.txt")
            .output()
            .unwrap();
        (out, log)
    };
    let err = stderr(&out);
    assert!(err.contains("sai mã PIN"), "{err}");
    assert!(err.contains("kyso không tự thử lại"), "{err}");
    assert_eq!(spy_count(&log, "C_Login"), 1, "one attempt, never retried");
}

#[test]
fn doctor_and_help_speak_vietnamese() {
    let fx = Fixture::new();
    let doctor = text(&run_in(&fx, "vi_VN.UTF-8", &["doctor"]));
    assert!(
        doctor
            .lines()
            .any(|l| l.contains("mô-đun thấy thiết bị ký số:") && l.contains("kyso-test")),
        "{doctor}"
    );
    assert!(doctor.contains("[tốt"), "{doctor}");
    let json = json(&run_in(&fx, "vi_VN.UTF-8", &["--json", "doctor"]));
    assert!(
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["check"] == "token visible through the module"),
        "check names stay stable in JSON: {json:#}"
    );

    let help = text(&run_in(&fx, "vi_VN.UTF-8", &["sign", "--help"]));
    for w in ["Cách dùng:", "Tùy chọn:", "Định dạng chữ ký", "Ký các tệp"] {
        assert!(help.contains(w), "{w}: {help}");
    }
    let help = text(&run_in(
        &fx,
        "vi_VN.UTF-8",
        &["--lang", "en", "sign", "--help"],
    ));
    assert!(
        help.contains("Usage:") && help.contains("Signature format"),
        "{help}"
    );
    let help = text(&run_in(&fx, "C", &["--help"]));
    assert!(
        help.contains("Usage:") && !help.contains("Cách dùng"),
        "{help}"
    );
}

#[test]
fn the_stamp_speaks_the_documents_language() {
    let fx = Fixture::new();
    common::small_pdf::write_pdf(
        &fx.path("a.pdf"),
        &[
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned(),
        ],
    );
    std::fs::copy(fx.path("a.pdf"), fx.path("b.pdf")).unwrap();
    let stamp = ["--visible", "1,330,56,225,80", "--reason", "Phê duyệt"];
    let mut a = fx.sign_args("pades", "01", &stamp);
    a.push("a.pdf".into());
    assert_ok(&run_in(&fx, "C.UTF-8", &strs(&a)));
    let mut b = fx.sign_args("pades", "01", &stamp);
    b.extend(["--stamp-lang".into(), "en".into(), "b.pdf".into()]);
    assert_ok(&run_in(&fx, "vi_VN.UTF-8", &strs(&b)));
    let page = |f: &str| {
        let o = Command::new("pdftotext")
            .arg(fx.path(f))
            .arg("-")
            .output()
            .unwrap();
        stdout(&o)
    };
    let vi = page("a.signed.pdf");
    assert!(
        vi.contains("Ký bởi:") && vi.contains("Thời gian:") && vi.contains("Lý do: Phê duyệt"),
        "{vi}"
    );
    let en = page("b.signed.pdf");
    assert!(
        en.contains("Signed by:") && en.contains("Time:") && en.contains("Reason: Phê duyệt"),
        "{en}"
    );
    assert!(!en.contains("Ký bởi"), "{en}");

    // Rendered (pdftoppm): each stamp has ink in its box, and the two languages differ there.
    let render = |f: &str| -> (usize, Vec<u8>) {
        let prefix = fx.path(&format!("{f}-render"));
        let o = Command::new("pdftoppm")
            .args(["-gray", "-r", "72", "-f", "1", "-l", "1", "-singlefile"])
            .arg(fx.path(f))
            .arg(&prefix)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let pgm = std::fs::read(fx.path(&format!("{f}-render.pgm"))).unwrap();
        // P5 header: magic, width, height, maxval, each followed by whitespace
        let mut fields = Vec::new();
        let mut i = 0;
        while fields.len() < 4 {
            let start = i;
            while !pgm[i].is_ascii_whitespace() {
                i += 1;
            }
            fields.push(String::from_utf8_lossy(&pgm[start..i]).into_owned());
            i += 1;
        }
        assert_eq!(fields[0], "P5");
        (fields[1].parse().unwrap(), pgm[i..].to_vec())
    };
    let stamp = |(width, pixels): &(usize, Vec<u8>)| -> Vec<u8> {
        // the box 330,56 225×80 in points from the bottom-left; the page is 842 high
        let (x0, y0) = (330, 842 - 56 - 80);
        (y0..y0 + 80)
            .flat_map(|y| (x0..x0 + 225).map(move |x| (x, y)))
            .map(|(x, y)| pixels[y * width + x])
            .collect()
    };
    let (vi_box, en_box) = (
        stamp(&render("a.signed.pdf")),
        stamp(&render("b.signed.pdf")),
    );
    let ink = |b: &[u8]| b.iter().filter(|&&p| p < 128).count();
    assert!(ink(&vi_box) > 200, "the Vietnamese stamp has text drawn");
    assert!(ink(&en_box) > 200, "the English stamp has text drawn");
    assert_ne!(vi_box, en_box, "the two languages draw different words");
}

#[test]
fn verify_reports_in_vietnamese() {
    let fx = Fixture::new();
    std::fs::write(fx.path("cv.txt"), "Công văn số 12").unwrap();
    let mut args = fx.sign_args("cms", "01", &[]);
    args.push("cv.txt".into());
    assert_ok(&run_in(&fx, "C.UTF-8", &strs(&args)));
    let ca = fx.path("ca.pem");
    let ca = ca.to_str().unwrap();
    let out = run_in(
        &fx,
        "vi_VN.UTF-8",
        &["verify", "--offline", "--trust", ca, "cv.txt"],
    );
    let vi = text(&out);
    assert_eq!(out.status.code(), Some(0), "{vi}");
    assert!(vi.contains("cv.txt: HỢP LỆ"), "{vi}");
    // label, then its value, aligned with the others
    let has = |label: &str, value: &str| {
        vi.lines().any(|l| {
            l.trim_start()
                .strip_prefix(label)
                .is_some_and(|v| v.starts_with(' ') && v.trim_start().starts_with(value))
        })
    };
    for (label, value) in [
        ("người ký", "NGUYỄN VĂN AN (CCCD:001099012345)"),
        ("chủ thể", "UID=CCCD:001099012345"),
        ("nơi cấp", "CN=Kyso Test CA"),
        ("chữ ký", "hợp lệ"),
        ("tài liệu", "không bị sửa đổi"),
        ("thu hồi", "chưa kiểm tra"),
    ] {
        assert!(has(label, value), "{label} {value}: {vi}");
    }
    assert!(
        vi.contains("(theo khai báo của người ký, không có dấu thời gian)"),
        "{vi}"
    );
    // A changed byte: said in Vietnamese, judged the same as in English.
    std::fs::write(fx.path("cv.txt"), "Công văn số 13").unwrap();
    let out = run_in(
        &fx,
        "vi_VN.UTF-8",
        &["verify", "--offline", "--trust", ca, "cv.txt"],
    );
    let vi = text(&out);
    assert_eq!(out.status.code(), Some(1), "{vi}");
    assert!(vi.contains("cv.txt: KHÔNG HỢP LỆ"), "{vi}");
    assert!(vi.contains("ĐÃ BỊ SỬA ĐỔI sau khi ký"), "{vi}");
    assert!(vi.contains("giá trị băm khác"), "{vi}");
    let en = text(&run_in(
        &fx,
        "C.UTF-8",
        &["verify", "--offline", "--trust", ca, "cv.txt"],
    ));
    assert!(
        en.contains("cv.txt: INVALID") && en.contains("MODIFIED after signing"),
        "{en}"
    );
    // A folder: the count line too.
    let out = run_in(
        &fx,
        "vi_VN.UTF-8",
        &["verify", "--offline", "--trust", ca, "."],
    );
    let vi = text(&out);
    assert!(
        vi.contains("0 hợp lệ, 1 không hợp lệ, 0 không được tin cậy"),
        "{vi}"
    );
}

#[test]
fn command_line_mistakes_are_said_in_vietnamese() {
    let fx = Fixture::new();
    let out = run_in(&fx, "vi_VN.UTF-8", &["sign", "--bogus", "a.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let vi = stderr(&out);
    assert!(vi.starts_with("lỗi: không có tùy chọn '--bogus'"), "{vi}");
    assert!(vi.contains("Cách dùng: kyso sign"), "{vi}");
    assert!(!vi.contains("error:") && !vi.contains("Usage"), "{vi}");
    let vi = stderr(&run_in(&fx, "vi_VN.UTF-8", &["sgn"]));
    assert!(
        vi.contains("không có lệnh 'sgn'") && vi.contains("'sign'"),
        "{vi}"
    );
    let vi = stderr(&run_in(
        &fx,
        "vi_VN.UTF-8",
        &["sign", "--format", "zzz", "a"],
    ));
    assert!(
        vi.contains("giá trị 'zzz' không hợp lệ") && vi.contains("raw, cms, pades, xml"),
        "{vi}"
    );
    // English stays clap's own.
    let out = run_in(&fx, "C.UTF-8", &["sign", "--bogus", "a.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error: unexpected argument '--bogus' found"),
        "{}",
        stderr(&out)
    );
}
