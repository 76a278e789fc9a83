//! What the revisions after a PDF signature changed, judged as a validator must: adding
//! signatures (their fields, widgets and appearances), filling the form's field list and adding
//! validation data (DSS) or document timestamps is what later signers do, and so is updating
//! the document's metadata (the information dictionary, the XMP stream, the version); anything
//! else — page content, resources, other annotations, pages — modifies the signed document.

use std::collections::{BTreeSet, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;

/// The verdict on the revisions appended after one signature.
#[derive(Debug, Clone, Serialize)]
pub struct LaterChanges {
    /// Whether a revision was appended at all (bytes after the signature that change no
    /// object are garbage, not a revision).
    pub revision_added: bool,
    /// What the later revisions changed beyond signing, in words; empty when everything they
    /// did is acceptable.
    pub modifications: Vec<String>,
}

impl LaterChanges {
    /// Only signatures, form fields, validation data or timestamps were added.
    pub fn acceptable(&self) -> bool {
        self.modifications.is_empty()
    }
}

fn name_of<'a>(d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key).and_then(Object::as_name).ok()
}

fn dict_of<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok()?.as_dict().ok(),
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// A signature dictionary (or document timestamp).
fn is_signature(d: &Dictionary) -> bool {
    matches!(name_of(d, b"Type"), Some(b"Sig" | b"DocTimeStamp")) || d.has(b"ByteRange")
}

/// A signature field or its widget (a merged field-widget, or a widget of a /FT /Sig parent).
fn is_signature_field(doc: &Document, d: &Dictionary) -> bool {
    if name_of(d, b"FT") == Some(b"Sig") {
        return true;
    }
    name_of(d, b"Subtype") == Some(b"Widget")
        && d.get(b"Parent")
            .ok()
            .and_then(|p| dict_of(doc, p))
            .is_some_and(|p| name_of(p, b"FT") == Some(b"Sig"))
}

/// Every object reachable from `start` (references followed, bounded).
fn reachable(doc: &Document, start: &Object, into: &mut HashSet<ObjectId>) {
    let mut todo = vec![start.clone()];
    while let Some(o) = todo.pop() {
        if into.len() > 100_000 {
            return;
        }
        match o {
            Object::Reference(id) if into.insert(id) => {
                if let Ok(o) = doc.get_object(id) {
                    todo.push(o.clone());
                }
            }
            Object::Array(a) => todo.extend(a),
            Object::Dictionary(d) => todo.extend(d.iter().map(|(_, v)| v.clone())),
            Object::Stream(s) => todo.extend(s.dict.iter().map(|(_, v)| v.clone())),
            _ => {}
        }
    }
}

/// Whether two objects say the same: equal, or text strings equal once decoded (a writer may
/// re-encode `<FEFF0031>` as `(1)`), recursively.
fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::String(x, _), Object::String(y, _)) => {
            x == y || {
                let text =
                    |v: &[u8]| lopdf::decode_text_string(&Object::string_literal(v.to_vec())).ok();
                text(x).is_some_and(|t| Some(t) == text(y))
            }
        }
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Object::Dictionary(x), Object::Dictionary(y)) => same_dict(x, y),
        (Object::Stream(x), Object::Stream(y)) => {
            same_dict(&x.dict, &y.dict) && x.content == y.content
        }
        _ => a == b,
    }
}

fn same_dict(x: &Dictionary, y: &Dictionary) -> bool {
    x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_ok_and(|w| same(v, w)))
}

/// References in an array object or value.
fn references(o: &Object) -> BTreeSet<ObjectId> {
    match o {
        Object::Array(a) => a.iter().filter_map(|v| v.as_reference().ok()).collect(),
        _ => BTreeSet::new(),
    }
}

/// Judges what `after` (the whole file) changed relative to `before` (the signed revision).
pub fn later_changes(before: &Document, after: &Document) -> LaterChanges {
    // Objects a later signer legitimately adds: signatures, their fields and widgets with
    // everything their appearances use, and the DSS with everything it holds.
    let mut allowed: HashSet<ObjectId> = HashSet::new();
    for (id, o) in &after.objects {
        let Some(d) = dict_of(after, o) else { continue };
        if is_signature(d) {
            allowed.insert(*id);
        } else if is_signature_field(after, d) {
            allowed.insert(*id);
            if let Ok(ap) = d.get(b"AP") {
                reachable(after, ap, &mut allowed);
            }
        }
    }
    let root = after
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .ok();
    if let Some(dss) = root
        .and_then(|r| after.get_object(r).ok())
        .and_then(|c| c.as_dict().ok())
        .and_then(|c| c.get(b"DSS").ok())
    {
        reachable(after, dss, &mut allowed);
    }
    // The document information dictionary (producer, modification date) is metadata that
    // signing tools update; it is not what a signature attests.
    if let Ok(info) = after.trailer.get(b"Info").and_then(Object::as_reference) {
        allowed.insert(info);
    }
    // Likewise the document's XMP metadata stream (the catalog's /Metadata).
    if let Some(xmp) = root
        .and_then(|r| after.get_object(r).ok())
        .and_then(|c| c.as_dict().ok())
        .and_then(|c| c.get(b"Metadata").and_then(Object::as_reference).ok())
    {
        allowed.insert(xmp);
    }
    let is_allowed_ref = |id: &ObjectId| allowed.contains(id);

    let mut modifications = Vec::new();
    let mut revision_added = false;
    for (id, new) in &after.objects {
        let structural = match new {
            Object::Stream(s) => matches!(name_of(&s.dict, b"Type"), Some(b"XRef" | b"ObjStm")),
            _ => false,
        };
        if structural {
            continue;
        }
        let Some(old) = before.objects.get(id) else {
            revision_added = true;
            if allowed.contains(id) {
                continue;
            }
            match dict_of(after, new).and_then(|d| name_of(d, b"Type").or(name_of(d, b"Subtype"))) {
                Some(b"Page") => modifications.push(format!("a page was added (object {})", id.0)),
                Some(b"Annot") => {
                    modifications.push(format!("an annotation was added (object {})", id.0))
                }
                _ => {} // not reachable from the document unless a changed object says so
            }
            continue;
        };
        if same(old, new) {
            continue;
        }
        revision_added = true;
        if allowed.contains(id) {
            continue;
        }
        if let Some(what) = judge_changed(*id, old, new, after, &is_allowed_ref) {
            modifications.push(what);
        }
    }
    modifications.sort();
    modifications.dedup();
    LaterChanges {
        revision_added,
        modifications,
    }
}

