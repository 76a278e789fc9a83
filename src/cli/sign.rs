//! `kyso sign`: one login, many files, each signature checked and written atomically.
//!
//! A thin shell over the library's pipeline ([`kyso::batch`]): arguments in, the pipeline's
//! events out (through [`super::batch`]).

use kyso::t;
use std::path::Path;
use std::sync::Arc;

use kyso::batch::mixed::Mixed;
use kyso::batch::{self, choose, plan, Document, Options, Summary};
use kyso::document::verify::revocation::HttpRevocation;
use kyso::document::verify::ValidationCache;
use kyso::document::{self, Timestamper};
use kyso::{Certificate, Error, Result};

use super::batch::Report;
use super::sign_args::{Format, Level, SignArgs, XmlProfile};
use super::{context, sign_key, Cli};

pub fn run(cli: &Cli, args: &SignArgs) -> Result<i32> {
    let key_id = args
        .key_id
        .as_deref()
        .map(context::parse_key_id)
        .transpose()?;
    if let Some(dir) = &args.out_dir {
        if !dir.exists() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("--out-dir {}", dir.display()), e))?;
        }
        if !dir.is_dir() {
            return Err(Error::InvalidInput(t!(
                "sign-out-dir-not-directory",
                dir = dir.display().to_string()
            )));
        }
        // Before the PIN and any signature: a read-only directory would fail every file.
        tempfile::tempfile_in(dir).map_err(|e| {
            Error::io(
                t!("sign-out-dir-not-writable", dir = dir.display().to_string()),
                e,
            )
        })?;
    }
    let extra_chain = match &args.chain {
        Some(p) => Certificate::from_pem(
            &std::fs::read(p).map_err(|e| Error::io(p.display().to_string(), e))?,
        )?,
        None => Vec::new(),
    };
    let explicit = args.format.map(Format::to_batch).transpose()?;
    // The format the algorithm policy and the option checks go by: documents unless raw.
    let format = explicit.unwrap_or(batch::Format::Pades);
    if let Some(name) = &args.algorithm {
        // A name kyso does not know is refused before anything else.
        choose::algorithm_named(name)?;
    }
    let tsa = tsa(args, format)?;
    xades_t_tsa(args, explicit, tsa.is_some())?;
    let ltv = ltv(cli, args, explicit, tsa.is_some())?;
    let visible = match &args.visible {
        Some(_) if explicit.is_some_and(|f| f != batch::Format::Pades) => {
            return Err(Error::InvalidInput(t!("sign-visible-needs-pades")))
        }
        Some(spec) => {
            let mut v = document::Visible::parse(spec, &args.font)?;
            v.language = kyso::i18n::Lang::parse(&args.stamp_lang).unwrap_or(kyso::i18n::Lang::Vi);
            Some(match &args.image {
                Some(png) => v.with_image(png)?,
                None => v,
            })
        }
        None => None,
    };
    if explicit.is_some_and(|f| f != batch::Format::Pades)
        && (args.reason.is_some() || args.location.is_some() || args.contact.is_some())
    {
        return Err(Error::InvalidInput(t!("sign-reason-needs-pades")));
    }
    // The files, by format: the one asked, or each by its content.
    let expand_as = explicit.unwrap_or(batch::Format::Cms);
    let expand = |include_signed| {
        plan::expand_inputs_with(&args.files, args.recursive, expand_as, include_signed)
    };
    let files = expand(args.include_signed)?;
    if files.is_empty() {
        let signed_left_out = !args.include_signed && expand(true).is_ok_and(|f| !f.is_empty());
        return Err(Error::InvalidInput(if signed_left_out {
            t!("sign-nothing-signed-left-out")
        } else {
            t!("sign-nothing-to-sign")
        }));
    }
    if args.in_place && explicit != Some(batch::Format::Xml) {
        return Err(Error::InvalidInput(t!("sign-in-place-needs-xml")));
    }
    let mut mixed = Mixed::plan(files, explicit, args.out_dir.as_deref())?;
    if args.in_place {
        for d in &mut mixed.documents {
            if let Some(input) = d.input_path().map(Path::to_path_buf) {
                d.target = batch::Target::File(input);
            }
        }
    }
    // Every input is checked before a PIN is asked: when nothing can be signed, none is.
    let ready = mixed.check(args.skip_existing, visible.as_ref());
    if ready.to_sign == 0 {
        let summary = Summary {
            skipped: ready
                .ready
                .iter()
                .flat_map(|(_, r)| r.iter().copied())
                .collect(),
            failed: ready.failures(),
            ..Summary::default()
        };
        return Ok(Report::new(cli.json, None, explicit, args.tsa.clone())
            .unsigned()
            .finish(&mixed.documents, &mixed.formats, &summary));
    }

    let sign_key::Chosen {
        token,
        label,
        signer,
    } = sign_key::login_and_choose(cli, args, key_id, ready.to_sign, &|cert| {
        // the seller's MST is what receivers compare (the buyer's certificate is another's)
        if args.xml_options().role == document::xml::Role::Seller {
            mst_warnings(&mixed, &ready, cert)
        }
    })?;
    let alg = choose::algorithm(signer.as_ref(), args.algorithm.as_deref(), format)?;
    if let Some(note) = &alg.note {
        eprintln!("{note}");
    }
    let mut xml = args.xml_options();
    if explicit.is_none() {
        // XML in a run of several formats: PKCS#1 v1.5 unless asked (receivers' validators).
        let a = choose::algorithm(
            signer.as_ref(),
            args.algorithm.as_deref(),
            batch::Format::Xml,
        )?;
        xml.algorithm = Some(a.algorithm).filter(|a| *a != alg.algorithm);
    }
    let options = Options {
        xml,
        chain: choose::known_chain(signer.certificate(), &*token, extra_chain),
        tsa,
        ltv,
        archive_timestamp: args.level == Some(Level::BLta),
        skip_existing: args.skip_existing,
        ..Options::new(alg.algorithm)
    };
    let mut report = Report::new(cli.json, Some(signer.as_ref()), explicit, args.tsa.clone())
        .algorithm(alg.algorithm.name());
    for (i, e) in &ready.failed {
        report.failed_before(&mixed.documents[*i], e);
    }
    let to_watch: Vec<Document> = ready
        .ready
        .iter()
        .flat_map(|(_, r)| r.iter().map(|&i| mixed.documents[i].clone()))
        .collect();
    let dog = report.removal_watch(&*token, &label, &to_watch);
    let cancel = super::batch::cancel_on_signals()?;
    let options = Options {
        visible,
        reason: args.reason.clone(),
        location: args.location.clone(),
        contact: args.contact.clone(),
        ..options
    };
    let summary = mixed.sign(
        &ready,
        signer.as_ref(),
        &options,
        &cancel.cancel,
        Some(&dog),
        &mut |event| report.event(event),
    );
    drop(dog);
    drop(cancel);
    let _ = token.logout();
    Ok(report.finish(&mixed.documents, &mixed.formats, &summary?))
}

