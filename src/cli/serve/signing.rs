//! One web request's signatures: the key chosen before the PIN, one confirmation naming the
//! requesting origin, the certificate and every document, one PIN through pinentry, one login,
//! then the library's pipeline ([`kyso::batch`]) over the documents in memory. Requests sign
//! one after the other (one person, one token).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use secrecy::SecretString;
use time::OffsetDateTime;

use kyso::batch::{check, choose, Batch, Document, Event, Format, Options};
use kyso::devices::RemovalWatch;
use kyso::pkcs11::Backend;
use kyso::t;
use kyso::{
    Certificate, CertificateEntry, Error, HashAlg, KeyType, SignatureAlgorithm, Signer, Token,
};

use super::super::batch::failure_line;
use super::pinentry::{Answer, Pinentry};

/// Why a request got no signature.
#[derive(Debug)]
pub enum Refusal {
    /// The person refused the confirmation or cancelled the PIN.
    Cancelled,
    /// Anything else, said clearly.
    Failed(Error),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Refusal {
        Refusal::Failed(e)
    }
}

/// What a request asks to sign, for the confirmation.
pub struct Ask<'a> {
    /// The page's origin, from the browser.
    pub origin: &'a str,
    /// The operation in words ("sign 20 PDF documents").
    pub what: &'a str,
    /// The certificate serial the page asked for (hex), if any.
    pub cert_serial: Option<&'a str>,
}

/// What PDFs get besides the signature.
#[derive(Default, Clone)]
pub struct PdfOptions {
    /// The visible signature the page asked for.
    pub visible: Option<kyso::document::Visible>,
    /// `/Reason` (the document number and date of an issued document).
    pub reason: Option<String>,
    /// The page asked for a timestamp: from `[serve] tsa` (checked before this is set).
    pub timestamp: bool,
}

/// One document's outcome: its output, or why not.
pub type Outcome = std::result::Result<Vec<u8>, String>;

/// The tokens and the person behind the service.
pub struct Signing {
    backend: Backend,
    pinentry: Pinentry,
    token: Option<String>,
    key_id: Option<Vec<u8>>,
    lock: Mutex<()>,
    wedged: AtomicBool,
    tsa: Option<Arc<dyn kyso::document::Timestamper>>,
}

/// A token logged in to, and the key to sign with.
type LoggedIn = (Arc<dyn Token>, Arc<dyn Signer>);

/// A key found before the PIN, and its token.
struct Found {
    token: Arc<dyn Token>,
    entry: CertificateEntry,
}

