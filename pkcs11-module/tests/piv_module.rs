//! `libkyso_pkcs11.so` in front of OpenSC in front of a virtual PIV card over real pcscd and
//! vsmartcard-vpcd: NSS sees the card through kyso, and `C_WaitForSlotEvent` reports the card
//! coming and going with a slot id that stays. Serialised (nextest group `pcscd`).

#[path = "../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr::null_mut;
use std::time::{Duration, Instant};

use common::nss::*;
use common::pcscd::{Pcscd, PATIENCE};
use common::piv::{PivCard, PIV_PIN};
use common::*;
use cryptoki_sys::*;

/// kyso.toml naming OpenSC, and the environment every host of the module gets.
struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    card: PivCard,
    _pcscd: Pcscd,
}

impl Setup {
    fn new() -> Setup {
        let pcscd = Pcscd::start();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        std::fs::write(
            dir.join("kyso.toml"),
            format!("[[module]]\npath = \"{OPENSC}\"\nname = \"opensc\"\n"),
        )
        .unwrap();
        let card = PivCard::new(&dir.join("card"));
        Setup {
            _tmp: tmp,
            dir,
            card,
            _pcscd: pcscd,
        }
    }

    fn env(&self) -> [(&'static str, PathBuf); 3] {
        [
            ("KYSO_CONFIG", self.dir.join("kyso.toml")),
            ("KYSO_LOG", self.dir.join("kyso-module.log")),
            ("XDG_CACHE_HOME", self.dir.join("cache")),
        ]
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.envs(self.env()).current_dir(&self.dir);
        c
    }
}

fn module() -> String {
    let m = kyso_module();
    assert!(m.exists(), "{} not built", m.display());
    m.display().to_string()
}

/// An NSS database with kyso's module added (OpenSC and the card behind it).
fn kyso_nss_db(s: &Setup) -> String {
    let dbarg = nss_db(&s.dir.join("nssdb"));
    nss_add_module(s.command("modutil"), &dbarg, "kyso", Path::new(&module()));
    dbarg
}

#[test]
fn nss_sees_the_piv_card_and_its_keys_through_kyso_and_opensc() {
    let mut s = Setup::new();
    s.card.insert();
    let db = kyso_nss_db(&s);
    let out = s
        .command("certutil")
        .args(["-L", "-d", &db, "-h", "all"])
        .output()
        .unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    for label in [
        "Certificate for PIV Authentication",
        "Certificate for Digital Signature",
        "Certificate for Key Management",
        "Certificate for Card Authentication",
    ] {
        let nick = format!("NGUYỄN VĂN AN:{label}");
        assert!(
            text.lines().any(|l| l.starts_with(&nick)),
            "{nick} missing: {text}"
        );
    }
    assert_eq!(s.card.pin_verifications(), 0, "listing needs no PIN");

    // With the PIN (from a file, once): NSS lists the card's private keys through kyso.
    let pin = s.dir.join("pin");
    std::fs::write(&pin, PIV_PIN).unwrap();
    let out = s
        .command("certutil")
        .args(["-K", "-d", &db, "-h", "NGUYỄN VĂN AN", "-f"])
        .arg(&pin)
        .output()
        .unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    for key in [
        "rsa      01",
        "ec       02",
        "ec       03",
        "ec       04",
        "PIV AUTH key",
        "SIGN key",
    ] {
        assert!(text.contains(key), "{key}: {text}");
    }
    assert_eq!(s.card.pin_verifications(), 1, "{:#?}", s.card.apdus());
    assert_eq!(s.card.retries_left(), 3);
}

/// The function list of the module, loaded in this process.
fn p11() -> &'static CK_FUNCTION_LIST {
    let mut list: *mut CK_FUNCTION_LIST = null_mut();
    // SAFETY: valid out-pointer.
    assert_eq!(unsafe { kyso_pkcs11::C_GetFunctionList(&mut list) }, CKR_OK);
    // SAFETY: points at the module's static list.
    unsafe { &*list }
}

macro_rules! call {
    ($f:ident ( $($arg:expr),* )) => {
        // SAFETY: every pointer passed is valid for the call.
        unsafe { p11().$f.unwrap()($($arg),*) }
    };
}

