//! `-vv` is for reading: the binding's one ERROR line per vendor mechanism it has no name for
//! (about 30 on a SoftHSM run) is off unless KYSO_LOG_LEVEL asks for it.

mod common;

use common::*;

#[test]
fn verbose_runs_do_not_list_unnamed_mechanisms_as_errors() {
    let fx = Fixture::new();
    std::fs::write(fx.path("a.txt"), "x").unwrap();
    let mut args = vec!["-vv".to_owned()];
    args.extend(fx.sign_args("raw", "01", &["a.txt"]));
    let out = fx.run(&strs(&args));
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("[DEBUG"), "-vv logs: {err}");
    assert!(!err.contains("cryptoki::mechanism"), "{err}");
    let out = fx
        .kyso()
        .env("KYSO_LOG_LEVEL", "debug,cryptoki::mechanism=error")
        .arg("--module")
        .arg(SOFTHSM)
        .args(&args)
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(
        stderr(&out).contains("cryptoki::mechanism"),
        "asked for, shown"
    );
}