impl Signing {
    /// Signs with the tokens of `backend`, asking through `pinentry`; `token` and `key_id`
    /// choose when several could sign.
    pub fn new(
        backend: Backend,
        pinentry: Pinentry,
        token: Option<String>,
        key_id: Option<Vec<u8>>,
        tsa: Option<String>,
    ) -> kyso::Result<Signing> {
        let tsa: Option<Arc<dyn kyso::document::Timestamper>> = match tsa {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(Arc::new(kyso::document::Tsa::new(url)))
            }
            Some(url) => {
                return Err(Error::InvalidInput(kyso::t!(
                    "serve-tsa-not-http",
                    url = kyso::cert::printable(&url)
                )))
            }
            None => None,
        };
        Ok(Signing {
            backend,
            pinentry,
            token,
            key_id,
            lock: Mutex::new(()),
            wedged: AtomicBool::new(false),
            tsa,
        })
    }

    /// Whether a page's request for a timestamp can be met (`[serve] tsa` is set).
    pub fn can_timestamp(&self) -> bool {
        self.tsa.is_some()
    }

    /// The tokens present now (tokens come and go while the service runs).
    fn tokens(&self) -> Vec<Arc<dyn Token>> {
        let (tokens, errors) = self.backend.tokens();
        for (m, e) in errors {
            log::warn!("module {m}: {e}");
        }
        let all: Vec<Arc<dyn Token>> = tokens.into_iter().map(|t| t as Arc<dyn Token>).collect();
        choose::tokens_matching(all, self.token.as_deref())
    }

    /// The certificates with a private key on the tokens present now.
    pub fn certificates(&self) -> Vec<Certificate> {
        let _guard = self.lock.lock();
        if self.wedged() {
            return Vec::new();
        }
        self.keys(None)
            .map(|v| v.into_iter().map(|f| f.entry.certificate).collect())
            .unwrap_or_default()
    }

    fn keys(&self, cert_serial: Option<&str>) -> kyso::Result<Vec<Found>> {
        let mut out = Vec::new();
        for token in self.tokens() {
            let keys = match choose::keys_before_login(&*token, self.key_id.as_deref()) {
                Ok(k) => k,
                Err(e) => {
                    log::info!("token skipped: {e}"); // i18n: a log line
                    continue;
                }
            };
            for entry in keys {
                if cert_serial.is_none_or(|s| same_serial(&entry.certificate.serial_hex(), s)) {
                    out.push(Found {
                        token: token.clone(),
                        entry,
                    });
                }
            }
        }
        Ok(out)
    }

    fn choose(&self, cert_serial: Option<&str>) -> Result<Found, Refusal> {
        if self.wedged() {
            return Err(Error::TokenRemoved { slot: None }.into());
        }
        let mut found = self.keys(cert_serial)?;
        match found.len() {
            0 if cert_serial.is_some() => Err(Error::CertificateNotFound(kyso::t!(
                "serve-no-token-holds-serial",
                serial = kyso::cert::printable(cert_serial.unwrap_or_default())
            ))
            .into()),
            0 => Err(Error::TokenNotFound(String::new()).into()),
            1 => Ok(found.remove(0)),
            n => Err(Error::Ambiguous(kyso::t!("serve-several-keys", count = n)).into()),
        }
    }

    /// Asks the person (confirmation, then the PIN) and logs in; the signer and its token.
    fn login(&self, ask: &Ask, documents: &[(String, u64)]) -> Result<LoggedIn, Refusal> {
        let found = self.choose(ask.cert_serial)?;
        let label = found.token.info().map(|i| i.label).unwrap_or_default();
        let cert = &found.entry.certificate;
        let holder = cert.common_name().unwrap_or(cert.subject()).to_owned();
        let now = OffsetDateTime::now_utc();
        choose::check_validity(cert, now, false)?;
        let desc = confirmation(ask, &holder, &cert.serial_hex(), &label, documents);
        match self
            .pinentry
            .confirm(&t!("serve-confirm-title"), &desc, &t!("serve-confirm-ok"))?
        {
            Answer::Given(()) => {}
            Answer::Cancelled => return Err(Refusal::Cancelled),
        }
        choose::not_locked(&*found.token)?;
        let retries = found.token.info().ok().and_then(|i| {
            if i.pin.final_try {
                Some(t!("serve-pin-final-try"))
            } else if i.pin.count_low {
                Some(t!("serve-pin-count-low"))
            } else {
                None
            }
        });
        let pin_desc = format!(
            "{}\n{}",
            t!(
                "serve-pin-asks",
                origin = ask.origin,
                holder = holder.as_str(),
                token = label.as_str()
            ),
            t!("serve-pin-enter")
        );
        let pin: SecretString =
            match self
                .pinentry
                .pin(&t!("serve-pin-title"), &pin_desc, retries.as_deref())?
            {
                Answer::Given(p) => p,
                Answer::Cancelled => return Err(Refusal::Cancelled),
            };
        found.token.login(&pin)?;
        drop(pin);
        let key = choose::key(&*found.token, &label, Some(&found.entry.id));
        match key {
            Ok(k) => {
                if k.signer.key().always_authenticate {
                    self.ask_each_signature(&*found.token, ask, &holder, &label, documents.len());
                }
                Ok((found.token, k.signer))
            }
            Err(e) => {
                let _ = found.token.logout();
                Err(e.into())
            }
        }
    }

    /// A key that wants its PIN for every signature (`CKA_ALWAYS_AUTHENTICATE`) gets it from
    /// the person for every signature, through pinentry (until logout).
    fn ask_each_signature(
        &self,
        token: &dyn Token,
        ask: &Ask,
        holder: &str,
        label: &str,
        n: usize,
    ) {
        let pinentry = self.pinentry.clone();
        let (origin, holder, label) = (ask.origin.to_owned(), holder.to_owned(), label.to_owned());
        let count = AtomicUsize::new(0);
        token.set_signature_pin_source(Some(Arc::new(move || {
            let i = count.fetch_add(1, Ordering::SeqCst) + 1;
            let desc = format!(
                "{}\n{}",
                t!(
                    "serve-pin-asks",
                    origin = origin.as_str(),
                    holder = holder.as_str(),
                    token = label.as_str()
                ),
                t!("serve-pin-each", n = i, total = n)
            );
            match pinentry.pin(&t!("serve-pin-title"), &desc, None) {
                Ok(Answer::Given(pin)) => Some(pin),
                _ => None,
            }
        })));
    }

    /// Signs `documents` (name, bytes, format) with one confirmation and one PIN, PDFs with
    /// `pdf`'s visible signature and reason. Per document: the output or why not. Documents
    /// are checked before the person is asked (a batch where nothing is signable asks
    /// nothing); a stopped batch (the token pulled out) fails every document not signed.
    pub fn sign_documents(
        &self,
        ask: &Ask,
        documents: Vec<(String, Vec<u8>, Format)>,
        pdf: &PdfOptions,
    ) -> Result<Vec<Outcome>, Refusal> {
        let mut outcomes: Vec<Outcome> = vec![Err(kyso::t!("serve-not-signed")); documents.len()];
        let documents: Vec<(String, Arc<[u8]>, Format)> = documents
            .into_iter()
            .map(|(n, d, f)| (n, Arc::from(d), f))
            .collect();
        let mut ready = vec![false; documents.len()];
        for (i, (name, data, format)) in documents.iter().enumerate() {
            let doc = Document::memory(name.clone(), data.clone());
            match check::document(&doc, *format, pdf.visible.as_ref()) {
                Ok(()) => ready[i] = true,
                Err(e) => outcomes[i] = Err(failure_line(name, &e.to_string())),
            }
        }
        if !ready.contains(&true) {
            let why = outcomes
                .iter()
                .find_map(|o| o.clone().err())
                .unwrap_or_default();
            return Err(Error::InvalidInput(kyso::t!("serve-nothing-to-sign", why = why)).into());
        }
        let _guard = self.lock.lock();
        let listed: Vec<(String, u64)> = documents
            .iter()
            .zip(&ready)
            .filter(|(_, r)| **r)
            .map(|((n, d, _), _)| (n.clone(), d.len() as u64))
            .collect();
        let (token, signer) = self.login(ask, &listed)?;
        let work = Work {
            token: token.clone(),
            signer,
            documents,
            ready: ready.clone(),
            pdf: pdf.clone(),
            outcomes: Arc::new(Mutex::new(outcomes)),
            tsa: self.tsa.clone(),
        };
        let outcomes = work.outcomes.clone();
        let (done, wait) = std::sync::mpsc::channel::<bool>();
        let hung = done.clone();
        // read now: once the module hangs, every call to it hangs too
        let info = token.info().ok();
        let reader = info.as_ref().map(|i| i.slot_description.clone());
        let label = info.map(|i| i.label);
        // the batch runs on its own thread, watched: a module that never returns once its
        // token is pulled out (OpenSC 0.23 deadlocks in C_Sign) leaves that thread behind,
        // and the request is answered anyway
        std::thread::spawn(move || {
            let watch = RemovalWatch::start(reader.as_deref().unwrap_or_default(), move || {
                let _ = hung.send(false);
            });
            work.run(&watch);
            let _ = done.send(true);
        });
        let finished = wait.recv().unwrap_or(false);
        // taken, not copied (the signed documents); a worker still stuck finds nothing to set
        let mut outcomes = outcomes
            .lock()
            .map(|mut o| std::mem::take(&mut *o))
            .unwrap_or_default();
        if !finished {
            self.wedged.store(true, Ordering::SeqCst);
            MET_HANG.with(|m| m.set(true));
            let why = Error::TokenRemoved { slot: label }.to_string();
            for (o, _) in outcomes.iter_mut().zip(&ready).filter(|(_, r)| **r) {
                if o.is_err() {
                    *o = Err(kyso::t!(
                        "serve-not-signed-restarting",
                        why = why.to_string()
                    ));
                }
            }
        }
        Ok(outcomes)
    }

    /// Whether the token's module stopped answering (a call that never returned after its
    /// token was pulled out): only a new process can use it again.
    pub fn wedged(&self) -> bool {
        self.wedged.load(Ordering::SeqCst)
    }

    /// Whether a request answered on this thread met the module's hang: its connection
    /// restarts the service once it ends (the answer read; no other connection cuts it short).
    pub fn met_hang_here() -> bool {
        MET_HANG.with(|m| m.get())
    }

    /// Signs a hash the page computed (`SignMsg`, `signHash`): PKCS#1 v1.5 for RSA keys,
    /// ECDSA (DER) for EC keys; with the certificate. Checked against the certificate before
    /// it is returned.
    pub fn sign_hash(
        &self,
        ask: &Ask,
        hash: HashAlg,
        digest: &[u8],
    ) -> Result<(Vec<u8>, Certificate), Refusal> {
        if digest.len() != hash.output_len() {
            return Err(Error::InvalidInput(format!(
                // i18n: for the portal's developers: their request is malformed
                "the hash is {} bytes, not the {} of {}",
                digest.len(),
                hash.output_len(),
                hash.name()
            ))
            .into());
        }
        let _guard = self.lock.lock();
        let what = [(
            kyso::t!("serve-a-hash", hash = hash.name()),
            digest.len() as u64,
        )];
        let (token, signer) = self.login(ask, &what)?;
        let result = (|| {
            let alg = match signer.key().key_type {
                KeyType::Rsa { .. } => SignatureAlgorithm::RsaPkcs1(hash),
                _ => SignatureAlgorithm::Ecdsa(hash),
            };
            let sig = signer.sign_digest(alg, digest)?;
            let verifier =
                kyso::checked::Verifier::new(signer.certificate(), signer.key().label.clone())?;
            let checked = verifier.check_digest(alg, digest, sig)?;
            Ok((checked.into_bytes(), signer.certificate().clone()))
        })();
        let _ = token.logout();
        result.map_err(Refusal::Failed)
    }
}

