//! Signing one XML document in the pipeline's three steps: [`PreparedXml::prepare`] (worker
//! thread: parse, place, digest the references, canonicalise SignedInfo in its final place),
//! the token signs [`PreparedXml::digest`], [`PreparedXml::assemble`] (writer thread).

use time::{OffsetDateTime, UtcOffset};

use super::c14n::{canonical, mode, selection, without};
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

/// The canonical SignedInfo with the digests in its empty DigestValue elements, in order:
/// base64 needs no escaping, so this is the canonical form of the SignedInfo written (and
/// each output is verified whole before it is written).
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
        let t = text(name, data)?;
        let doc = parse(name, t.text)?;
        let existing = ids(name, &doc)?;
        let place = placement(name, t.text, &doc, opts.profile, opts.role)?;
        let mut suffix = [0u8; 4];
        getrandom::getrandom(&mut suffix)
            .map_err(|e| Error::Document(format!("no randomness for the signature's Id: {e}")))?;
        let template = Template {
            id: format!("{}-{}", place.id_prefix, hex::encode(suffix)),
            target: place.target.as_deref(),
            algorithm: alg,
            certificate: cert,
            signing_time: local_time(signing_time),
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
        let assemble = |digests: &[Vec<u8>]| {
            let (b, a) = template.render(digests);
            (
                format!("{head}{}{b}", place.open),
                format!("{a}{}{tail}", place.close),
            )
        };
        // The document as it will be, the digests still empty: the references' digests and
        // SignedInfo's canonical form (inclusive C14N takes the namespaces of its ancestors,
        // so it is canonicalised in its final place) both come from this one parse.
        let (b, a) = assemble(&[]);
        let draft = format!("{b}{a}");
        let (digests, signed_info, stamp) = {
            let doc = parse(name, &draft)?;
            let ids = ids(name, &doc)?;
            let sig = ids[&template.id];
            let target = place.target.as_ref().map(|t| ids[t]);
            let mut sets = vec![without(&doc, &selection(&doc, target), sig)];
            if template.references() == 2 {
                sets.push(selection(&doc, Some(ids[&template.signed_object_id()])));
            }
            let hash = alg.hash();
            let digests = sets
                .iter()
                .map(|s| Ok(hash.digest(&canonical(&doc, C14nMode::Inclusive, s)?)))
                .collect::<Result<Vec<_>>>()?;
            let signed_info = doc
                .first_child(sig)
                .filter(|&n| super::parse::local_name(&doc, n) == Some("SignedInfo"))
                .ok_or_else(|| {
                    Error::Document("the signature template has no SignedInfo".into())
                })?;
            let mode = mode(place.shape.c14n).unwrap_or(C14nMode::Inclusive);
            let set = if mode.with_comments() {
                NodeSet::tree_with_comments(signed_info, &doc)
            } else {
                NodeSet::tree_without_comments(signed_info, &doc)
            };
            let stamp = match opts.profile {
                Profile::XadesT => {
                    let value = doc
                        .children(sig)
                        .into_iter()
                        .find(|&n| super::parse::local_name(&doc, n) == Some("SignatureValue"))
                        .ok_or_else(|| {
                            Error::Document("the signature template has no SignatureValue".into())
                        })?;
                    Some(element_c14n(&doc, value, C14nMode::Inclusive)?)
                }
                _ => None,
            };
            (digests, canonical(&doc, mode, &set)?, stamp)
        };
        let signed_info = fill_digests(signed_info, place.shape.prefix, &digests)?;
        let (before, after) = assemble(&digests);
        let stamp = stamp.map(|c| stamp_of(c, &after)).transpose()?;
        let bom = &data[..t.bom];
        Ok(PreparedXml {
            name: name.to_owned(),
            id: template.id.clone(),
            alg,
            curve: PublicKey::from_spki_der(cert.spki_der())?.curve(),
            signed_info,
            before: [bom, before.as_bytes()].concat(),
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
