//! Where a PIN comes from: a prompt on the terminal, a file, a file descriptor or a named
//! environment variable — never the command line, where `ps` and shell history would keep it.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use clap::Args;
use secrecy::SecretString;
use zeroize::Zeroizing;

use kyso::{Error, Result};

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
            let f = std::fs::File::open(path)
                .map_err(|e| Error::io(format!("reading PIN file {}", path.display()), e))?;
            first_line(f, &format!("PIN file {}", path.display()))?
        } else if let Some(fd) = self.pin_fd {
            // /proc/self/fd/N opens the descriptor with safe code only.
            let path = format!("/proc/self/fd/{fd}");
            let f = std::fs::File::open(&path)
                .map_err(|e| Error::io(format!("reading PIN from file descriptor {fd}"), e))?;
            first_line(f, &format!("file descriptor {fd}"))?
        } else if let Some(name) = &self.pin_env {
            let v = std::env::var(name).map_err(|_| {
                Error::PinInvalid(format!("environment variable {name} is not set"))
            })?;
            Zeroizing::new(v)
        } else {
            if !std::io::IsTerminal::is_terminal(&std::io::stdin())
                && std::fs::metadata("/dev/tty").is_err()
            {
                return Err(Error::PinInvalid(
                    "no terminal to ask the PIN on: use --pin-file, --pin-fd or --pin-env".into(),
                ));
            }
            Zeroizing::new(
                rpassword::prompt_password(prompt)
                    .map_err(|e| Error::io("reading the PIN from the terminal", e))?,
            )
        };
        if pin.is_empty() {
            return Err(Error::PinInvalid("the PIN is empty".into()));
        }
        Ok(SecretString::from(pin.as_str()))
    }
}

fn first_line(source: impl Read, what: &str) -> Result<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::new());
    BufReader::new(source)
        .read_line(&mut line)
        .map_err(|e| Error::io(format!("reading PIN from {what}"), e))?;
    let trimmed = line.trim_end_matches(['\r', '\n']);
    Ok(Zeroizing::new(trimmed.to_owned()))
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