fn all_slots() -> Vec<CK_SLOT_ID> {
    let mut n: CK_ULONG = 0;
    assert_eq!(call!(C_GetSlotList(CK_FALSE, null_mut(), &mut n)), CKR_OK);
    let mut ids = vec![0; n as usize];
    assert_eq!(
        call!(C_GetSlotList(CK_FALSE, ids.as_mut_ptr(), &mut n)),
        CKR_OK
    );
    ids.truncate(n as usize);
    ids
}

fn token_present(slot: CK_SLOT_ID) -> bool {
    // SAFETY: plain data; zeroed is valid.
    let mut si: CK_SLOT_INFO = unsafe { std::mem::zeroed() };
    assert_eq!(call!(C_GetSlotInfo(slot, &mut si)), CKR_OK);
    si.flags & CKF_TOKEN_PRESENT != 0
}

fn token_label(slot: CK_SLOT_ID) -> String {
    // SAFETY: plain data; zeroed is valid.
    let mut ti: CK_TOKEN_INFO = unsafe { std::mem::zeroed() };
    assert_eq!(call!(C_GetTokenInfo(slot, &mut ti)), CKR_OK);
    String::from_utf8_lossy(&ti.label).trim_end().to_owned()
}

/// Polls `C_WaitForSlotEvent(CKF_DONT_BLOCK)` as a host's UI timer would, until an event.
fn next_event() -> CK_SLOT_ID {
    let until = Instant::now() + PATIENCE;
    loop {
        let mut slot: CK_SLOT_ID = CK_UNAVAILABLE_INFORMATION;
        match call!(C_WaitForSlotEvent(CKF_DONT_BLOCK, &mut slot, null_mut())) {
            CKR_OK => return slot,
            CKR_NO_EVENT => {}
            rv => panic!("C_WaitForSlotEvent: {rv:#x}"),
        }
        assert!(Instant::now() < until, "no slot event within {PATIENCE:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn no_event() {
    let mut slot: CK_SLOT_ID = 0;
    assert_eq!(
        call!(C_WaitForSlotEvent(CKF_DONT_BLOCK, &mut slot, null_mut())),
        CKR_NO_EVENT
    );
}

fn certificates(slot: CK_SLOT_ID) -> usize {
    let mut session: CK_SESSION_HANDLE = 0;
    assert_eq!(
        call!(C_OpenSession(
            slot,
            CKF_SERIAL_SESSION,
            null_mut(),
            None,
            &mut session
        )),
        CKR_OK
    );
    let mut class: CK_OBJECT_CLASS = CKO_CERTIFICATE;
    let mut template = [CK_ATTRIBUTE {
        type_: CKA_CLASS,
        pValue: (&mut class as *mut CK_OBJECT_CLASS).cast(),
        ulValueLen: std::mem::size_of::<CK_OBJECT_CLASS>() as CK_ULONG,
    }];
    assert_eq!(
        call!(C_FindObjectsInit(session, template.as_mut_ptr(), 1)),
        CKR_OK
    );
    let mut handles = [0 as CK_OBJECT_HANDLE; 16];
    let mut n: CK_ULONG = 0;
    assert_eq!(
        call!(C_FindObjects(session, handles.as_mut_ptr(), 16, &mut n)),
        CKR_OK
    );
    assert_eq!(call!(C_FindObjectsFinal(session)), CKR_OK);
    assert_eq!(call!(C_CloseSession(session)), CKR_OK);
    n as usize
}

fn set_env(vars: &[(&str, PathBuf)]) {
    for (k, v) in vars {
        std::env::set_var(k, Path::new(v));
    }
}

#[test]
fn wait_for_slot_event_reports_insertion_and_removal_and_the_slot_id_stays() {
    let mut s = Setup::new();
    set_env(&s.env());
    assert_eq!(call!(C_Initialize(null_mut())), CKR_OK);
    let slots = all_slots();
    assert!(!slots.is_empty(), "the vpcd readers are slots");
    assert!(slots.iter().all(|&id| !token_present(id)), "no card yet");
    no_event();

    s.card.insert();
    let slot = next_event();
    assert!(token_present(slot));
    assert_eq!(token_label(slot), "NGUYỄN VĂN AN");
    assert_eq!(certificates(slot), 4);

    s.card.remove();
    assert_eq!(next_event(), slot, "removal reported on the same slot");
    assert!(!token_present(slot));
    assert_eq!(all_slots(), slots, "slots never disappear (NSS assumes it)");
    // SAFETY: plain data; zeroed is valid.
    let mut ti: CK_TOKEN_INFO = unsafe { std::mem::zeroed() };
    assert_eq!(call!(C_GetTokenInfo(slot, &mut ti)), CKR_TOKEN_NOT_PRESENT);

    s.card.insert();
    assert_eq!(next_event(), slot, "the card comes back in the same slot");
    assert!(token_present(slot));
    assert_eq!(certificates(slot), 4);
    no_event();
    assert_eq!(call!(C_Finalize(null_mut())), CKR_OK);
}

#[test]
fn through_the_module_a_pulled_card_is_device_removed_and_signing_resumes_after_reinsertion() {
    use kyso::config::ModuleConfig;
    use kyso::pkcs11::{Backend, Pkcs11Token};
    use kyso::{Error, HashAlg, SignatureAlgorithm, Token};
    use secrecy::SecretString;

    let mut s = Setup::new();
    set_env(&s.env());
    s.card.insert();
    // kyso's library in front of kyso's module in front of OpenSC: what an application using
    // the library with the module registered (as Firefox does) goes through.
    let backend = Backend::load(&[ModuleConfig::from_path(kyso_module())]);
    assert!(backend.failures.is_empty());
    let (tokens, _) = backend.tokens();
    assert_eq!(tokens.len(), 1);
    let token = tokens[0].clone();
    let pin = SecretString::from(PIV_PIN);
    let alg = SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256);
    let digest = HashAlg::Sha256.digest(b"Bien ban ban giao");
    let sign = |t: &Pkcs11Token| {
        t.signers()
            .unwrap()
            .into_iter()
            .find(|s| s.key().id == [1])
            .expect("the 9A key after login")
            .sign_digest(alg, &digest)
    };
    token.login(&pin).unwrap();
    sign(&token).unwrap();

    s.card.remove();
    let e = sign(&token).unwrap_err();
    assert!(matches!(e, Error::TokenRemoved { .. }), "{e}");

    s.card.insert();
    let until = Instant::now() + PATIENCE;
    let again = loop {
        if let Some(t) = backend.rediscover(&token).unwrap() {
            break t;
        }
        assert!(Instant::now() < until, "the token did not come back");
        std::thread::sleep(Duration::from_millis(200));
    };
    again.login(&pin).unwrap();
    sign(&again).unwrap();
    assert_eq!(s.card.pin_verifications(), 2, "{:#?}", s.card.apdus());
    assert_eq!(s.card.signatures(), 2);
}

/// Over OpenSC's reader slots (removable: a card can come), a blocking `C_WaitForSlotEvent`
/// waits: it returns the slot a card is inserted into, and a wait in progress ends at
/// `C_Finalize` instead of hanging the host's event thread forever. (Over software tokens
/// alone it answers at once: `tests/conformance.rs`.)
#[test]
fn blocking_wait_for_slot_event_returns_the_insertion_and_ends_at_finalize() {
    let mut s = Setup::new();
    set_env(&s.env());
    assert_eq!(call!(C_Initialize(null_mut())), CKR_OK);
    let slots = all_slots();
    assert!(!slots.is_empty(), "the vpcd readers are slots");
    // SAFETY: plain data; zeroed is valid.
    let mut si: CK_SLOT_INFO = unsafe { std::mem::zeroed() };
    assert_eq!(call!(C_GetSlotInfo(slots[0], &mut si)), CKR_OK);
    assert!(
        si.flags & CKF_REMOVABLE_DEVICE != 0,
        "a reader slot is removable"
    );
    let wait = || {
        std::thread::spawn(|| {
            let mut slot: CK_SLOT_ID = CK_UNAVAILABLE_INFORMATION;
            let rv = call!(C_WaitForSlotEvent(0, &mut slot, null_mut()));
            (rv, slot)
        })
    };
    let waiter = wait();
    std::thread::sleep(Duration::from_millis(700));
    assert!(!waiter.is_finished(), "blocks while no card comes");
    s.card.insert();
    let (rv, slot) = waiter.join().unwrap();
    assert_eq!(rv, CKR_OK);
    assert!(token_present(slot));
    let waiter = wait();
    std::thread::sleep(Duration::from_millis(700));
    assert!(!waiter.is_finished());
    assert_eq!(call!(C_Finalize(null_mut())), CKR_OK);
    assert_eq!(waiter.join().unwrap().0, CKR_CRYPTOKI_NOT_INITIALIZED);
}
