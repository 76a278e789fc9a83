//! `kyso app`'s server on 127.0.0.1, driven by a plain HTTP client sending exactly the headers
//! a browser (or a hostile page) would: the launch URL's secret is traded for a strict cookie
//! and a redirect; without it, from another origin or through another host name, nothing is
//! served; the document list says what pdfinfo and pdfsig say about each file.

#[path = "common/app.rs"]
mod app;
mod common;

use std::process::Command;

use app::App;
use common::*;

const SPEC_PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/pdf/shared-mime-info-spec.pdf"
);

fn start(fx: &Fixture, files: &[&str]) -> App {
    App::start(fx.kyso(), files)
}

#[test]
fn the_launch_url_sets_a_strict_cookie_and_redirects_to_the_clean_address() {
    let fx = Fixture::new();
    let app = start(&fx, &[]);
    assert_eq!(app.launch.len(), "/?s=".len() + 64, "{}", app.launch);
    let r = app.request("GET", &app.launch, &[("Host", &app.host())], None);
    assert_eq!(r.status, 303, "{r:?}");
    assert_eq!(r.header("location"), Some("/"));
    let set = r.header("set-cookie").unwrap();
    assert!(set.contains("; HttpOnly"), "{set}");
    assert!(set.contains("; SameSite=Strict"), "{set}");
    let cookie = app.cookie();
    // Vietnamese first; English when the browser prefers it
    let page = |lang: &str| {
        let r = app.request(
            "GET",
            "/",
            &[
                ("Host", &app.host()),
                ("Cookie", &cookie),
                ("Accept-Language", lang),
            ],
            None,
        );
        assert_eq!(r.status, 200, "{r:?}");
        assert!(r
            .header("content-security-policy")
            .is_some_and(|c| c.contains("frame-ancestors 'none'")));
        r.body
    };
    assert!(page("vi-VN,vi;q=0.9").contains("<title>Ký số tài liệu</title>"));
    assert!(page("en-US,en;q=0.9").contains("<title>Sign documents</title>"));
    let texts = app.get_json(&cookie, "/api/texts");
    assert_eq!(texts["files"], "Tài liệu", "{texts}");
    // the same address through `localhost` is this computer too
    let r = app.request(
        "GET",
        "/api/files",
        &[
            ("Host", &format!("localhost:{}", app.port)),
            ("Cookie", &cookie),
        ],
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn without_the_secret_nothing_is_served() {
    let fx = Fixture::new();
    let app = start(&fx, &[SPEC_PDF]);
    let host = app.host();
    for (path, headers) in [
        ("/", vec![("Host", host.as_str())]),
        ("/api/files", vec![("Host", host.as_str())]),
        ("/?s=0000", vec![("Host", host.as_str())]),
        (
            "/api/files",
            vec![("Host", host.as_str()), ("Cookie", "kyso-app-1=x")],
        ),
    ] {
        let r = app.request("GET", path, &headers, None);
        assert_eq!(r.status, 403, "{path} {headers:?}: {r:?}");
        assert!(!r.body.contains("shared-mime-info"), "{r:?}");
    }
    // a wrong secret of the right length, in the URL and in the cookie
    let wrong = format!("{}{}", &app.launch[..app.launch.len() - 1], "x");
    let r = app.request("GET", &wrong, &[("Host", &host)], None);
    assert_eq!(r.status, 403, "{r:?}");
    let cookie = app.cookie();
    let (name, value) = cookie.split_once('=').unwrap();
    let forged = format!("{name}={}x", &value[..value.len() - 1]);
    let r = app.request(
        "GET",
        "/api/files",
        &[("Host", &host), ("Cookie", &forged)],
        None,
    );
    assert_eq!(r.status, 403, "{r:?}");
}

#[test]
fn another_web_page_cannot_drive_it() {
    let fx = Fixture::new();
    let app = start(&fx, &[]);
    let host = app.host();
    let cookie = app.cookie();
    // a page elsewhere, even with the cookie (a browser would send it on a lax navigation)
    for origin in ["http://evil.example", "http://127.0.0.1:1", "null"] {
        let r = app.request(
            "GET",
            "/api/files",
            &[("Host", &host), ("Cookie", &cookie), ("Origin", origin)],
            None,
        );
        assert_eq!(r.status, 403, "{origin}: {r:?}");
    }
    let r = app.request(
        "GET",
        "/api/files",
        &[
            ("Host", &host),
            ("Cookie", &cookie),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        None,
    );
    assert_eq!(r.status, 403, "{r:?}");
    // adding files from another origin, or with no Origin at all, adds nothing
    let body = format!(r#"{{"paths": ["{SPEC_PDF}"]}}"#);
    for origin in [Some("http://evil.example"), None] {
        let mut h = vec![("Host", host.as_str()), ("Cookie", cookie.as_str())];
        h.extend(origin.map(|o| ("Origin", o)));
        let r = app.request("POST", "/api/files", &h, Some(&body));
        assert_eq!(r.status, 403, "{origin:?}: {r:?}");
    }
    assert_eq!(app.get_json(&cookie, "/api/files"), serde_json::json!([]));
    // the page itself may
    let own = format!("http://{host}");
    let r = app.request(
        "POST",
        "/api/files",
        &[("Host", &host), ("Cookie", &cookie), ("Origin", &own)],
        Some(&body),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        app.get_json(&cookie, "/api/files")
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_wrong_host_is_refused() {
    // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1
    let fx = Fixture::new();
    let app = start(&fx, &[]);
    let cookie = app.cookie();
    for host in [
        format!("evil.example:{}", app.port),
        "127.0.0.1".to_owned(),
        format!("127.0.0.1:{}", app.port + 1),
    ] {
        let r = app.request(
            "GET",
            "/api/files",
            &[("Host", &host), ("Cookie", &cookie)],
            None,
        );
        assert_eq!(r.status, 403, "{host}: {r:?}");
        let r = app.request("GET", &app.launch, &[("Host", &host)], None);
        assert_eq!(r.status, 403, "{host}: {r:?}");
    }
    let r = app.request("GET", "/api/files", &[("Cookie", &cookie)], None);
    assert_eq!(r.status, 403, "no Host: {r:?}");
}

fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success() || program == "pdfsig",
        "{program}: {out:?}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_list_says_what_pdfinfo_and_pdfsig_say() {
    let fx = Fixture::new();
    let docs = fx.path("docs");
    std::fs::create_dir_all(docs.join("sub")).unwrap();
    std::fs::copy(SPEC_PDF, docs.join("a.pdf")).unwrap();
    std::fs::copy(SPEC_PDF, docs.join("sub/b.pdf")).unwrap();
    assert_ok(&fx.sign("pades", "01", &[docs.join("sub/b.pdf").to_str().unwrap()]));
    std::fs::remove_file(docs.join("sub/b.pdf")).unwrap();
    std::fs::write(docs.join("notes.txt"), "ghi chú").unwrap();
    std::fs::write(docs.join("fake.pdf"), "not a PDF").unwrap();
    let locked = docs.join("locked.pdf");
    tool(
        "qpdf",
        &[
            "--encrypt",
            "u",
            "o",
            "256",
            "--",
            SPEC_PDF,
            locked.to_str().unwrap(),
        ],
    );
    let gone = fx.path("gone.pdf");
    let app = start(&fx, &[docs.to_str().unwrap(), gone.to_str().unwrap()]);
    let cookie = app.cookie();
    let list = app.get_json(&cookie, "/api/files");
    let rows = list.as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    let signed_name = std::fs::read_dir(docs.join("sub"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .next()
        .unwrap();
    assert_eq!(
        names,
        [
            "a.pdf",
            "fake.pdf",
            "locked.pdf",
            "notes.txt",
            signed_name.as_str(),
            "gone.pdf"
        ],
        "{list:#}"
    );
    let row = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap();
    // pages and size as pdfinfo and the file system see them
    let info = tool("pdfinfo", &[SPEC_PDF]);
    let pages: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(row("a.pdf")["pages"], pages, "{list:#}");
    assert_eq!(
        row("a.pdf")["size"],
        std::fs::metadata(SPEC_PDF).unwrap().len()
    );
    assert_eq!(row("a.pdf")["signers"], serde_json::json!([]));
    assert_eq!(row("a.pdf")["kind"], "pdf");
    // the signer pdfsig names
    let signed = docs.join("sub").join(&signed_name);
    let report = tool("pdfsig", &[signed.to_str().unwrap()]);
    let cn = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("- Signer Certificate Common Name:"))
        .unwrap_or_else(|| panic!("{report}"))
        .trim();
    assert_eq!(
        row(&signed_name)["signers"],
        serde_json::json!([cn]),
        "{list:#}"
    );
    // what cannot be signed, in plain Vietnamese words (no Accept-Language)
    let problem = |name: &str| row(name)["problem"].as_str().unwrap_or("").to_owned();
    assert!(problem("locked.pdf").contains("mật khẩu"), "{list:#}");
    assert!(
        problem("fake.pdf").contains("không phải tệp PDF"),
        "{list:#}"
    );
    assert!(problem("gone.pdf").contains("không còn"), "{list:#}");
    assert_eq!(row("notes.txt")["kind"], "other");
    assert!(row("notes.txt")["problem"].is_null());
}

#[test]
fn a_second_launch_hands_its_files_to_the_page_already_open() {
    let fx = Fixture::new();
    let run = fx.path("run");
    let launch = |files: &[&str]| {
        let mut cmd = fx.kyso();
        cmd.env("XDG_RUNTIME_DIR", &run);
        App::start(cmd, files)
    };
    let first = launch(&[]);
    let cookie = first.cookie();
    let pdf = fx.path("mới.pdf");
    std::fs::copy(SPEC_PDF, &pdf).unwrap();
    // "Open with" again: the same page (port and secret), the new file on it
    let second = launch(&[pdf.to_str().unwrap()]);
    assert_eq!((second.port, &second.launch), (first.port, &first.launch));
    let list = first.get_json(&cookie, "/api/files");
    assert_eq!(list[0]["path"], pdf.to_str().unwrap(), "{list:#}");
    // the address is left for the user only
    let state = run.join("kyso/app.json");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&state).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // once that page is gone, a launch starts its own
    drop(first);
    let third = launch(&[]);
    assert_ne!(third.launch, second.launch);
    assert_eq!(
        third
            .request("GET", &third.launch, &[("Host", &third.host())], None)
            .status,
        303
    );
}
