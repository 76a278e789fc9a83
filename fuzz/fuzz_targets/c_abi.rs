//! The module's C ABI driven by random call sequences with random arguments: handles (ones the
//! module gave out, and arbitrary numbers), templates, buffer sizes, NULL pointers, mechanisms
//! with and without parameters, PINs right and wrong — against a SoftHSM token behind kyso.
//!
//! Every buffer passed is as long as the length passed with it (the PKCS#11 caller's contract);
//! everything else is fair game. A panic inside the module aborts here (libFuzzer's panic hook
//! runs before the module's guard catches it), so a bug the guard would hide is still found.
//! Each input starts from `C_Initialize` and ends with `C_Finalize`.
#![no_main]

use std::path::PathBuf;
use std::ptr::null_mut;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use cryptoki_sys::*;
use libfuzzer_sys::fuzz_target;

const PIN: &[u8] = b"123456";

fn functions() -> &'static CK_FUNCTION_LIST {
    static F: OnceLock<&'static CK_FUNCTION_LIST> = OnceLock::new();
    F.get_or_init(|| {
        let dir = token_dir();
        std::env::set_var("SOFTHSM2_CONF", dir.join("softhsm2.conf"));
        std::env::set_var("KYSO_CONFIG", dir.join("kyso.toml"));
        std::env::remove_var("KYSO_LOG");
        let mut list = null_mut();
        // SAFETY: a valid out pointer.
        assert_eq!(unsafe { kyso_pkcs11::C_GetFunctionList(&mut list) }, CKR_OK);
        // SAFETY: the module's static function list.
        unsafe { &*list }
    })
}

