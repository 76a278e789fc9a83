//! Signing one XML document in the pipeline's three steps: [`PreparedXml::prepare`] (worker
//! thread: parse, place, digest the references, canonicalise SignedInfo in its final place),
//! the token signs [`PreparedXml::digest`], [`PreparedXml::assemble`] (writer thread).

use time::{OffsetDateTime, UtcOffset};

use super::c14n::{canonical, digest, mode, selection, without};
use super::context::in_place;
use super::parse::{ids, parse, text};
use super::place::placement;
use super::template::Template;
use super::timestamp::{element_c14n, unsigned_properties};
use super::{Profile, XmlOptions};
use crate::cert::Certificate;
use crate::checked::CheckedSignature;
use crate::document::cms::tsp::{verify_token, Timestamper};
use crate::error::{Error, Result};
use crate::key::{Curve, SignatureAlgorithm};
use crate::public_key::{ecdsa_der_to_raw, PublicKey};
use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use uppsala::Document;

/// An XML document ready for the token's signature.
pub struct PreparedXml {
    name: String,
    /// The signature's `Id`.
    id: String,
    alg: SignatureAlgorithm,
    curve: Option<Curve>,
    /// SignedInfo canonicalised where it stands in the output: what the signature covers.
    signed_info: Vec<u8>,
    /// The output up to the SignatureValue's content.
    before: Vec<u8>,
    /// The output after it.
    after: Vec<u8>,
    /// XAdES-T: the SignatureValue element canonicalised in place, split where its value
    /// goes (what the timestamp covers), and where in `after` the unsigned properties go.
    stamp: Option<Stamp>,
}

/// Where an XAdES-T signature's timestamp comes from and goes.
struct Stamp {
    value_head: Vec<u8>,
    value_tail: Vec<u8>,
    unsigned_at: usize,
}

/// `canonical` (SignedInfo canonicalised, or the markup written) with the digests in its empty
/// DigestValue elements, in order: base64 needs no escaping, so the canonical form of the
/// SignedInfo written is the canonical form with its digests filled in.
fn fill_digests(canonical: Vec<u8>, prefix: &str, digests: &[Vec<u8>]) -> Result<Vec<u8>> {
    let text = String::from_utf8(canonical)
        .map_err(|_| Error::Document("canonical SignedInfo is not UTF-8".into()))?;
    let empty = format!("<{prefix}DigestValue></{prefix}DigestValue>");
    let parts: Vec<&str> = text.split(&empty).collect();
    if parts.len() != digests.len() + 1 {
        return Err(Error::Document(
            "the signature template's DigestValues are not where expected".into(),
        ));
    }
    let mut out = String::with_capacity(text.len() + 64 * digests.len());
    for (part, d) in parts.iter().zip(digests) {
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, d);
        out.push_str(part);
        out.push_str(&format!("<{prefix}DigestValue>{b64}</{prefix}DigestValue>"));
    }
    out.push_str(parts[digests.len()]);
    Ok(out.into_bytes())
}

/// Where the value goes in the canonical empty SignatureValue `c14n`, and where the unsigned
/// properties go in `after` (before the QualifyingProperties end tag).
fn stamp_of(c14n: Vec<u8>, after: &str) -> Result<Stamp> {
    let wrong = || Error::Document("the XAdES-T template is not as expected".into());
    let end = c14n.iter().rposition(|&b| b == b'<').ok_or_else(wrong)?;
    let unsigned_at = after
        .rfind("</xades:QualifyingProperties>")
        .ok_or_else(wrong)?;
    Ok(Stamp {
        value_tail: c14n[end..].to_vec(),
        value_head: c14n[..end].to_vec(),
        unsigned_at,
    })
}

/// Vietnam's time (UTC+7 all year), as e-invoice SigningTime carries it: no zone written.
pub fn local_time(t: OffsetDateTime) -> String {
    let offset = UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC);
    let t = t.to_offset(offset);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// How the signature is canonicalised where it will stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Draft {
    /// In the smallest document that gives the same result: the signature inside its
    /// ancestors when it signs an element by Id, else the whole document with it.
    InPlace,
    /// Always in the whole document with the signature (what the first is checked against).
    #[cfg(test)]
    Whole,
}

