//! The person at the keyboard, asked outside the browser through `pinentry` (the standard PIN
//! dialog of Linux desktops) over its Assuan protocol: the batch's confirmation, then the PIN.
//! The page never sees either; the PIN is never logged.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use secrecy::SecretString;
use zeroize::Zeroizing;

use kyso::{Error, Result};

/// A pinentry program.
#[derive(Debug, Clone)]
pub struct Pinentry {
    program: PathBuf,
}

/// What the person answered.
pub enum Answer<T> {
    /// Given.
    Given(T),
    /// Refused or cancelled.
    Cancelled,
}

impl Pinentry {
    /// `program`, or the first pinentry found on `PATH` (Debian's `pinentry` alternative
    /// first, then the desktop ones).
    pub fn find(program: Option<&Path>) -> Result<Pinentry> {
        if let Some(p) = program {
            return Ok(Pinentry {
                program: p.to_owned(),
            });
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        for name in [
            "pinentry",
            "pinentry-gnome3",
            "pinentry-qt",
            "pinentry-gtk-2",
            "pinentry-gtk2",
            "pinentry-curses",
        ] {
            for dir in std::env::split_paths(&path) {
                let p = dir.join(name);
                if p.is_file() {
                    return Ok(Pinentry { program: p });
                }
            }
        }
        Err(Error::InvalidInput(kyso::t!("pinentry-not-found")))
    }

    /// The program.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Asks the person to confirm `description` (OK / Cancel).
    pub fn confirm(&self, title: &str, description: &str, ok: &str) -> Result<Answer<()>> {
        let mut s = Session::start(&self.program)?;
        s.command(&format!("SETTITLE {}", escape(title)))?;
        s.command(&format!("SETDESC {}", escape(description)))?;
        s.command(&format!("SETOK {}", escape(ok)))?;
        s.command(&format!(
            "SETCANCEL {}",
            escape(&kyso::t!("pinentry-refuse"))
        ))?;
        Ok(match s.command("CONFIRM")? {
            Reply::Ok(_) => Answer::Given(()),
            Reply::Err(_) => Answer::Cancelled,
        })
    }

    /// Asks for a PIN; `error` is shown above it (the attempts left after a wrong one).
    pub fn pin(
        &self,
        title: &str,
        description: &str,
        error: Option<&str>,
    ) -> Result<Answer<SecretString>> {
        self.secret(title, description, &kyso::t!("pinentry-pin-prompt"), error)
    }

    /// Asks for a secret that `prompt` names (a PIN, a remote account's one-time password).
    pub fn secret(
        &self,
        title: &str,
        description: &str,
        prompt: &str,
        error: Option<&str>,
    ) -> Result<Answer<SecretString>> {
        let mut s = Session::start(&self.program)?;
        s.command(&format!("SETTITLE {}", escape(title)))?;
        s.command(&format!("SETDESC {}", escape(description)))?;
        s.command(&format!("SETPROMPT {}", escape(prompt)))?;
        if let Some(e) = error {
            s.command(&format!("SETERROR {}", escape(e)))?;
        }
        Ok(match s.command("GETPIN")? {
            Reply::Ok(data) if data.is_empty() => Answer::Cancelled,
            Reply::Ok(data) => Answer::Given(SecretString::from(data.as_str())),
            Reply::Err(_) => Answer::Cancelled,
        })
    }
}

enum Reply {
    /// `OK`, with the `D` lines' data.
    Ok(Zeroizing<String>),
    /// `ERR code text`.
    Err(String),
}

struct Session {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Session {
    fn start(program: &Path) -> Result<Session> {
        let mut child = Command::new(program)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                Error::io(
                    kyso::t!("pinentry-starting", program = program.display().to_string()),
                    e,
                )
            })?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::InvalidInput(kyso::t!("pinentry-ended")));
        };
        let mut s = Session {
            child,
            input,
            output: BufReader::new(output),
        };
        match s.read()? {
            Reply::Ok(_) => Ok(s),
            Reply::Err(e) => Err(Error::InvalidInput(kyso::t!(
                "pinentry-refused-to-start",
                error = e.to_string()
            ))),
        }
    }

    fn command(&mut self, line: &str) -> Result<Reply> {
        writeln!(self.input, "{line}")
            .and_then(|_| self.input.flush())
            .map_err(|e| Error::io(kyso::t!("pinentry-talking"), e))?;
        self.read()
    }

    fn read(&mut self) -> Result<Reply> {
        let mut data = Zeroizing::new(String::new());
        loop {
            let mut line = Zeroizing::new(String::new());
            let n = self
                .output
                .read_line(&mut line)
                .map_err(|e| Error::io(kyso::t!("pinentry-talking"), e))?;
            if n == 0 {
                return Err(Error::InvalidInput(kyso::t!("pinentry-ended")));
            }
            let l = line.trim_end_matches(['\r', '\n']);
            if l == "OK" || l.starts_with("OK ") {
                return Ok(Reply::Ok(data));
            }
            if let Some(e) = l.strip_prefix("ERR ") {
                return Ok(Reply::Err(e.to_owned()));
            }
            if let Some(d) = l.strip_prefix("D ") {
                data.push_str(&unescape(d));
            }
            // S (status) and # (comment) lines are informational
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = writeln!(self.input, "BYE");
        let _ = self.child.wait();
    }
}

/// Assuan's percent-escaping of `%`, CR and LF in a command's argument.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The data of a `D` line, unescaped (into a zeroized buffer: it is the PIN).
fn unescape(s: &str) -> Zeroizing<String> {
    let b = s.as_bytes();
    let mut out = Zeroizing::new(Vec::with_capacity(b.len()));
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Zeroizing::new(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_unescapes() {
        assert_eq!(escape("a%b\nc"), "a%25b%0Ac");
        assert_eq!(unescape("12%2534").as_str(), "12%34");
        assert_eq!(unescape("1234%").as_str(), "1234%");
    }
}
