//! Where a one-time password comes from: the account's helper program, the face's own dialog
//! ([`OtpPrompt`], e.g. `kyso app`'s pinentry), or a prompt on the person's terminal. Never
//! logged, never asked twice for one authorisation.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::config::RemoteConfig;
use crate::error::{Error, Result};

/// Asks the person for the OTP of the credential it is given (`ACCOUNT/CREDENTIAL_ID`): how a
/// face without a terminal (`kyso app`: a pinentry dialog) takes part, so that the library
/// stays free of UI. Called once per authorisation; an error (cancelled, say) is not retried.
pub type OtpPrompt = Arc<dyn Fn(&str) -> Result<SecretString> + Send + Sync>;

/// Reads the OTP for `credential`: the account's `otp_command` when set (the person chose
/// it), else `prompt`, else the terminal.
pub fn read(
    cfg: &RemoteConfig,
    credential: &str,
    prompt: Option<&OtpPrompt>,
) -> Result<SecretString> {
    let otp = match (&cfg.otp_command, prompt) {
        (Some(argv), _) if !argv.is_empty() => from_program(argv, credential)?,
        (_, Some(ask)) => Zeroizing::new(ask(credential)?.expose_secret().to_owned()),
        _ => from_terminal(credential)?,
    };
    let otp = otp.trim();
    if otp.is_empty() {
        return Err(Error::PinInvalid(crate::t!("remote-otp-empty")));
    }
    Ok(SecretString::from(otp))
}

fn from_program(argv: &[String], credential: &str) -> Result<Zeroizing<String>> {
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .env("KYSO_CREDENTIAL", credential)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::io(format!("running otp_command {}", argv[0]), e))?;
    let text = Zeroizing::new(String::from_utf8_lossy(&out.stdout).into_owned());
    if !out.status.success() {
        return Err(Error::PinInvalid(crate::t!(
            "remote-otp-command-failed",
            program = argv[0].clone(),
            status = out.status.to_string()
        )));
    }
    Ok(Zeroizing::new(text.lines().next().unwrap_or("").to_owned()))
}

fn from_terminal(credential: &str) -> Result<Zeroizing<String>> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| {
            Error::PinInvalid(crate::t!(
                "remote-otp-no-terminal",
                credential = credential.to_owned()
            ))
        })?;
    let mut w = &tty;
    write!(
        w,
        "OTP for '{credential}' (sent to your phone or shown by your app): "
    )
    .and_then(|_| w.flush())
    .map_err(|e| Error::io("asking the OTP", e))?;
    let mut line = Zeroizing::new(String::new());
    BufReader::new(&tty)
        .read_line(&mut line)
        .map_err(|e| Error::io("reading the OTP", e))?;
    Ok(line)
}