thread_local! {
    /// Set on the connection's thread whose request met a hung module.
    static MET_HANG: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A logged-in batch, owned, for its own thread.
struct Work {
    token: Arc<dyn Token>,
    signer: Arc<dyn Signer>,
    documents: Vec<(String, Arc<[u8]>, Format)>,
    ready: Vec<bool>,
    pdf: PdfOptions,
    outcomes: Arc<Mutex<Vec<Outcome>>>,
    tsa: Option<Arc<dyn kyso::document::Timestamper>>,
}

impl Work {
    /// Signs the ready documents, one batch per format, each outcome stored as it comes; a
    /// stopped batch (the token pulled out) fails every document not signed. Logs out.
    fn run(self, watch: &RemovalWatch) {
        let Work {
            token,
            signer,
            documents,
            ready,
            pdf,
            outcomes,
            tsa,
        } = self;
        let set = |i: usize, o: Outcome| {
            if let Some(slot) = outcomes.lock().ok().as_mut().and_then(|a| a.get_mut(i)) {
                *slot = o;
            }
        };
        let mut stopped: Option<String> = None;
        for format in [Format::Raw, Format::Cms, Format::Pades, Format::Xml] {
            let idx: Vec<usize> = (0..documents.len())
                .filter(|&i| ready[i] && documents[i].2 == format)
                .collect();
            if idx.is_empty() {
                continue;
            }
            if let Some(why) = &stopped {
                for &i in &idx {
                    set(
                        i,
                        Err(kyso::t!("serve-not-signed-because", why = why.to_string())),
                    );
                }
                continue;
            }
            let mut run = || -> kyso::Result<()> {
                let alg = choose::algorithm(signer.as_ref(), None, format)?.algorithm;
                let is_pdf = format == Format::Pades;
                let opts = Options {
                    chain: choose::known_chain(signer.certificate(), &*token, Vec::new()),
                    visible: pdf.visible.clone().filter(|_| is_pdf),
                    reason: pdf.reason.clone().filter(|_| is_pdf),
                    tsa: tsa
                        .clone()
                        .filter(|_| pdf.timestamp && format != Format::Xml),
                    ..Options::new(alg)
                };
                let batch = Batch::new(signer.as_ref(), format, opts)?.with_removal_watch(watch);
                let docs: Vec<Document> = idx
                    .iter()
                    .map(|&i| Document::memory(documents[i].0.clone(), documents[i].1.clone()))
                    .collect();
                batch.run(&docs, &mut |e| match e {
                    Event::Signed { index, output, .. } => set(
                        idx[index],
                        output.ok_or_else(|| kyso::t!("serve-not-signed")),
                    ),
                    Event::Failed {
                        index,
                        document,
                        error,
                    } => set(
                        idx[index],
                        Err(failure_line(&document.name(), &error.to_string())),
                    ),
                    Event::Stopped { reason } => stopped = Some(reason.to_owned()),
                    _ => {}
                });
                Ok(())
            };
            if let Err(e) = run() {
                for &i in &idx {
                    set(i, Err(e.to_string()));
                }
            }
        }
        let _ = token.logout();
        if let Some(why) = stopped {
            if let Ok(mut all) = outcomes.lock() {
                for (o, _) in all.iter_mut().zip(&ready).filter(|(_, r)| **r) {
                    if o.is_err() {
                        *o = Err(kyso::t!("serve-not-signed-because", why = why.to_string()));
                    }
                }
            }
        }
    }
}

/// Serial numbers compared as numbers written in hex (leading zeros, case and separators
/// aside).
fn same_serial(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let t: String = s
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .collect::<String>()
            .to_ascii_lowercase();
        t.trim_start_matches('0').to_owned()
    };
    !norm(b).is_empty() && norm(a) == norm(b)
}

