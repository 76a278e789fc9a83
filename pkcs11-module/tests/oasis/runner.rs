//! A runner for the OASIS PKCS #11 profile test cases (the TC's XML: each call, then the
//! answer expected), through any function list: each call-and-answer pair is one case, and a
//! failed case does not stop the run.
//!
//! What is compared, as the TC's runners do: every return value; lengths (of lists, and of
//! attribute values when the case gives one); `LABEL` and `VALUE` contents; for keys the token
//! generated, the modulus and signature lengths, and the signature is verified with the
//! modulus the token returned (the case's own values belong to the TC's key). `C_GetInfo`'s
//! values are the TC's placeholders and are not compared. Only the calls of the AUTH and CERT
//! profiles are known.

use std::collections::HashMap;
use std::ptr::null_mut;

use cryptoki_sys::*;

/// Bytes from hex.
pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn attribute_type(name: &str) -> CK_ATTRIBUTE_TYPE {
    match name {
        "CLASS" => CKA_CLASS,
        "TOKEN" => CKA_TOKEN,
        "LABEL" => CKA_LABEL,
        "VALUE" => CKA_VALUE,
        "MODULUS" => CKA_MODULUS,
        "PUBLIC_EXPONENT" => CKA_PUBLIC_EXPONENT,
        other => panic!("attribute {other} is not in the profiles"),
    }
}

/// A template attribute's value as the case writes it.
fn attribute_value(name: &str, value: &str) -> Vec<u8> {
    let ulong = |v: CK_ULONG| v.to_ne_bytes().to_vec();
    match (name, value) {
        ("TOKEN", v) => vec![u8::from(v == "TRUE")],
        ("CLASS", "PUBLIC_KEY") => ulong(CKO_PUBLIC_KEY),
        ("CLASS", "PRIVATE_KEY") => ulong(CKO_PRIVATE_KEY),
        ("CLASS", "CERTIFICATE") => ulong(CKO_CERTIFICATE),
        ("LABEL", v) => v.as_bytes().to_vec(),
        (n, v) => panic!("template value {n}={v} is not in the profiles"),
    }
}

/// The first child element of `n` named `tag`.
fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, tag: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name(tag))
}

/// One case's outcome: the call, whether it passed, and why not.
pub struct Case {
    pub call: String,
    pub failure: Option<String>,
}

