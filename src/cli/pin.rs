//! Where a PIN comes from: a prompt on the terminal, a file, a file descriptor or a named
//! environment variable — never the command line, where `ps` and shell history would keep it.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use clap::Args;
use secrecy::SecretString;
use zeroize::Zeroizing;

use kyso::{t, Error, Result};

/// PIN options shared by every command that logs in.
#[derive(Debug, Args, Clone, Default)]
pub struct PinArgs {
    /// Read the PIN from this file (first line; keep it mode 0600).
    #[arg(long, value_name = "FILE", group = "pin_source")]
    pub pin_file: Option<PathBuf>,
    /// Read the PIN from this open file descriptor (e.g. `--pin-fd 3 3<pin.txt`).
    #[arg(long, value_name = "N", group = "pin_source")]
    pub pin_fd: Option<u32>,
    /// Read the PIN from the environment variable with this NAME (the name, not the PIN).
    #[arg(long, value_name = "NAME", group = "pin_source")]
    pub pin_env: Option<String>,
}

impl PinArgs {
    /// Reads the PIN once. With no option, asks on the terminal (`prompt` names the token).
    pub fn read(&self, prompt: &str) -> Result<SecretString> {
        let pin = if let Some(path) = &self.pin_file {
            let what = t!("pin-what-file", path = path.display().to_string());
            if path.is_dir() {
                return Err(Error::InvalidInput(t!("pin-is-directory", what = what)));
            }
            let f = std::fs::File::open(path)
                .map_err(|e| Error::io(t!("pin-cannot-read", what = what.clone()), e))?;
            first_line(f, &what)?
        } else if let Some(fd) = self.pin_fd {
            // /proc/self/fd/N opens the descriptor with safe code only.
            let path = format!("/proc/self/fd/{fd}");
            let what = t!("pin-what-fd", fd = fd.to_string());
            let f = std::fs::File::open(&path)
                .map_err(|e| Error::io(t!("pin-cannot-read-from", what = what.clone()), e))?;
            first_line(f, &what)?
        } else if let Some(name) = &self.pin_env {
            let v = std::env::var(name)
                .map_err(|_| Error::PinInvalid(t!("pin-env-unset", name = name.clone())))?;
            Zeroizing::new(v)
        } else {
            if !std::io::IsTerminal::is_terminal(&std::io::stdin())
                && std::fs::metadata("/dev/tty").is_err()
            {
                return Err(Error::PinInvalid(t!("pin-no-terminal")));
            }
            Zeroizing::new(
                rpassword::prompt_password(prompt)
                    .map_err(|e| Error::io(t!("pin-reading-terminal"), e))?,
            )
        };
        if pin.is_empty() {
            return Err(Error::PinInvalid(t!("pin-empty")));
        }
        Ok(SecretString::from(pin.as_str()))
    }
}

/// The longest first line taken as a PIN (or a remote account's password): PKCS#11 tokens
/// take PINs of at most a few dozen characters. Reading stops there, so a wrong file (a
/// document, `/dev/zero`) is refused at once instead of being read whole.
const MAX_PIN_LINE: usize = 1024;

/// The first line of `source`, without its line ending. Empty, overlong and non-UTF-8 lines
/// are refused naming `what`; the bytes themselves are never shown.
fn first_line(source: impl Read, what: &str) -> Result<Zeroizing<String>> {
    let mut line = Zeroizing::new(Vec::new());
    BufReader::new(source.take(MAX_PIN_LINE as u64 + 1))
        .read_until(b'\n', &mut line)
        .map_err(|e| Error::io(t!("pin-cannot-read-from", what = what), e))?;
    if line.len() > MAX_PIN_LINE {
        return Err(Error::PinInvalid(t!(
            "pin-line-too-long",
            what = what,
            max = MAX_PIN_LINE
        )));
    }
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    if end == 0 {
        return Err(Error::PinInvalid(if line.is_empty() {
            t!("pin-source-empty", what = what)
        } else {
            t!("pin-line-empty", what = what)
        }));
    }
    let text = std::str::from_utf8(&line[..end])
        .map_err(|_| Error::PinInvalid(t!("pin-not-utf8", what = what)))?;
    Ok(Zeroizing::new(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn pin_file_first_line_without_newline() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pin");
        std::fs::write(&p, "123456\r\nignored\n").unwrap();
        let args = PinArgs {
            pin_file: Some(p),
            ..Default::default()
        };
        assert_eq!(args.read("").unwrap().expose_secret(), "123456");
    }

    #[test]
    fn empty_pin_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pin");
        std::fs::write(&p, "\n").unwrap();
        let args = PinArgs {
            pin_file: Some(p),
            ..Default::default()
        };
        assert!(args.read("").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn missing_env_var_named_not_shown() {
        let args = PinArgs {
            pin_env: Some("KYSO_TEST_SURELY_UNSET".into()),
            ..Default::default()
        };
        let e = args.read("").unwrap_err().to_string();
        assert!(e.contains("KYSO_TEST_SURELY_UNSET"), "{e}");
    }
}