/// What the signature covers, from a document holding it (digests still empty).
struct Parts {
    /// The references' digests, in order.
    digests: Vec<Vec<u8>>,
    /// SignedInfo canonicalised, its DigestValues empty.
    signed_info: Vec<u8>,
    /// XAdES-T: the empty SignatureValue canonicalised.
    stamp: Option<Vec<u8>>,
}

/// The [`Parts`] of the signature `template` in `doc`; the first reference's digest is
/// `data` when already known (the element signed is outside `doc`).
fn signature_parts(
    name: &str,
    doc: &Document<'_>,
    template: &Template<'_>,
    opts: &XmlOptions,
    data: Option<Vec<u8>>,
) -> Result<Parts> {
    let ids = ids(name, doc)?;
    let missing = || Error::Document("the signature template is not where expected".into());
    let id = |i: &str| ids.get(i).copied().ok_or_else(missing);
    let sig = id(&template.id)?;
    let hash = template.algorithm.hash();
    let data = match data {
        Some(d) => d,
        None => {
            let target = template.target.map(id).transpose()?;
            let set = without(doc, &selection(doc, target), sig);
            digest(doc, C14nMode::Inclusive, &set, hash)?
        }
    };
    let mut digests = vec![data];
    if template.references() == 2 {
        let set = selection(doc, Some(id(&template.signed_object_id())?));
        digests.push(digest(doc, C14nMode::Inclusive, &set, hash)?);
    }
    let signed_info = doc
        .first_child(sig)
        .filter(|&n| super::parse::local_name(doc, n) == Some("SignedInfo"))
        .ok_or_else(|| Error::Document("the signature template has no SignedInfo".into()))?;
    let mode = mode(template.shape.c14n).unwrap_or(C14nMode::Inclusive);
    let set = if mode.with_comments() {
        NodeSet::tree_with_comments(signed_info, doc)
    } else {
        NodeSet::tree_without_comments(signed_info, doc)
    };
    let stamp = match opts.profile {
        Profile::XadesT => {
            let value = doc
                .children(sig)
                .into_iter()
                .find(|&n| super::parse::local_name(doc, n) == Some("SignatureValue"))
                .ok_or_else(|| {
                    Error::Document("the signature template has no SignatureValue".into())
                })?;
            Some(element_c14n(doc, value, C14nMode::Inclusive)?)
        }
        _ => None,
    };
    Ok(Parts {
        digests,
        signed_info: canonical(doc, mode, &set)?,
        stamp,
    })
}

impl PreparedXml {
    /// Prepares `data` (named `name` in messages) for a signature by `cert` with `alg`.
    pub fn prepare(
        name: &str,
        data: &[u8],
        cert: &Certificate,
        alg: SignatureAlgorithm,
        opts: &XmlOptions,
        signing_time: OffsetDateTime,
    ) -> Result<PreparedXml> {
        let mut suffix = [0u8; 4];
        getrandom::getrandom(&mut suffix)
            .map_err(|e| Error::Document(format!("no randomness for the signature's Id: {e}")))?;
        let how = Draft::InPlace;
        let signing_time = local_time(signing_time);
        Self::prepare_with(name, data, cert, alg, opts, signing_time, suffix, how)
    }