/// Runs a profile through `f` (its function list), case by case, going on after a failure.
pub fn run(f: &CK_FUNCTION_LIST, xml: &str, pin: &str) -> Vec<Case> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let calls: Vec<_> = doc
        .root_element()
        .children()
        .filter(|n| n.is_element())
        .collect();
    let mut vars: HashMap<String, String> = HashMap::from([("${Pin}".into(), pin.into())]);
    let mut modulus: Vec<u8> = Vec::new();
    let mut cases = Vec::new();
    for pair in calls.chunks(2) {
        let (req, resp) = (pair[0], pair[1]);
        let name = req.tag_name().name().to_owned();
        let want_rv = resp.attribute("rv").unwrap_or("OK");
        let var = |vars: &HashMap<String, String>, v: &str| {
            vars.get(v).cloned().unwrap_or_else(|| v.to_owned())
        };
        let value = |vars: &HashMap<String, String>, n: roxmltree::Node, tag: &str| {
            child(n, tag)
                .and_then(|c| c.attribute("value"))
                .map(|v| var(vars, v))
        };
        let session =
            value(&vars, req, "Session").map_or(0, |s| s.parse::<CK_SESSION_HANDLE>().unwrap());
        let session = || session;
        let mut failure = None;
        let mut check = |ok: bool, why: String| {
            if !ok && failure.is_none() {
                failure = Some(why);
            }
        };
        // SAFETY: every pointer passed below is valid for the call (buffers sized as passed).
        let rv = unsafe {
            match name.as_str() {
                "C_Initialize" => f.C_Initialize.unwrap()(null_mut()),
                "C_Finalize" => f.C_Finalize.unwrap()(null_mut()),
                "C_GetInfo" => {
                    let mut info: CK_INFO = std::mem::zeroed();
                    f.C_GetInfo.unwrap()(&mut info)
                }
                "C_GetSlotList" => {
                    let present = value(&vars, req, "TokenPresent").as_deref() == Some("true");
                    let list = child(req, "SlotList").unwrap();
                    let mut n: CK_ULONG = list
                        .attribute("length")
                        .map_or(0, |l| var(&vars, l).parse().unwrap());
                    let mut slots = vec![0; n as usize];
                    let ptr = if list.attribute("length").is_some() {
                        slots.as_mut_ptr()
                    } else {
                        null_mut()
                    };
                    let rv = f.C_GetSlotList.unwrap()(CK_BBOOL::from(present), ptr, &mut n);
                    let got = child(resp, "SlotList");
                    if let Some(len) = got.and_then(|g| g.attribute("length")) {
                        vars.insert(len.into(), n.to_string());
                    }
                    let ids: Vec<_> = got
                        .iter()
                        .flat_map(|g| g.children())
                        .filter(|c| c.has_tag_name("SlotID"))
                        .collect();
                    if !ids.is_empty() {
                        check(
                            n as usize >= ids.len(),
                            format!("{n} slots, {} expected", ids.len()),
                        );
                        for (i, id) in ids.iter().enumerate() {
                            vars.insert(
                                id.attribute("value").unwrap().into(),
                                slots.get(i).copied().unwrap_or(0).to_string(),
                            );
                        }
                    }
                    rv
                }
                "C_OpenSession" => {
                    let slot: CK_SLOT_ID = value(&vars, req, "SlotID").unwrap().parse().unwrap();
                    let flags = value(&vars, req, "Flags")
                        .unwrap()
                        .split('|')
                        .fold(0, |acc, f| {
                            acc | match f {
                                "RW_SESSION" => CKF_RW_SESSION,
                                "SERIAL_SESSION" => CKF_SERIAL_SESSION,
                                other => panic!("session flag {other}"),
                            }
                        });
                    let mut h = 0;
                    let rv = f.C_OpenSession.unwrap()(slot, flags, null_mut(), None, &mut h);
                    if let Some(v) = child(resp, "Session").and_then(|s| s.attribute("value")) {
                        vars.insert(v.into(), h.to_string());
                    }
                    rv
                }
                "C_Login" => {
                    let pin = value(&vars, req, "Pin").unwrap();
                    assert_eq!(value(&vars, req, "UserType").as_deref(), Some("USER"));
                    f.C_Login.unwrap()(
                        session(),
                        CKU_USER,
                        pin.as_ptr() as *mut u8,
                        pin.len() as CK_ULONG,
                    )
                }
                "C_Logout" => f.C_Logout.unwrap()(session()),
                "C_CloseSession" => f.C_CloseSession.unwrap()(session()),
                "C_CloseAllSessions" => f.C_CloseAllSessions.unwrap()(
                    value(&vars, req, "SlotID").unwrap().parse().unwrap(),
                ),
                "C_FindObjectsFinal" => f.C_FindObjectsFinal.unwrap()(session()),
                "C_FindObjectsInit" => {
                    let attrs: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)> = child(req, "Template")
                        .unwrap()
                        .children()
                        .filter(|c| c.is_element())
                        .map(|a| {
                            let t = a.attribute("type").unwrap();
                            (
                                attribute_type(t),
                                attribute_value(t, a.attribute("value").unwrap()),
                            )
                        })
                        .collect();
                    let mut template: Vec<CK_ATTRIBUTE> = attrs
                        .iter()
                        .map(|(t, v)| CK_ATTRIBUTE {
                            type_: *t,
                            pValue: v.as_ptr() as *mut _,
                            ulValueLen: v.len() as CK_ULONG,
                        })
                        .collect();
                    f.C_FindObjectsInit.unwrap()(
                        session(),
                        template.as_mut_ptr(),
                        template.len() as CK_ULONG,
                    )
                }
                "C_FindObjects" => {
                    let max: usize = child(req, "Object")
                        .unwrap()
                        .attribute("length")
                        .unwrap()
                        .parse()
                        .unwrap();
                    let mut found = vec![0; max];
                    let mut n = 0;
                    let rv = f.C_FindObjects.unwrap()(
                        session(),
                        found.as_mut_ptr(),
                        max as CK_ULONG,
                        &mut n,
                    );
                    // PKCS#11 leaves the order of found objects to the token (SoftHSM's varies
                    // from run to run); the cases assume their token's: by class, then label.
                    found.truncate(n as usize);
                    found.sort_by_key(|h| class_and_label(f, session(), *h));
                    let want: Vec<_> = child(resp, "Object")
                        .iter()
                        .flat_map(|o| o.children())
                        .filter(|c| c.is_element())
                        .collect();
                    check(
                        n as usize == want.len(),
                        format!("{n} objects found, {} expected", want.len()),
                    );
                    for (i, o) in want.iter().enumerate() {
                        vars.insert(
                            o.attribute("value").unwrap().into(),
                            found.get(i).copied().unwrap_or(0).to_string(),
                        );
                    }
                    rv
                }
                "C_GetAttributeValue" => {
                    let object: CK_OBJECT_HANDLE =
                        value(&vars, req, "Object").unwrap().parse().unwrap();
                    let asked: Vec<_> = child(req, "Template")
                        .unwrap()
                        .children()
                        .filter(|c| c.is_element())
                        .collect();
                    let mut bufs: Vec<Vec<u8>> = asked
                        .iter()
                        .map(|a| vec![0; a.attribute("length").map_or(0, |l| l.parse().unwrap())])
                        .collect();
                    let mut template: Vec<CK_ATTRIBUTE> = asked
                        .iter()
                        .zip(bufs.iter_mut())
                        .map(|(a, b)| CK_ATTRIBUTE {
                            type_: attribute_type(a.attribute("type").unwrap()),
                            pValue: if a.attribute("length").is_some() {
                                b.as_mut_ptr() as *mut _
                            } else {
                                null_mut()
                            },
                            ulValueLen: b.len() as CK_ULONG,
                        })
                        .collect();
                    let rv = f.C_GetAttributeValue.unwrap()(
                        session(),
                        object,
                        template.as_mut_ptr(),
                        template.len() as CK_ULONG,
                    );
                    let got: Vec<_> = child(resp, "Template")
                        .iter()
                        .flat_map(|t| t.children())
                        .filter(|c| c.is_element())
                        .collect();
                    for ((a, t), b) in got.iter().zip(&template).zip(&bufs) {
                        let ty = a.attribute("type").unwrap();
                        let len = t.ulValueLen as usize;
                        if let Some(l) = a.attribute("length") {
                            check(
                                len == l.parse::<usize>().unwrap(),
                                format!("{ty}: length {len}, {l} expected"),
                            );
                        }
                        if let Some(v) = a.attribute("value") {
                            let returned = &b[..len.min(b.len())];
                            match ty {
                                "VALUE" => check(
                                    returned == hex(v).as_slice(),
                                    format!("{ty}: another value"),
                                ),
                                "LABEL" => check(
                                    returned.strip_suffix(b"\0").unwrap_or(returned)
                                        == v.as_bytes(),
                                    format!(
                                        "{ty}: {:?}, {v:?} expected",
                                        String::from_utf8_lossy(returned)
                                    ),
                                ),
                                // the token's own key: as long as the TC's
                                _ => check(
                                    len == v.len() / 2,
                                    format!("{ty}: {len} bytes, {} expected", v.len() / 2),
                                ),
                            }
                            if ty == "MODULUS" {
                                modulus = returned.to_vec();
                            }
                        }
                    }
                    rv
                }
                "C_SignInit" => {
                    let mech = child(req, "Mechanism")
                        .and_then(|m| value(&vars, m, "Type"))
                        .unwrap();
                    assert_eq!(mech, "SHA256_RSA_PKCS");
                    let mut m = CK_MECHANISM {
                        mechanism: CKM_SHA256_RSA_PKCS,
                        pParameter: null_mut(),
                        ulParameterLen: 0,
                    };
                    f.C_SignInit.unwrap()(
                        session(),
                        &mut m,
                        value(&vars, req, "Key").unwrap().parse().unwrap(),
                    )
                }
                "C_Sign" => {
                    let data = hex(&value(&vars, req, "Data").unwrap());
                    let max: usize = child(req, "Signature")
                        .unwrap()
                        .attribute("length")
                        .unwrap()
                        .parse()
                        .unwrap();
                    let mut sig = vec![0u8; max];
                    let mut n = max as CK_ULONG;
                    let rv = f.C_Sign.unwrap()(
                        session(),
                        data.as_ptr() as *mut u8,
                        data.len() as CK_ULONG,
                        sig.as_mut_ptr(),
                        &mut n,
                    );
                    if rv == CKR_OK {
                        sig.truncate(n as usize);
                        check(
                            verifies(&modulus, &data, &sig),
                            "the signature does not verify with the token's public key".into(),
                        );
                    }
                    rv
                }
                other => panic!("{other} is not in the profiles"),
            }
        };
        let want = match want_rv {
            "OK" => CKR_OK,
            other => panic!("rv {other} is not in the profiles"),
        };
        check(rv == want, format!("returned {rv:#x}, {want_rv} expected"));
        cases.push(Case {
            call: name,
            failure,
        });
    }
    cases
}