/// Whether `after` adds (or changes) a signature other than a document timestamp: what a
/// certification allowing no changes (DocMDP P=1) forbids even when every other change is one
/// a signer makes. Validation data (the DSS) and document timestamps are not such changes
/// (PAdES, ETSI EN 319 142-1 / TS 102 778-4 A.1–A.2: DocMDP restrictions do not apply to them).
pub fn adds_signatures(before: &Document, after: &Document) -> bool {
    after.objects.iter().any(|(id, o)| {
        let Some(d) = dict_of(after, o) else {
            return false;
        };
        let timestamp = name_of(d, b"Type") == Some(b"DocTimeStamp")
            || name_of(d, b"SubFilter") == Some(b"ETSI.RFC3161");
        is_signature(d) && !timestamp && before.objects.get(id).is_none_or(|old| !same(old, o))
    })
}

/// `None` when the change of object `id` from `old` to `new` is one a later signer makes.
fn judge_changed(
    id: ObjectId,
    old: &Object,
    new: &Object,
    doc: &Document,
    allowed: &dyn Fn(&ObjectId) -> bool,
) -> Option<String> {
    let n = id.0;
    // An array that only gained signature fields/widgets (a page's /Annots, the form's /Fields).
    if let (Object::Array(_), Object::Array(_)) = (old, new) {
        let (was, is) = (references(old), references(new));
        if was.is_subset(&is) && is.difference(&was).all(allowed) {
            return None;
        }
        return Some(format!("annotations or form fields changed (object {n})"));
    }
    let (Some(od), Some(nd)) = (dict_of(doc, old), dict_of(doc, new)) else {
        return Some(format!("object {n} changed"));
    };
    if matches!(old, Object::Stream(_)) || matches!(new, Object::Stream(_)) {
        return Some(format!("a content or data stream changed (object {n})"));
    }
    let keys: BTreeSet<Vec<u8>> = od
        .iter()
        .chain(nd.iter())
        .map(|(k, _)| k.clone())
        .filter(|k| match (od.get(k), nd.get(k)) {
            (Ok(a), Ok(b)) => !same(a, b),
            (a, b) => a.is_ok() != b.is_ok(),
        })
        .collect();
    let kind = name_of(nd, b"Type").unwrap_or_default();
    let acceptable_keys: &[&[u8]] = match kind {
        // a version bump comes with new features a later signer may use
        b"Catalog" => &[b"AcroForm", b"DSS", b"Extensions", b"Version", b"Metadata"],
        b"Page" => &[b"Annots"],
        _ if nd.has(b"Fields") || nd.has(b"SigFlags") => &[b"Fields", b"SigFlags"],
        _ => &[],
    };
    let mut bad: Vec<String> = Vec::new();
    for k in &keys {
        if !acceptable_keys.contains(&k.as_slice()) {
            bad.push(String::from_utf8_lossy(k).into_owned());
            continue;
        }
        // an inline /Annots or /Fields array must only gain signature fields
        if let (Ok(o), Ok(v)) = (od.get(k), nd.get(k)) {
            if let (Object::Array(_), Object::Array(_)) = (o, v) {
                let (was, is) = (references(o), references(v));
                if !(was.is_subset(&is) && is.difference(&was).all(allowed)) {
                    bad.push(String::from_utf8_lossy(k).into_owned());
                }
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    let what = match kind {
        b"Page" if bad.iter().any(|k| k == "Contents" || k == "Resources") => "page content",
        b"Page" if bad.iter().any(|k| k == "Annots") => "page annotations",
        b"Page" => "a page",
        b"Catalog" => "the document catalog",
        b"Annot" => "an annotation",
        _ => "an object",
    };
    Some(format!("{what} (object {n}: /{})", bad.join(", /")))
}