    /// [`PreparedXml::prepare`] with the Id's random part and how the signature is
    /// canonicalised given.
    #[allow(clippy::too_many_arguments)]
    fn prepare_with(
        name: &str,
        data: &[u8],
        cert: &Certificate,
        alg: SignatureAlgorithm,
        opts: &XmlOptions,
        signing_time: String,
        suffix: [u8; 4],
        how: Draft,
    ) -> Result<PreparedXml> {
        let t = text(name, data)?;
        let doc = parse(name, t.text)?;
        let existing = ids(name, &doc)?;
        let place = placement(name, t.text, &doc, opts.profile, opts.role)?;
        let template = Template {
            id: format!("{}-{}", place.id_prefix, hex::encode(suffix)),
            target: place.target.as_deref(),
            algorithm: alg,
            certificate: cert,
            signing_time,
            shape: place.shape,
            subject_name: opts.subject_name,
        };
        if existing.contains_key(&template.id)
            || existing.contains_key(&template.signed_object_id())
        {
            return Err(Error::Document(format!(
                "{name}: the identifier {} is already used; sign again",
                template.id
            )));
        }
        let head = &t.text[..place.cut.start];
        let tail = &t.text[place.cut.end..];
        // The signature with its digests still empty.
        let (b, a) = template.render(&[]);
        let signature = format!("{}{b}{a}{}", place.open, place.close);
        // An element signed by its Id, the signature outside it: its digest comes from this
        // parse, and the signature is canonicalised in a small document with the same
        // ancestors (inclusive C14N takes their namespaces). Otherwise (the whole document
        // signed) the document as it will be is parsed.
        let target = place.target.as_ref().and_then(|t| existing.get(t).copied());
        let outside = target
            .and_then(|n| doc.node_range(n))
            .is_some_and(|r| place.cut.end <= r.start || place.cut.start >= r.end);
        let hash = alg.hash();
        let parts = if outside && how == Draft::InPlace {
            let set = selection(&doc, target);
            let data = digest(&doc, C14nMode::Inclusive, &set, hash)?;
            let small = in_place(&doc, &place.cut, &signature);
            drop(doc);
            signature_parts(name, &parse(name, &small)?, &template, opts, Some(data))?
        } else {
            drop(doc);
            let draft = format!("{head}{signature}{tail}");
            signature_parts(name, &parse(name, &draft)?, &template, opts, None)?
        };
        let Parts {
            digests,
            signed_info,
            stamp,
        } = parts;
        let prefix = place.shape.prefix;
        let signed_info = fill_digests(signed_info, prefix, &digests)?;
        let b = fill_digests(b.into_bytes(), prefix, &digests)?;
        let bom = &data[..t.bom];
        let mut before = Vec::with_capacity(bom.len() + head.len() + place.open.len() + b.len());
        for part in [bom, head.as_bytes(), place.open.as_bytes(), &b] {
            before.extend_from_slice(part);
        }
        let mut after = String::with_capacity(a.len() + place.close.len() + tail.len() + 700);
        for part in [&a, &place.close, tail] {
            after.push_str(part);
        }
        let stamp = stamp.map(|c| stamp_of(c, &after)).transpose()?;
        let curve = match alg {
            SignatureAlgorithm::Ecdsa(_) => PublicKey::from_spki_der(cert.spki_der())?.curve(),
            _ => None,
        };
        Ok(PreparedXml {
            name: name.to_owned(),
            id: template.id.clone(),
            alg,
            curve,
            signed_info,
            before,
            after: after.into_bytes(),
            stamp,
        })
    }

    /// The signature's `Id`: where to find it in the output.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The canonical SignedInfo: what the token's signature covers.
    pub fn signed_info(&self) -> &[u8] {
        &self.signed_info
    }

    /// The digest the token signs.
    pub fn digest(&self) -> Vec<u8> {
        self.alg.hash().digest(&self.signed_info)
    }

    /// Whether the signature gets a SignatureTimeStamp (XAdES-T): [`PreparedXml::assemble`]
    /// then needs a timestamp authority.
    pub fn is_timestamped(&self) -> bool {
        self.stamp.is_some()
    }

    /// The signed document, from `sig`, the token's signature already checked over
    /// [`PreparedXml::signed_info`] with the signer's certificate (what a receiver checks; the
    /// references' digests were computed over the document as written, so the output is not
    /// parsed again), and for XAdES-T a token from `tsa` over the canonicalised
    /// SignatureValue, itself checked against it.
    pub fn assemble(
        self,
        sig: &CheckedSignature,
        tsa: Option<&dyn Timestamper>,
    ) -> Result<Vec<u8>> {
        // XMLDSig carries ECDSA as r || s, not DER.
        let value = match (self.alg, &self.curve) {
            (SignatureAlgorithm::Ecdsa(_), Some(c)) => ecdsa_der_to_raw(c, sig.as_bytes())?,
            _ => sig.as_bytes().to_vec(),
        };
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, value);
        let mut after = self.after;
        if let Some(s) = &self.stamp {
            let tsa = tsa.ok_or_else(|| Error::InvalidInput(crate::t!("xades-t-needs-tsa")))?;
            let stamped = [&s.value_head[..], b64.as_bytes(), &s.value_tail].concat();
            let token = tsa.timestamp(&stamped)?;
            let check = verify_token(&token, &stamped);
            if !check.is_valid() {
                return Err(Error::Timestamp(format!(
                    "{}: the timestamp does not hold for this signature ({}): nothing was \
                     written",
                    self.name,
                    check.problems.join("; ")
                )));
            }
            let unsigned = unsigned_properties(&self.id, "ds:", &token);
            after.splice(s.unsigned_at..s.unsigned_at, unsigned.into_bytes());
        }
        Ok([self.before, b64.into_bytes(), after].concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::HashAlg;
    use crate::document::xml::parse::PARSED;
    use crate::document::xml::Role;

    fn prepared(text: &str, opts: &XmlOptions, how: Draft) -> PreparedXml {
        let cert = crate::cert::testutil::viettel();
        let alg = SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256);
        let time = "2026-12-04T10:00:00".to_owned();
        PreparedXml::prepare_with(
            "t.xml",
            text.as_bytes(),
            &cert,
            alg,
            opts,
            time,
            [7; 4],
            how,
        )
        .unwrap()
    }