/// The confirmation's text: who asks, with which certificate, for which documents.
fn confirmation(
    ask: &Ask,
    holder: &str,
    serial: &str,
    token: &str,
    docs: &[(String, u64)],
) -> String {
    let p = kyso::cert::printable;
    let mut s = format!(
        "{}\n\n{}\n\n{}\n",
        t!(
            "serve-confirm-intro",
            origin = p(ask.origin),
            what = ask.what
        ),
        t!(
            "serve-confirm-cert",
            holder = p(holder),
            serial = serial,
            token = p(token)
        ),
        t!("serve-confirm-count", count = docs.len())
    );
    const SHOWN: usize = 10;
    for (name, size) in docs.iter().take(SHOWN) {
        s.push_str(&format!("  • {} ({})\n", p(name), human(*size)));
    }
    if docs.len() > SHOWN {
        s.push_str(&t!("serve-confirm-more", count = docs.len() - SHOWN));
        s.push('\n');
    }
    s.push('\n');
    s.push_str(&if docs.len() == 1 {
        t!("serve-confirm-one")
    } else {
        t!("serve-confirm-all")
    });
    s
}

fn human(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / (1u64 << 20) as f64)
    } else if n >= 1024 {
        format!("{:.0} kB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_compare_as_numbers() {
        assert!(same_serial("1001", "00:10:01"));
        assert!(same_serial("0A", "a"));
        assert!(!same_serial("1001", ""));
        assert!(!same_serial("1001", "1002"));
    }

    #[test]
    fn confirmation_names_origin_certificate_and_count() {
        let ask = Ask {
            origin: "https://dichvucong.gov.vn",
            what: "sign 12 PDF documents",
            cert_serial: None,
        };
        let docs: Vec<(String, u64)> = (0..12).map(|i| (format!("doc{i}.pdf"), 2048)).collect();
        let s = confirmation(&ask, "NGUYỄN VĂN AN", "1001", "kyso-test", &docs);
        assert!(s.contains("https://dichvucong.gov.vn"), "{s}");
        assert!(
            s.contains("NGUYỄN VĂN AN") && s.contains("12 document(s)") && s.contains("2 more"),
            "{s}"
        );
        assert!(s.contains("doc0.pdf (2 kB)"), "{s}");
    }
}