/// The fixture token (tests/fixtures/make-softhsm-token.sh), made once and reused by every
/// run (`KYSO_FUZZ_TOKEN` names another place).
fn token_dir() -> PathBuf {
    let dir = std::env::var_os("KYSO_FUZZ_TOKEN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/c_abi-token"));
    if dir.join("kyso.toml").exists() {
        return dir;
    }
    let tmp = PathBuf::from(format!("{}.{}", dir.display(), std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/make-softhsm-token.sh");
    let st = std::process::Command::new("bash")
        .arg(script)
        .arg(&tmp)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    // The token dir is named in softhsm2.conf: point it at the final place before the rename.
    let conf = std::fs::read_to_string(tmp.join("softhsm2.conf")).unwrap();
    let conf = conf.replace(&tmp.display().to_string(), &dir.display().to_string());
    std::fs::write(tmp.join("softhsm2.conf"), conf).unwrap();
    std::fs::write(
        tmp.join("kyso.toml"),
        "[[module]]\nname = \"softhsm\"\npath = \"/usr/lib/softhsm/libsofthsm2.so\"\n",
    )
    .unwrap();
    // Another fuzzing process may have won the race: keep its token.
    if std::fs::rename(&tmp, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    dir
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Handle {
    /// One the module returned (slot, session or object), by index.
    Known(u8),
    Raw(u64),
}

#[derive(Arbitrary, Debug)]
enum Pin {
    Right,
    Wrong(Vec<u8>),
    Null { len: u8 },
}

#[derive(Arbitrary, Debug)]
enum Param {
    None,
    Pss { hash: u8, mgf: u8, salt: u16 },
    Bytes(Vec<u8>),
    NullWithLen(u8),
}

#[derive(Arbitrary, Debug)]
struct Mech {
    which: u8,
    raw: u64,
    param: Param,
}

#[derive(Arbitrary, Debug)]
enum Value {
    Bytes(Vec<u8>),
    Class(u8),
    Bool(bool),
    NullWithLen(u8),
}

#[derive(Arbitrary, Debug)]
struct Attr {
    ty: u8,
    value: Value,
}

/// A caller's output buffer: NULL (length query) or this many bytes.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Out {
    Query,
    Len(u16),
    NullLen,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Initialize {
        args: u8,
    },
    Finalize {
        reserved: bool,
    },
    GetInfo {
        null: bool,
    },
    GetSlotList {
        present: bool,
        out: Out,
    },
    GetSlotInfo {
        slot: Handle,
        null: bool,
    },
    GetTokenInfo {
        slot: Handle,
        null: bool,
    },
    GetMechanismList {
        slot: Handle,
        out: Out,
    },
    GetMechanismInfo {
        slot: Handle,
        mech: Mech,
        null: bool,
    },
    WaitForSlotEvent {
        null: bool,
    },
    OpenSession {
        slot: Handle,
        flags: u8,
        null: bool,
    },
    CloseSession {
        s: Handle,
    },
    CloseAllSessions {
        slot: Handle,
    },
    GetSessionInfo {
        s: Handle,
        null: bool,
    },
    Login {
        s: Handle,
        user: u8,
        pin: Pin,
    },
    Logout {
        s: Handle,
    },
    SetPin {
        s: Handle,
        old: Pin,
    },
    FindObjectsInit {
        s: Handle,
        template: Vec<Attr>,
        null: bool,
    },
    FindObjects {
        s: Handle,
        max: u8,
        null_found: bool,
    },
    FindObjectsFinal {
        s: Handle,
    },
    GetAttributeValue {
        s: Handle,
        o: Handle,
        template: Vec<(u8, Out)>,
    },
    SignInit {
        s: Handle,
        mech: Mech,
        key: Handle,
    },
    Sign {
        s: Handle,
        data: Vec<u8>,
        out: Out,
    },
    SignUpdate {
        s: Handle,
        data: Vec<u8>,
    },
    SignFinal {
        s: Handle,
        out: Out,
    },
    VerifyInit {
        s: Handle,
        mech: Mech,
        key: Handle,
    },
    Verify {
        s: Handle,
        data: Vec<u8>,
        sig: Vec<u8>,
    },
    VerifyUpdate {
        s: Handle,
        data: Vec<u8>,
    },
    VerifyFinal {
        s: Handle,
        sig: Vec<u8>,
    },
    DigestInit {
        s: Handle,
        mech: Mech,
    },
    Digest {
        s: Handle,
        data: Vec<u8>,
        out: Out,
    },
    DigestUpdate {
        s: Handle,
        data: Vec<u8>,
    },
    DigestFinal {
        s: Handle,
        out: Out,
    },
    GenerateRandom {
        s: Handle,
        len: u16,
    },
    SeedRandom {
        s: Handle,
        data: Vec<u8>,
    },
    /// A sign and verify round trip with the last key seen, to reach deep states quickly.
    SignAndVerify {
        s: Handle,
        mech: Mech,
        data: Vec<u8>,
    },
    GetFunctionStatus {
        s: Handle,
    },
    GetInterface {
        version: Option<(u8, u8)>,
        flags: u8,
    },
}

const MECHS: &[CK_MECHANISM_TYPE] = &[
    CKM_RSA_PKCS,
    CKM_SHA256_RSA_PKCS,
    CKM_SHA384_RSA_PKCS,
    CKM_SHA512_RSA_PKCS,
    CKM_SHA1_RSA_PKCS,
    CKM_RSA_PKCS_PSS,
    CKM_SHA256_RSA_PKCS_PSS,
    CKM_SHA384_RSA_PKCS_PSS,
    CKM_ECDSA,
    CKM_ECDSA_SHA256,
    CKM_ECDSA_SHA384,
    CKM_ECDSA_SHA512,
    CKM_SHA256,
    CKM_SHA384,
    CKM_SHA512,
    CKM_SHA_1,
    CKM_RSA_X_509,
];

const ATTRS: &[CK_ATTRIBUTE_TYPE] = &[
    CKA_CLASS,
    CKA_ID,
    CKA_LABEL,
    CKA_KEY_TYPE,
    CKA_TOKEN,
    CKA_PRIVATE,
    CKA_SIGN,
    CKA_VERIFY,
    CKA_VALUE,
    CKA_MODULUS,
    CKA_MODULUS_BITS,
    CKA_PUBLIC_EXPONENT,
    CKA_EC_PARAMS,
    CKA_EC_POINT,
    CKA_SUBJECT,
    CKA_ISSUER,
    CKA_SERIAL_NUMBER,
    CKA_CERTIFICATE_TYPE,
    CKA_ALWAYS_AUTHENTICATE,
    CKA_SENSITIVE,
    CKA_EXTRACTABLE,
    CKA_PRIVATE_EXPONENT,
    CKA_ALLOWED_MECHANISMS,
    CKA_DECRYPT,
];

const MGFS: &[CK_RSA_PKCS_MGF_TYPE] = &[
    CKG_MGF1_SHA1,
    CKG_MGF1_SHA256,
    CKG_MGF1_SHA384,
    CKG_MGF1_SHA512,
];

#[derive(Default)]
struct State {
    slots: Vec<CK_SLOT_ID>,
    sessions: Vec<CK_SESSION_HANDLE>,
    objects: Vec<CK_OBJECT_HANDLE>,
}

fn pick(known: &[u64], h: Handle) -> u64 {
    match h {
        Handle::Known(i) if !known.is_empty() => known[i as usize % known.len()],
        Handle::Known(i) => u64::from(i),
        Handle::Raw(r) => r,
    }
}

/// Owns what a `CK_MECHANISM` points at.
struct MechBuf {
    mech: CK_MECHANISM,
    _pss: Box<CK_RSA_PKCS_PSS_PARAMS>,
    _bytes: Vec<u8>,
}

fn mechanism(m: &Mech) -> MechBuf {
    let ty = MECHS.get(m.which as usize).copied().unwrap_or(m.raw);
    let mut pss = Box::new(CK_RSA_PKCS_PSS_PARAMS {
        hashAlg: 0,
        mgf: 0,
        sLen: 0,
    });
    let mut bytes = Vec::new();
    let (p, len): (*mut std::ffi::c_void, CK_ULONG) = match &m.param {
        Param::None => (null_mut(), 0),
        Param::Pss { hash, mgf, salt } => {
            pss.hashAlg = MECHS
                .get(*hash as usize)
                .copied()
                .unwrap_or(u64::from(*hash));
            pss.mgf = MGFS.get(*mgf as usize).copied().unwrap_or(u64::from(*mgf));
            pss.sLen = u64::from(*salt);
            (
                &mut *pss as *mut CK_RSA_PKCS_PSS_PARAMS as *mut _,
                std::mem::size_of::<CK_RSA_PKCS_PSS_PARAMS>() as CK_ULONG,
            )
        }
        Param::Bytes(b) => {
            bytes = b.clone();
            (bytes.as_mut_ptr() as *mut _, bytes.len() as CK_ULONG)
        }
        Param::NullWithLen(n) => (null_mut(), CK_ULONG::from(*n)),
    };
    MechBuf {
        mech: CK_MECHANISM {
            mechanism: ty,
            pParameter: p,
            ulParameterLen: len,
        },
        _pss: pss,
        _bytes: bytes,
    }
}

/// A caller's output buffer and its length variable.
struct OutBuf {
    buf: Vec<u8>,
    len: CK_ULONG,
    null_len: bool,
    query: bool,
}

impl OutBuf {
    fn new(o: Out) -> OutBuf {
        match o {
            Out::Query => OutBuf {
                buf: Vec::new(),
                len: 0,
                null_len: false,
                query: true,
            },
            Out::Len(n) => OutBuf {
                buf: vec![0; n as usize],
                len: CK_ULONG::from(n),
                null_len: false,
                query: false,
            },
            Out::NullLen => OutBuf {
                buf: vec![0; 64],
                len: 64,
                null_len: true,
                query: false,
            },
        }
    }
    fn ptr(&mut self) -> *mut u8 {
        if self.query {
            null_mut()
        } else {
            self.buf.as_mut_ptr()
        }
    }
    fn len_ptr(&mut self) -> *mut CK_ULONG {
        if self.null_len {
            null_mut()
        } else {
            &mut self.len
        }
    }
    /// The module wrote no more than the buffer holds, and says so.
    fn check(&self, rv: CK_RV) {
        if rv == CKR_OK && !self.query && !self.null_len {
            assert!(
                self.len as usize <= self.buf.len(),
                "output length {} > buffer {}",
                self.len,
                self.buf.len()
            );
        }
    }
}

fn pin(p: &Pin) -> (Vec<u8>, bool, CK_ULONG) {
    match p {
        Pin::Right => (PIN.to_vec(), false, PIN.len() as CK_ULONG),
        Pin::Wrong(w) => {
            // Never the right PIN by accident, never long enough to matter.
            let mut w = w.clone();
            w.truncate(32);
            if w == PIN {
                w.push(b'0');
            }
            let n = w.len() as CK_ULONG;
            (w, false, n)
        }
        Pin::Null { len } => (Vec::new(), true, CK_ULONG::from(*len % 2)),
    }
}

/// Owns what a template points at.
struct Template {
    attrs: Vec<CK_ATTRIBUTE>,
    _values: Vec<Vec<u8>>,
}

fn template(t: &[Attr]) -> Template {
    let mut values: Vec<Vec<u8>> = Vec::new();
    let mut lens = Vec::new();
    for a in t.iter().take(16) {
        let (v, null_len) = match &a.value {
            Value::Bytes(b) => (b.clone(), None),
            Value::Class(c) => (CK_ULONG::from(*c % 5).to_ne_bytes().to_vec(), None),
            Value::Bool(b) => (vec![u8::from(*b)], None),
            Value::NullWithLen(n) => (Vec::new(), Some(CK_ULONG::from(*n))),
        };
        values.push(v);
        lens.push(null_len);
    }
    let attrs = t
        .iter()
        .zip(values.iter_mut())
        .zip(lens)
        .map(|((a, v), null_len)| CK_ATTRIBUTE {
            type_: ATTRS
                .get(a.ty as usize)
                .copied()
                .unwrap_or(u64::from(a.ty) << 3),
            pValue: if null_len.is_some() {
                null_mut()
            } else {
                v.as_mut_ptr() as *mut _
            },
            ulValueLen: null_len.unwrap_or(v.len() as CK_ULONG),
        })
        .collect();
    Template {
        attrs,
        _values: values,
    }
}

fn run(f: &CK_FUNCTION_LIST, st: &mut State, op: &Op) {
    // SAFETY (every call below): pointers are NULL or point at live buffers of the length
    // passed with them, as the PKCS#11 contract asks of a caller.
    unsafe {
        match op {
            Op::Initialize { args } => {
                let mut a = CK_C_INITIALIZE_ARGS {
                    CreateMutex: None,
                    DestroyMutex: None,
                    LockMutex: None,
                    UnlockMutex: None,
                    flags: CK_FLAGS::from(*args & 0x3),
                    pReserved: if args & 4 != 0 {
                        8 as *mut _
                    } else {
                        null_mut()
                    },
                };
                let p = if args & 8 != 0 {
                    null_mut()
                } else {
                    &mut a as *mut _ as *mut _
                };
                f.C_Initialize.unwrap()(p);
            }
            Op::Finalize { reserved } => {
                f.C_Finalize.unwrap()(if *reserved { 8 as *mut _ } else { null_mut() });
                *st = State::default();
            }
            Op::GetInfo { null } => {
                let mut i = std::mem::zeroed::<CK_INFO>();
                f.C_GetInfo.unwrap()(if *null { null_mut() } else { &mut i });
            }
            Op::GetSlotList { present, out } => {
                let mut o = OutBuf::new(*out);
                let mut ids = vec![0 as CK_SLOT_ID; o.buf.len() / 8];
                o.len = ids.len() as CK_ULONG;
                let p = if o.query {
                    null_mut()
                } else {
                    ids.as_mut_ptr()
                };
                let rv = f.C_GetSlotList.unwrap()(CK_BBOOL::from(*present), p, o.len_ptr());
                if rv == CKR_OK && !o.query && !o.null_len {
                    assert!(o.len as usize <= ids.len());
                    st.slots.extend_from_slice(&ids[..o.len as usize]);
                }
            }
            Op::GetSlotInfo { slot, null } => {
                let mut i = std::mem::zeroed::<CK_SLOT_INFO>();
                f.C_GetSlotInfo.unwrap()(
                    pick(&st.slots, *slot),
                    if *null { null_mut() } else { &mut i },
                );
            }
            Op::GetTokenInfo { slot, null } => {
                let mut i = std::mem::zeroed::<CK_TOKEN_INFO>();
                f.C_GetTokenInfo.unwrap()(
                    pick(&st.slots, *slot),
                    if *null { null_mut() } else { &mut i },
                );
            }
            Op::GetMechanismList { slot, out } => {
                let mut o = OutBuf::new(*out);
                let mut m = vec![0 as CK_MECHANISM_TYPE; o.buf.len() / 8];
                o.len = m.len() as CK_ULONG;
                let p = if o.query { null_mut() } else { m.as_mut_ptr() };
                let rv = f.C_GetMechanismList.unwrap()(pick(&st.slots, *slot), p, o.len_ptr());
                if rv == CKR_OK && !o.query && !o.null_len {
                    assert!(o.len as usize <= m.len());
                }
            }
            Op::GetMechanismInfo { slot, mech, null } => {
                let mut i = std::mem::zeroed::<CK_MECHANISM_INFO>();
                let m = mechanism(mech);
                f.C_GetMechanismInfo.unwrap()(
                    pick(&st.slots, *slot),
                    m.mech.mechanism,
                    if *null { null_mut() } else { &mut i },
                );
            }
            Op::WaitForSlotEvent { null } => {
                let mut slot = 0;
                f.C_WaitForSlotEvent.unwrap()(
                    CKF_DONT_BLOCK,
                    if *null { null_mut() } else { &mut slot },
                    null_mut(),
                );
            }
            Op::OpenSession { slot, flags, null } => {
                let mut h = 0;
                let fl = CK_FLAGS::from(*flags & 0x7) << 1; // CKF_RW_SESSION 2, SERIAL 4
                let rv = f.C_OpenSession.unwrap()(
                    pick(&st.slots, *slot),
                    fl,
                    null_mut(),
                    None,
                    if *null { null_mut() } else { &mut h },
                );
                if rv == CKR_OK && !*null {
                    st.sessions.push(h);
                }
            }
            Op::CloseSession { s } => {
                f.C_CloseSession.unwrap()(pick(&st.sessions, *s));
            }
            Op::CloseAllSessions { slot } => {
                f.C_CloseAllSessions.unwrap()(pick(&st.slots, *slot));
            }
            Op::GetSessionInfo { s, null } => {
                let mut i = std::mem::zeroed::<CK_SESSION_INFO>();
                f.C_GetSessionInfo.unwrap()(
                    pick(&st.sessions, *s),
                    if *null { null_mut() } else { &mut i },
                );
            }
            Op::Login { s, user, pin: p } => {
                let (mut bytes, null, len) = pin(p);
                let ptr = if null { null_mut() } else { bytes.as_mut_ptr() };
                f.C_Login.unwrap()(
                    pick(&st.sessions, *s),
                    CK_USER_TYPE::from(*user % 4),
                    ptr,
                    len,
                );
            }
            Op::Logout { s } => {
                f.C_Logout.unwrap()(pick(&st.sessions, *s));
            }
            Op::SetPin { s, old } => {
                // The new PIN is always the right one: the token stays usable.
                let (mut o, null, len) = pin(old);
                let mut new = PIN.to_vec();
                let ptr = if null { null_mut() } else { o.as_mut_ptr() };
                f.C_SetPIN.unwrap()(
                    pick(&st.sessions, *s),
                    ptr,
                    len,
                    new.as_mut_ptr(),
                    new.len() as CK_ULONG,
                );
            }
            Op::FindObjectsInit {
                s,
                template: t,
                null,
            } => {
                let mut t = template(t);
                let (p, n) = if *null {
                    (null_mut(), t.attrs.len() as CK_ULONG)
                } else {
                    (t.attrs.as_mut_ptr(), t.attrs.len() as CK_ULONG)
                };
                f.C_FindObjectsInit.unwrap()(pick(&st.sessions, *s), p, n);
            }
            Op::FindObjects { s, max, null_found } => {
                let mut objs = vec![0 as CK_OBJECT_HANDLE; *max as usize];
                let mut found = 0;
                let rv = f.C_FindObjects.unwrap()(
                    pick(&st.sessions, *s),
                    objs.as_mut_ptr(),
                    objs.len() as CK_ULONG,
                    if *null_found { null_mut() } else { &mut found },
                );
                if rv == CKR_OK && !*null_found {
                    assert!(found as usize <= objs.len());
                    st.objects.extend_from_slice(&objs[..found as usize]);
                }
            }
            Op::FindObjectsFinal { s } => {
                f.C_FindObjectsFinal.unwrap()(pick(&st.sessions, *s));
            }
            Op::GetAttributeValue { s, o, template: t } => {
                let mut bufs: Vec<OutBuf> =
                    t.iter().take(16).map(|(_, o)| OutBuf::new(*o)).collect();
                let mut attrs: Vec<CK_ATTRIBUTE> = t
                    .iter()
                    .zip(bufs.iter_mut())
                    .map(|((ty, _), b)| CK_ATTRIBUTE {
                        type_: ATTRS.get(*ty as usize).copied().unwrap_or(u64::from(*ty)),
                        pValue: b.ptr() as *mut _,
                        ulValueLen: b.len,
                    })
                    .collect();
                let rv = f.C_GetAttributeValue.unwrap()(
                    pick(&st.sessions, *s),
                    pick(&st.objects, *o),
                    attrs.as_mut_ptr(),
                    attrs.len() as CK_ULONG,
                );
                if matches!(
                    rv,
                    CKR_OK
                        | CKR_BUFFER_TOO_SMALL
                        | CKR_ATTRIBUTE_SENSITIVE
                        | CKR_ATTRIBUTE_TYPE_INVALID
                ) {
                    for (a, b) in attrs.iter().zip(&bufs) {
                        if !b.query && a.ulValueLen != CK_UNAVAILABLE_INFORMATION {
                            assert!(
                                a.ulValueLen as usize <= b.buf.len(),
                                "attribute overran its buffer"
                            );
                        }
                    }
                }
            }
            Op::SignInit { s, mech, key } => {
                let mut m = mechanism(mech);
                f.C_SignInit.unwrap()(pick(&st.sessions, *s), &mut m.mech, pick(&st.objects, *key));
            }
            Op::Sign { s, data, out } => {
                let mut d = data.clone();
                let mut o = OutBuf::new(*out);
                let rv = f.C_Sign.unwrap()(
                    pick(&st.sessions, *s),
                    d.as_mut_ptr(),
                    d.len() as CK_ULONG,
                    o.ptr(),
                    o.len_ptr(),
                );
                o.check(rv);
            }
            Op::SignUpdate { s, data } => {
                let mut d = data.clone();
                f.C_SignUpdate.unwrap()(
                    pick(&st.sessions, *s),
                    d.as_mut_ptr(),
                    d.len() as CK_ULONG,
                );
            }
            Op::SignFinal { s, out } => {
                let mut o = OutBuf::new(*out);
                let rv = f.C_SignFinal.unwrap()(pick(&st.sessions, *s), o.ptr(), o.len_ptr());
                o.check(rv);
            }
            Op::VerifyInit { s, mech, key } => {
                let mut m = mechanism(mech);
                f.C_VerifyInit.unwrap()(
                    pick(&st.sessions, *s),
                    &mut m.mech,
                    pick(&st.objects, *key),
                );
            }
            Op::Verify { s, data, sig } => {
                let (mut d, mut g) = (data.clone(), sig.clone());
                f.C_Verify.unwrap()(
                    pick(&st.sessions, *s),
                    d.as_mut_ptr(),
                    d.len() as CK_ULONG,
                    g.as_mut_ptr(),
                    g.len() as CK_ULONG,
                );
            }
            Op::VerifyUpdate { s, data } => {
                let mut d = data.clone();
                f.C_VerifyUpdate.unwrap()(
                    pick(&st.sessions, *s),
                    d.as_mut_ptr(),
                    d.len() as CK_ULONG,
                );
            }
            Op::VerifyFinal { s, sig } => {
                let mut g = sig.clone();
                f.C_VerifyFinal.unwrap()(
                    pick(&st.sessions, *s),
                    g.as_mut_ptr(),
                    g.len() as CK_ULONG,
                );
            }
            Op::DigestInit { s, mech } => {
                let mut m = mechanism(mech);
                f.C_DigestInit.unwrap()(pick(&st.sessions, *s), &mut m.mech);
            }
            Op::Digest { s, data, out } => {
                let mut d = data.clone();
                let mut o = OutBuf::new(*out);
                let rv = f.C_Digest.unwrap()(
                    pick(&st.sessions, *s),
                    d.as_mut_ptr(),
                    d.len() as CK_ULONG,
                    o.ptr(),
                    o.len_ptr(),
                );
                o.check(rv);
            }
            Op::DigestUpdate { s, data } => {
                let mut d = data.clone();
                f.C_DigestUpdate.unwrap()(
                    pick(&st.sessions, *s),
                    d.as_mut_ptr(),
                    d.len() as CK_ULONG,
                );
            }
            Op::DigestFinal { s, out } => {
                let mut o = OutBuf::new(*out);
                let rv = f.C_DigestFinal.unwrap()(pick(&st.sessions, *s), o.ptr(), o.len_ptr());
                o.check(rv);
            }
            Op::GenerateRandom { s, len } => {
                let mut b = vec![0u8; *len as usize % 4096];
                f.C_GenerateRandom.unwrap()(
                    pick(&st.sessions, *s),
                    b.as_mut_ptr(),
                    b.len() as CK_ULONG,
                );
            }
            Op::SeedRandom { s, data } => {
                let mut d = data.clone();
                f.C_SeedRandom.unwrap()(
                    pick(&st.sessions, *s),
                    d.as_mut_ptr(),
                    d.len() as CK_ULONG,
                );
            }
            Op::SignAndVerify { s, mech, data } => {
                let s = pick(&st.sessions, *s);
                let Some(&key) = st.objects.last() else {
                    return;
                };
                let mut m = mechanism(mech);
                if f.C_SignInit.unwrap()(s, &mut m.mech, key) != CKR_OK {
                    return;
                }
                let mut d = data.clone();
                let mut sig = vec![0u8; 512];
                let mut n = sig.len() as CK_ULONG;
                if f.C_Sign.unwrap()(
                    s,
                    d.as_mut_ptr(),
                    d.len() as CK_ULONG,
                    sig.as_mut_ptr(),
                    &mut n,
                ) != CKR_OK
                {
                    return;
                }
                assert!(n as usize <= sig.len());
                // Verifying with the same (private key) object checks against its certificate.
                let mut m = mechanism(mech);
                if f.C_VerifyInit.unwrap()(s, &mut m.mech, key) == CKR_OK {
                    let rv = f.C_Verify.unwrap()(
                        s,
                        d.as_mut_ptr(),
                        d.len() as CK_ULONG,
                        sig.as_mut_ptr(),
                        n,
                    );
                    assert_eq!(
                        rv,
                        CKR_OK,
                        "the module's own signature does not verify ({m:?})",
                        m = m.mech.mechanism
                    );
                }
            }
            Op::GetFunctionStatus { s } => {
                f.C_GetFunctionStatus.unwrap()(pick(&st.sessions, *s));
                f.C_CancelFunction.unwrap()(pick(&st.sessions, *s));
            }
            Op::GetInterface { version, flags } => {
                let mut v = version.map(|(major, minor)| CK_VERSION { major, minor });
                let mut iface = null_mut();
                let vp = v.as_mut().map_or(null_mut(), |v| v as *mut _);
                kyso_pkcs11::C_GetInterface(null_mut(), vp, &mut iface, CK_FLAGS::from(*flags));
                let mut n: CK_ULONG = 0;
                kyso_pkcs11::C_GetInterfaceList(null_mut(), &mut n);
            }
        }
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let f = functions();
    let mut st = State::default();
    // SAFETY: NULL arguments are allowed.
    unsafe { f.C_Initialize.unwrap()(null_mut()) };
    for op in ops.iter().take(64) {
        run(f, &mut st, op);
    }
    // SAFETY: as above.
    unsafe { f.C_Finalize.unwrap()(null_mut()) };
});
