//! `kyso doctor`: checks, in order, everything between a plugged-in token and a signature, and
//! says what to fix. Exits 1 when something blocks signing.

use std::path::{Path, PathBuf};

use serde::Serialize;

use kyso::config::ModuleConfig;
use kyso::devices::{self, udev, CardState, DeviceReport, PcscStatus};
use kyso::pkcs11::Backend;
use kyso::{t, Result, Token};

use super::pin::PinArgs;
use super::{context, print_json, Cli};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    Ok,
    /// Worth fixing, but signing can work.
    Warn,
    /// Blocks signing.
    Fail,
    /// Not checked because an earlier check failed.
    Skip,
}

#[derive(Debug, Serialize)]
struct Check {
    check: &'static str,
    status: Status,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

#[derive(Default)]
struct Doctor {
    checks: Vec<Check>,
}

impl Doctor {
    fn add(&mut self, check: &'static str, status: Status, detail: String, fix: Option<String>) {
        self.checks.push(Check {
            check,
            status,
            detail,
            fix,
        });
    }
    fn ok(&mut self, check: &'static str, detail: impl Into<String>) {
        self.add(check, Status::Ok, detail.into(), None);
    }
    /// A failure; `blocking` false downgrades it to a warning (another path to a token exists).
    fn fail(
        &mut self,
        check: &'static str,
        blocking: bool,
        detail: String,
        fix: impl Into<String>,
    ) {
        let status = if blocking { Status::Fail } else { Status::Warn };
        self.add(check, status, detail, Some(fix.into()));
    }
    fn skip(&mut self, check: &'static str, why: &str) {
        self.add(
            check,
            Status::Skip,
            t!("doctor-not-checked", why = why),
            None,
        );
    }
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The checks' names: stable, for scripts (`--json`'s `check`); what people read is each
/// check's `doctor-check-…` title from the catalogues.
mod check {
    /// Every check, in the order `kyso doctor` runs them.
    #[cfg(test)]
    pub const ALL: [&str; 12] = [
        PCSCD_INSTALLED,
        PCSCD_REACHABLE,
        READERS_PRESENT,
        CARD_PRESENT,
        TOKEN_IDENTIFIED,
        MODULE_LOADABLE,
        TOKEN_VISIBLE,
        CERTIFICATES_VALID,
        UDEV_RULES,
        REGISTERED,
        SERVE_RUNNING,
        SERVE_CA_TRUSTED,
    ];
    pub const PCSCD_INSTALLED: &str = "pcscd installed"; // i18n: a stable name
    pub const PCSCD_REACHABLE: &str = "pcscd reachable"; // i18n: a stable name
    pub const READERS_PRESENT: &str = "readers present"; // i18n: a stable name
    pub const CARD_PRESENT: &str = "card present"; // i18n: a stable name
    pub const TOKEN_IDENTIFIED: &str = "token identified"; // i18n: a stable name
    pub const MODULE_LOADABLE: &str = "module installed and loadable"; // i18n: a stable name
    pub const TOKEN_VISIBLE: &str = "token visible through the module"; // i18n: a stable name
    pub const CERTIFICATES_VALID: &str = "certificates found and not expired"; // i18n: a stable name
    pub const UDEV_RULES: &str = "udev rules installed"; // i18n: a stable name
    pub const REGISTERED: &str = "kyso module registered in browsers"; // i18n: a stable name
    pub const SERVE_RUNNING: &str = "kyso serve (signing on web portals) running"; // i18n: a stable name
    pub const SERVE_CA_TRUSTED: &str = "browsers trust kyso serve's local CA"; // i18n: a stable name
}

/// The PC/SC checks; true when a card is present (the later checks have something to look at).
fn check_pcsc(d: &mut Doctor, report: &DeviceReport, blocking: bool) -> bool {
    match find_in_path("pcscd") {
        Some(p) => d.ok(check::PCSCD_INSTALLED, p.display().to_string()),
        None => d.fail(
            check::PCSCD_INSTALLED,
            blocking,
            t!("doctor-pcscd-missing"),
            t!("doctor-pcscd-install"),
        ),
    }
    let readers = match &report.pcsc {
        PcscStatus::Running { readers } => {
            d.ok(check::PCSCD_REACHABLE, t!("doctor-pcscd-answers"));
            readers
        }
        PcscStatus::NotRunning { message } | PcscStatus::Failed { message } => {
            d.fail(
                check::PCSCD_REACHABLE,
                blocking,
                t!("doctor-pcscd-unreachable", message = message.clone()),
                t!("doctor-pcscd-start"),
            );
            for c in [
                check::READERS_PRESENT,
                check::CARD_PRESENT,
                check::TOKEN_IDENTIFIED,
            ] {
                d.skip(c, &t!("doctor-why-no-pcscd"));
            }
            return false;
        }
    };
    if readers.is_empty() {
        d.fail(
            check::READERS_PRESENT,
            blocking,
            t!("doctor-no-reader"),
            t!("doctor-no-reader-fix"),
        );
        for c in [check::CARD_PRESENT, check::TOKEN_IDENTIFIED] {
            d.skip(c, &t!("doctor-why-no-reader"));
        }
        return false;
    }
    let names: Vec<_> = readers.iter().map(|r| r.name.as_str()).collect();
    d.ok(check::READERS_PRESENT, names.join(", "));
    let present: Vec<_> = report
        .readers
        .iter()
        .filter(|r| matches!(r.card, CardState::Present { .. }))
        .collect();
    if present.is_empty() {
        let mute = report.readers.iter().any(|r| r.card == CardState::Mute);
        let (detail, fix) = if mute {
            (t!("doctor-card-mute"), t!("doctor-card-mute-fix"))
        } else {
            (t!("doctor-no-card"), t!("doctor-no-card-fix"))
        };
        d.fail(check::CARD_PRESENT, blocking, detail, fix);
        d.skip(check::TOKEN_IDENTIFIED, &t!("doctor-why-no-card"));
        return false;
    }
    let cards: Vec<_> = present
        .iter()
        .map(|r| match &r.card {
            CardState::Present { atr } => format!("{}: {atr}", r.name),
            _ => r.name.clone(),
        })
        .collect();
    d.ok(check::CARD_PRESENT, cards.join("; "));
    let known: Vec<_> = report.identified().map(|i| i.product.clone()).collect();
    if known.is_empty() {
        d.fail(
            check::TOKEN_IDENTIFIED,
            blocking,
            t!("doctor-atr-unknown"),
            t!("doctor-atr-fix"),
        );
    } else {
        d.ok(check::TOKEN_IDENTIFIED, known.join(", "));
    }
    true
}

fn check_modules(
    d: &mut Doctor,
    report: &DeviceReport,
    configured: Vec<ModuleConfig>,
) -> Option<Backend> {
    let modules = if configured.is_empty() {
        let (auto, notes) = report.modules_to_load();
        if auto.is_empty() {
            let hints: Vec<_> = report
                .identified()
                .filter_map(|i| i.install_hint())
                .collect();
            let fix = if hints.is_empty() {
                t!("doctor-plug-known")
            } else {
                hints.join("; ")
            };
            d.fail(
                check::MODULE_LOADABLE,
                true,
                if notes.is_empty() {
                    t!("doctor-no-module")
                } else {
                    notes.join("; ")
                },
                fix,
            );
            return None;
        }
        auto
    } else {
        configured
    };
    let backend = Backend::load(&modules);
    if backend.failures.is_empty() {
        let names: Vec<_> = backend
            .modules
            .iter()
            .map(|m| format!("{} ({})", m.name(), m.path().display()))
            .collect();
        d.ok(check::MODULE_LOADABLE, names.join(", "));
    } else {
        let why: Vec<_> = backend
            .failures
            .iter()
            .map(|(_, e)| e.localized())
            .collect();
        d.fail(
            check::MODULE_LOADABLE,
            backend.modules.is_empty(),
            why.join("; "),
            t!("doctor-module-fix"),
        );
    }
    (!backend.modules.is_empty()).then_some(backend)
}

/// Options of `kyso doctor`.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Log in to each token (the PIN is asked as for `kyso sign`) to see the private keys
    /// that tokens show only after login.
    #[arg(long)]
    login: bool,
    #[command(flatten)]
    pin: PinArgs,
}