    fn einvoice(role: Role) -> XmlOptions {
        XmlOptions {
            profile: Profile::Einvoice,
            role,
            ..XmlOptions::default()
        }
    }

    /// The signature canonicalised inside its ancestors only gives, byte for byte, what the
    /// whole document with the signature in gives: namespaces (default, prefixed, undeclared,
    /// escaped), `xml:` attributes, an empty slot, the buyer after the seller, a declaration.
    #[test]
    fn the_signature_in_its_ancestors_is_as_in_the_whole_document() {
        let cases = [
            (
                "<?xml version=\"1.0\"?>\r\n<HDon xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
                 xml:lang=\"vi\"><DLHDon Id=\"d\"><MST>01</MST><!-- c --></DLHDon>\
                 <DSCKS xml:space=\"preserve\"><NBan></NBan><NMua/></DSCKS></HDon>",
                einvoice(Role::Seller),
            ),
            (
                "<h:HDon xmlns:h=\"urn:h&amp;1\" xmlns=\"urn:d&#9;x\"><DLHDon Id=\"d\" a=\"&lt;\">x\
                 </DLHDon><DSCKS xmlns=\"\"><NBan/></DSCKS></h:HDon>",
                einvoice(Role::Seller),
            ),
            (
                "<HDon xmlns=\"urn:x\"><DLHDon Id=\"d\"/><DLQRCode/></HDon>",
                einvoice(Role::Seller),
            ),
            (
                "<HDon><DLHDon Id=\"d\"/><DSCKS><NBan>s</NBan><CQT/></DSCKS></HDon>",
                einvoice(Role::Buyer),
            ),
            (
                "<HSoThueDTu xmlns=\"http://kekhaithue.gdt.gov.vn/TKhaiThue\" \
                 xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><HSoKhaiThue id=\"i\">\
                 <!-- k --><TTinChung/></HSoKhaiThue><CKyDTu/></HSoThueDTu>",
                XmlOptions::default(),
            ),
        ];
        for (text, opts) in &cases {
            let fast = prepared(text, opts, Draft::InPlace);
            let whole = prepared(text, opts, Draft::Whole);
            assert_eq!(fast.signed_info, whole.signed_info, "{text}");
            assert_eq!(fast.before, whole.before, "{text}");
            assert_eq!(fast.after, whole.after, "{text}");
        }
    }

    /// An e-invoice is parsed whole once when it is prepared (then only the signature in its
    /// ancestors, a small document); the whole document signed (`URI=""`) needs it twice.
    #[test]
    fn an_einvoice_is_parsed_whole_once() {
        let text = format!(
            "<HDon><DLHDon Id=\"d\">{}</DLHDon><DSCKS><NBan/></DSCKS></HDon>",
            "<HHDVu><THHDVu>Dịch vụ ký số</THHDVu></HHDVu>".repeat(200)
        );
        let whole = |opts: &XmlOptions| {
            PARSED.with(|p| p.borrow_mut().clear());
            prepared(&text, opts, Draft::InPlace);
            PARSED.with(|p| p.borrow().iter().filter(|&&n| n >= text.len()).count())
        };
        assert_eq!(whole(&einvoice(Role::Seller)), 1);
        let enveloped = XmlOptions {
            profile: Profile::Enveloped,
            ..XmlOptions::default()
        };
        assert_eq!(whole(&enveloped), 2);
    }
}
