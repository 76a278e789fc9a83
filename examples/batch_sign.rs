//! Signs every PDF of a folder (PAdES) and a document held in memory (CMS) through the kyso
//! library alone, with one PIN entry, printing progress from the pipeline's events.
//!
//! ```text
//! cargo run --example batch_sign -- FOLDER OUT_DIR [MODULE] [TOKEN_LABEL]
//! ```
//! The PIN is read from the file named by `KYSO_PIN_FILE` (never from the command line).
//! MODULE defaults to SoftHSM (`/usr/lib/softhsm/libsofthsm2.so`; set `SOFTHSM2_CONF`).

use std::path::PathBuf;

use kyso::batch::{choose, plan, Batch, Document, Event, Format, Options};
use kyso::config::ModuleConfig;
use kyso::pkcs11::Backend;
use kyso::Token;
use secrecy::SecretString;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(folder), Some(out_dir)) = (args.first(), args.get(1)) else {
        return Err("usage: batch_sign FOLDER OUT_DIR [MODULE] [TOKEN_LABEL]".into());
    };
    let module = args
        .get(2)
        .map_or("/usr/lib/softhsm/libsofthsm2.so", String::as_str);
    let (folder, out_dir) = (PathBuf::from(folder), PathBuf::from(out_dir));

    // One token, one login.
    let backend = Backend::load(&[ModuleConfig::from_path(module)]);
    let (tokens, _) = backend.tokens();
    let tokens: Vec<_> = tokens
        .into_iter()
        .filter(|t| args.get(3).is_none_or(|l| t.label() == l))
        .map(|t| t as std::sync::Arc<dyn Token>)
        .collect();
    let token = choose::token(tokens, args.get(3).map(String::as_str), None)?;
    let pin_file = std::env::var("KYSO_PIN_FILE").map_err(|_| "set KYSO_PIN_FILE")?;
    let pin = std::fs::read_to_string(pin_file)?;
    token.login(&SecretString::from(pin.trim_end().to_owned()))?;
    let signer = choose::key(&*token, "token", None)?.signer;

    // A folder of PDFs, signed into OUT_DIR.
    let files = plan::expand_inputs(&[folder], false, Format::Pades)?;
    let pdfs = plan::documents(files, Some(&out_dir), Format::Pades)?;
    let alg = choose::algorithm(signer.as_ref(), None, Format::Pades)?.algorithm;
    let batch = Batch::new(signer.as_ref(), Format::Pades, Options::new(alg))?;
    let summary = batch.run(&pdfs, &mut |event| progress(&event));
    println!(
        "PDFs: {} signed, {} failed",
        summary.signed.len(),
        summary.failed.len()
    );

    // A document held in memory (what a web page sends), signed back into memory.
    let text = "Quyết định số 01/QĐ-UBND\n".as_bytes().to_vec();
    let memory = [Document::memory("quyet-dinh.txt", text.clone())];
    let alg = choose::algorithm(signer.as_ref(), None, Format::Cms)?.algorithm;
    let batch = Batch::new(signer.as_ref(), Format::Cms, Options::new(alg))?;
    let mut cms = None;
    let in_memory = batch.run(&memory, &mut |event| {
        progress(&event);
        if let Event::Signed { output, .. } = event {
            cms = output;
        }
    });
    token.logout()?;
    let cms = cms.ok_or("the in-memory document was not signed")?;
    std::fs::write(out_dir.join("quyet-dinh.txt"), &text)?;
    std::fs::write(out_dir.join("quyet-dinh.txt.p7s"), &cms)?;
    println!("in memory: {} bytes of CMS", cms.len());
    let complete = summary.is_complete() && in_memory.is_complete();
    std::process::exit(if complete { 0 } else { 1 })
}

/// One line per event a person would want to see.
fn progress(event: &Event) {
    match event {
        Event::Started { documents, bytes } => {
            println!("signing {documents} document(s), {bytes} bytes")
        }
        Event::Signed {
            index, document, ..
        } => println!("[{}] signed {}", index + 1, document.name()),
        Event::Failed {
            document, error, ..
        } => println!("FAILED {}: {error}", document.name()),
        Event::Stopped { reason } => println!("stopped: {reason}"),
        _ => {}
    }
}