fn check_tokens(d: &mut Doctor, backend: &Backend, report: &DeviceReport, args: &DoctorArgs) {
    let (tokens, errors) = backend.tokens();
    if tokens.is_empty() {
        let mut detail = t!("doctor-no-token");
        for (m, e) in &errors {
            detail.push_str(&format!("; {m}: {}", e.localized()));
        }
        // Better modules the catalogue names for the token, not installed here.
        let better: Vec<String> = report
            .identified()
            .flat_map(|i| {
                i.modules.iter().take_while(|m| m.path.is_none()).map(|m| {
                    t!(
                        "doctor-install-module",
                        name = m.name.clone(),
                        how = m.install.clone()
                    )
                })
            })
            .collect();
        let mut fix = t!("doctor-reinsert").to_owned();
        if !better.is_empty() {
            fix.push_str(&format!("; {}", better.join("; ")));
        }
        d.fail(check::TOKEN_VISIBLE, true, detail, fix);
        d.skip(check::CERTIFICATES_VALID, &t!("doctor-why-no-token"));
        return;
    }
    let labels: Vec<_> = tokens.iter().map(|t| t.label().to_owned()).collect();
    d.ok(check::TOKEN_VISIBLE, labels.join(", "));
    let now = time::OffsetDateTime::now_utc();
    let (mut usable, mut expired, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    // Certificates whose private key the token would show only after a login.
    let mut hidden = Vec::new();
    for t in &tokens {
        if args.login && !t.is_logged_in() {
            let login = args
                .pin
                .read(&t!("pin-prompt", token = t.label().to_string()))
                .and_then(|pin| t.login(&pin));
            if let Err(e) = login {
                problems.push(format!("{}: {}", t.label(), e.localized()));
                continue;
            }
        }
        match t.certificates() {
            Ok(certs) => {
                if !t.is_logged_in() {
                    hidden.extend(certs.iter().filter(|c| !c.has_private_key).map(|c| {
                        let name = c.certificate.common_name().unwrap_or(c.label.as_str());
                        format!("{name} [{}]", t.label())
                    }));
                }
                for c in certs.iter().filter(|c| c.has_private_key) {
                    let name = c
                        .certificate
                        .common_name()
                        .unwrap_or(c.label.as_str())
                        .to_owned();
                    if c.certificate.is_valid_at(now) {
                        usable.push(format!("{name} [{}]", t.label()));
                    } else {
                        expired.push(t!(
                            "doctor-cert-validity",
                            name = name.clone(),
                            token = t.label().to_string(),
                            from = c.certificate.summary().not_before.to_string(),
                            to = c.certificate.summary().not_after.to_string()
                        ));
                    }
                }
            }
            Err(e) => problems.push(format!("{}: {}", t.label(), e.localized())),
        }
    }
    if !usable.is_empty() {
        d.ok(check::CERTIFICATES_VALID, usable.join(", "));
        if !expired.is_empty() {
            d.fail(
                check::CERTIFICATES_VALID,
                false,
                t!("doctor-also-expired", list = expired.join(", ")),
                t!("doctor-renew-them"),
            );
        }
    } else if !expired.is_empty() {
        d.fail(
            check::CERTIFICATES_VALID,
            true,
            t!("doctor-all-expired", list = expired.join(", ")),
            t!("doctor-renew"),
        );
    } else if !hidden.is_empty() {
        // Not seen is not absent: most real tokens show private keys only after a login.
        d.fail(
            check::CERTIFICATES_VALID,
            false,
            t!("doctor-keys-hidden", list = hidden.join(", ")),
            t!("doctor-login-fix"),
        );
    } else {
        problems.insert(0, t!("doctor-no-cert"));
        d.fail(
            check::CERTIFICATES_VALID,
            true,
            problems.join("; "),
            t!("doctor-no-cert-fix"),
        );
    }
}

fn check_udev(d: &mut Doctor) {
    let found = udev::RULES_DIRS
        .iter()
        .map(|dir| Path::new(dir).join(udev::RULES_FILE))
        .find(|p| p.is_file());
    match found {
        Some(p) => d.ok(check::UDEV_RULES, p.display().to_string()),
        None => d.fail(
            check::UDEV_RULES,
            false,
            t!("doctor-udev-missing", file = udev::RULES_FILE),
            t!("doctor-udev-fix"),
        ),
    }
}

fn check_registered(d: &mut Doctor) {
    const CHECK: &str = check::REGISTERED;
    match super::register::doctor_state() {
        Ok((ok, missing)) if missing.is_empty() && !ok.is_empty() => d.ok(CHECK, ok.join(", ")),
        Ok((ok, missing)) => {
            let mut detail = t!("doctor-not-registered", list = missing.join(", "));
            if !ok.is_empty() {
                detail.push_str(&format!(
                    "; {}",
                    t!("doctor-registered-in", list = ok.join(", "))
                ));
            }
            d.fail(CHECK, false, detail, t!("doctor-register-fix"))
        }
        Err(e) => d.fail(CHECK, false, e.localized(), t!("doctor-set-home")),
    }
}

/// `kyso serve`: whether it answers on its ports, and whether the browsers trust its CA.
fn check_serve(d: &mut Doctor) {
    use super::loopback::{self, Probe};
    const RUNS: &str = check::SERVE_RUNNING;
    let ca = loopback::localca::ca_file(&loopback::localca::default_dir());
    let vgca = loopback::probe(super::serve::VGCA_PORT, &ca);
    let vnpt = super::serve::VNPT_PORTS
        .iter()
        .map(|&p| (p, loopback::probe(p, &ca)))
        .find(|(_, s)| *s == Probe::Ours);
    match (vgca, vnpt) {
        (Probe::Ours, Some((port, _))) => d.ok(
            RUNS,
            t!(
                "doctor-serve-ports",
                vgca = super::serve::VGCA_PORT,
                vnpt = port
            ),
        ),
        (Probe::Other, _) => d.fail(
            RUNS,
            false,
            t!("doctor-serve-port-taken", port = super::serve::VGCA_PORT),
            t!("doctor-serve-port-taken-fix"),
        ),
        _ => d.fail(
            RUNS,
            false,
            t!("doctor-serve-not-running"),
            t!("doctor-serve-not-running-fix"),
        ),
    }
    const TRUST: &str = check::SERVE_CA_TRUSTED;
    match super::register::ca_trust_state() {
        Ok((ok, missing)) if missing.is_empty() && !ok.is_empty() => d.ok(TRUST, ok.join(", ")),
        Ok((_, missing)) if missing.is_empty() => d.skip(TRUST, &t!("doctor-serve-no-nss-db")),
        Ok((ok, missing)) => {
            let missing = missing.join(", ");
            let detail = if ok.is_empty() {
                t!("doctor-serve-ca-untrusted", missing = missing)
            } else {
                t!(
                    "doctor-serve-ca-partly-trusted",
                    missing = missing,
                    trusted = ok.join(", ")
                )
            };
            d.fail(TRUST, false, detail, t!("doctor-serve-ca-fix"))
        }
        Err(e) => d.fail(TRUST, false, e.localized(), t!("doctor-set-home")),
    }
}

pub fn run(cli: &Cli, args: &DoctorArgs) -> Result<i32> {
    let configured = context::configured_modules(cli)?;
    let report = devices::report();
    let mut d = Doctor::default();
    // With modules configured (SoftHSM, a remote HSM…), a missing pcscd or card is a warning:
    // those modules may reach their tokens without it.
    let pcsc_blocking = configured.is_empty();
    let card = check_pcsc(&mut d, &report, pcsc_blocking);
    let usb_token = !report.usb_tokens.is_empty();
    if card || usb_token || !configured.is_empty() {
        match check_modules(&mut d, &report, configured) {
            Some(backend) => check_tokens(&mut d, &backend, &report, args),
            None => {
                d.skip(check::TOKEN_VISIBLE, &t!("doctor-why-no-module"));
                d.skip(check::CERTIFICATES_VALID, &t!("doctor-why-no-module"));
            }
        }
    } else {
        for c in [
            check::MODULE_LOADABLE,
            check::TOKEN_VISIBLE,
            check::CERTIFICATES_VALID,
        ] {
            d.skip(c, &t!("doctor-why-no-token-found"));
        }
    }
    check_udev(&mut d);
    check_registered(&mut d);
    check_serve(&mut d);
    let blocked = d.checks.iter().any(|c| c.status == Status::Fail);
    if cli.json {
        print_json(&serde_json::json!({ "ok": !blocked, "checks": d.checks }));
    } else {
        for c in &d.checks {
            let mark = |s: Status| match s {
                Status::Ok => t!("doctor-mark-ok"),
                Status::Warn => t!("doctor-mark-warn"),
                Status::Fail => t!("doctor-mark-fail"),
                Status::Skip => t!("doctor-mark-skip"),
            };
            let width = [Status::Ok, Status::Warn, Status::Fail, Status::Skip]
                .iter()
                .map(|&s| mark(s).chars().count())
                .max()
                .unwrap_or(4);
            let m = mark(c.status);
            let pad = " ".repeat(width - m.chars().count());
            println!("[{m}{pad}] {}: {}", check_title(c.check), c.detail);
            if let Some(f) = &c.fix {
                println!("{}{}: {f}", " ".repeat(width + 3), t!("doctor-fix"));
            }
        }
        println!(
            "{}",
            if blocked {
                t!("doctor-blocked")
            } else {
                t!("doctor-ready")
            }
        );
    }
    Ok(if blocked { 1 } else { 0 })
}

/// `doctor-check-<the name's words, lowercase, joined by '-'>`.
fn title_id(check: &str) -> String {
    let words: Vec<String> = check
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("doctor-check-{}", words.join("-"))
}

/// A check's title in the language in use (`check` stays the stable name `--json` gives).
fn check_title(check: &str) -> String {
    let id = title_id(check);
    if kyso::i18n::has_message(&id) {
        kyso::i18n::tr(&id, &[])
    } else {
        check.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyso::i18n::{tr_in, Lang};

    #[test]
    fn every_check_has_a_title_in_both_languages() {
        for c in check::ALL {
            let id = title_id(c);
            assert!(kyso::i18n::has_message(&id), "{id}");
            assert_eq!(tr_in(Lang::En, &id, &[]), c, "English title is the name");
            assert_ne!(tr_in(Lang::Vi, &id, &[]), c, "{id} has no Vietnamese");
        }
    }
}
