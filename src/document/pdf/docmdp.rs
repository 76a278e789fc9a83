//! Certified PDFs (ISO 32000-1 §12.8.2.2): what the certification allows later signers to do.

use lopdf::{Dictionary, Object, ObjectId};

use crate::error::{Error, Result};

/// Whether a signature may be added under a certification with `permission`: none under P=1;
/// under P=2 and P=3 only an invisible one, as a visible one adds a field to a page.
pub(crate) fn allows(permission: Option<i64>, visible: bool) -> Result<()> {
    match permission {
        Some(1) => Err(Error::PdfCertifiedNoChanges),
        Some(p) if visible => Err(Error::PdfCertifiedNoNewVisibleField(p)),
        _ => Ok(()),
    }
}

/// The DocMDP permission of a certified PDF (ISO 32000-1 §12.8.2.2: 1 no changes, 2 form
/// filling and signing, 3 also annotations), `None` when it is not certified.
pub(crate) fn docmdp_permission(
    get: &dyn Fn(ObjectId) -> Result<Object>,
    catalog: &Dictionary,
) -> Result<Option<i64>> {
    let resolve = |o: &Object| match o {
        Object::Reference(id) => get(*id),
        o => Ok(o.clone()),
    };
    let dict = |o: &Object| -> Result<Option<Dictionary>> {
        Ok(match resolve(o)? {
            Object::Dictionary(d) => Some(d),
            _ => None,
        })
    };
    let Some(perms) = catalog.get(b"Perms").ok().map(dict).transpose()?.flatten() else {
        return Ok(None);
    };
    let Some(sig) = perms.get(b"DocMDP").ok().map(dict).transpose()?.flatten() else {
        return Ok(None);
    };
    let references = match sig.get(b"Reference").ok().map(resolve).transpose()? {
        Some(Object::Array(a)) => a,
        _ => Vec::new(),
    };
    for r in &references {
        let Some(r) = dict(r)? else { continue };
        if r.get(b"TransformMethod").and_then(Object::as_name).ok() != Some(b"DocMDP".as_slice()) {
            continue;
        }
        let p = match r
            .get(b"TransformParams")
            .ok()
            .map(dict)
            .transpose()?
            .flatten()
        {
            Some(params) => params.get(b"P").and_then(Object::as_i64).unwrap_or(2),
            None => 2,
        };
        return Ok(Some(p));
    }
    // certified, without a readable DocMDP reference: the default permission
    Ok(Some(2))
}