/// The validation-data cache of `--level b-lt`, its requirements checked before the PIN.
fn ltv(
    cli: &Cli,
    args: &SignArgs,
    explicit: Option<batch::Format>,
    stamped: bool,
) -> Result<Option<Arc<ValidationCache>>> {
    match args.level {
        None => Ok(None),
        Some(Level::BB) if stamped => Err(Error::InvalidInput(t!("sign-level-bb-with-tsa"))),
        Some(Level::BB) => Ok(None),
        Some(Level::BT | Level::BLt | Level::BLta) if !stamped => {
            Err(Error::InvalidInput(t!("sign-level-needs-tsa")))
        }
        Some(Level::BT) => Ok(None),
        Some(Level::BLta) if explicit != Some(batch::Format::Pades) => {
            Err(Error::InvalidInput(t!("sign-level-blta-needs-pades")))
        }
        Some(Level::BLt)
            if !matches!(
                explicit,
                Some(batch::Format::Pades) | Some(batch::Format::Cms)
            ) =>
        {
            Err(Error::InvalidInput(t!("sign-level-blt-needs-pades-or-cms")))
        }
        Some(Level::BLt | Level::BLta) => {
            let source = HttpRevocation {
                timeout: std::time::Duration::from_secs(15),
            };
            let known = {
                let mut known = context::anchors(cli, &[], false)?;
                known.extend(context::intermediates(cli, &[])?);
                known
            };
            Ok(Some(Arc::new(ValidationCache::new(
                Arc::new(source),
                known,
            ))))
        }
    }
}

/// The timestamp authority of `--tsa`, checked before the PIN.
fn tsa(args: &SignArgs, format: batch::Format) -> Result<Option<Arc<dyn Timestamper>>> {
    match &args.tsa {
        Some(_) if format == batch::Format::Raw => {
            Err(Error::InvalidInput(t!("sign-tsa-needs-document-format")))
        }
        Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => Err(
            Error::InvalidInput(t!("sign-tsa-not-http", url = url.as_str())),
        ),
        Some(url) => Ok(Some(Arc::new(document::Tsa {
            timeout: std::time::Duration::from_secs(args.tsa_timeout),
            ..document::Tsa::new(url.clone())
        }))),
        None => Ok(None),
    }
}

/// XAdES-T and `--tsa` go together for XML, checked before the PIN.
fn xades_t_tsa(args: &SignArgs, explicit: Option<batch::Format>, stamped: bool) -> Result<()> {
    let xades_t = args.profile == XmlProfile::XadesT;
    if xades_t && !stamped {
        return Err(Error::InvalidInput(t!("xades-t-needs-tsa")));
    }
    if stamped && !xades_t && explicit == Some(batch::Format::Xml) {
        return Err(Error::InvalidInput(t!("sign-tsa-xml-needs-xades-t")));
    }
    Ok(())
}

/// Warns, before the PIN, about each e-invoice whose seller's tax code (MST) is not the one
/// in `cert`: the tax authority refuses those.
fn mst_warnings(mixed: &Mixed, ready: &batch::mixed::Ready, cert: &Certificate) {
    // the sellers' MSTs were read while the files were checked: no second parse
    for (i, mst) in &ready.sellers {
        if mixed.formats[*i] != batch::Format::Xml {
            continue;
        }
        if let Some(w) = document::xml::mst_warning(&mixed.documents[*i].name(), mst, cert) {
            eprintln!("warning: {w}");
        }
    }
}