/// An object's class and label, read through `f`.
fn class_and_label(
    f: &CK_FUNCTION_LIST,
    s: CK_SESSION_HANDLE,
    h: CK_OBJECT_HANDLE,
) -> (CK_ULONG, Vec<u8>) {
    let mut class: CK_ULONG = 0;
    let mut label = vec![0u8; 256];
    let mut template = [
        CK_ATTRIBUTE {
            type_: CKA_CLASS,
            pValue: &mut class as *mut _ as *mut _,
            ulValueLen: std::mem::size_of::<CK_ULONG>() as CK_ULONG,
        },
        CK_ATTRIBUTE {
            type_: CKA_LABEL,
            pValue: label.as_mut_ptr() as *mut _,
            ulValueLen: label.len() as CK_ULONG,
        },
    ];
    // SAFETY: both buffers are as long as the template says.
    let rv = unsafe { f.C_GetAttributeValue.unwrap()(s, h, template.as_mut_ptr(), 2) };
    assert_eq!(rv, CKR_OK, "class and label of object {h}");
    label.truncate(template[1].ulValueLen as usize);
    (class, label)
}

/// An RSA PKCS#1 v1.5 SHA-256 signature over `data`, checked with modulus `n` and e = 65537.
fn verifies(n: &[u8], data: &[u8], sig: &[u8]) -> bool {
    use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
    use sha2::{Digest, Sha256};
    let Ok(key) = RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from(65537u32)) else {
        return false;
    };
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data), sig)
        .is_ok()
}

/// The report line of a run: passed of total, and each failure.
pub fn report(profile: &str, target: &str, cases: &[Case]) -> String {
    let passed = cases.iter().filter(|c| c.failure.is_none()).count();
    let mut out = format!(
        "{profile} {target}: {passed} of {} cases pass\n",
        cases.len()
    );
    for (i, c) in cases.iter().enumerate() {
        if let Some(why) = &c.failure {
            out += &format!("  case {} {}: {why}\n", i + 1, c.call);
        }
    }
    out
}
