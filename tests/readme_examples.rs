//! The README's command examples, run in order as a reader who just ran `make demo` would, with
//! their shown output compared to what kyso prints (times, serials, slots, ports and hashes
//! aside). A `<!-- readme-test: skip … -->` line just before a block says why that block needs
//! what a reader may not have (a TSA, a card reader, a remote account), and leaves it out.
//!
//! In expected output, a line that is only `…` stands for any number of lines, and `…` inside a
//! line for any text.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// One `$ command` of a console block, with the output the README shows for it.
struct Example {
    line: usize,
    command: String,
    expected: Vec<String>,
}

/// The README's console blocks that are not marked to skip, as their examples.
fn examples(readme: &str) -> Vec<Example> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "```console" {
            i += 1;
            continue;
        }
        let skipped = lines[..i]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.trim_start().starts_with("<!-- readme-test: skip"));
        i += 1;
        while i < lines.len() && lines[i].trim() != "```" {
            if skipped {
            } else if let Some(cmd) = lines[i].strip_prefix("$ ") {
                out.push(Example {
                    line: i + 1,
                    command: cmd.to_string(),
                    expected: Vec::new(),
                });
            } else if let Some(last) = out.last_mut() {
                last.expected.push(lines[i].to_string());
            }
            i += 1;
        }
        i += 1;
    }
    out
}

/// What may differ between runs, replaced by a placeholder; runs of blanks made one.
fn normalise(line: &str) -> String {
    use regex::Regex;
    use std::sync::OnceLock;
    static RULES: OnceLock<Vec<(Regex, &str)>> = OnceLock::new();
    let rules = RULES.get_or_init(|| {
        [
            (
                r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?",
                "<time>",
            ),
            (r"\d\d:\d\d:\d\d \d\d/\d\d/\d{4}", "<time>"),
            (r"\b0x[0-9a-fA-F]+\b", "<hex>"),
            (r"\b[0-9a-fA-F]{12,}\b", "<hex>"),
            (r"(slot|\x22slot\x22:) \d+", "$1 <n>"),
            (r"slot-id=\d+", "slot-id=<n>"),
            (r"127\.0\.0\.1:\d+", "127.0.0.1:<port>"),
            (r"\d+(\.\d+)? ?(ms|s)\b", "<duration>"),
            (r"\d+/s\b", "<rate>"),
            (r"\s+", " "),
        ]
        .into_iter()
        .map(|(re, to)| (Regex::new(re).unwrap(), to))
        .collect()
    });
    let mut s = line.trim_end().to_string();
    for (re, to) in rules {
        s = re.replace_all(&s, *to).into_owned();
    }
    s.trim().to_string()
}

/// Whether one expected line (`…` inside = any text) matches one actual line.
fn line_matches(expected: &str, actual: &str) -> bool {
    let (e, a) = (normalise(expected), normalise(actual));
    let parts: Vec<&str> = e.split('…').collect();
    if parts.len() == 1 {
        return e == a;
    }
    let mut rest = a.as_str();
    for (i, part) in parts.iter().enumerate() {
        let part = part.trim();
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.trim_end().ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Whether the expected lines (a lone `…` = any lines) match the actual ones.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e.trim() == "…" => {
            (0..=actual.len()).any(|k| matches(rest, &actual[k..]))
        }
        Some((e, rest)) => {
            !actual.is_empty() && line_matches(e, actual[0]) && matches(rest, &actual[1..])
        }
    }
}

/// A reader's machine after `make demo` and the README's "follow along" lines: kyso on PATH,
/// the dev token in `<tmp>/kyso-dev`, the demo's documents and letters in `<tmp>/kyso-try/docs`.
struct Reader {
    tmp: tempfile::TempDir,
    bin_dir: PathBuf,
}

impl Reader {
    fn new() -> Reader {
        let tmp = tempfile::tempdir().unwrap();
        let kyso = common::kyso_bin();
        let bin_dir = kyso.parent().unwrap().to_path_buf();
        let reader = Reader { tmp, bin_dir };
        std::fs::create_dir_all(reader.path("home")).unwrap();
        let demo = reader.path("demo-output");
        let status = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo.sh"))
            .arg(&kyso)
            .env("KYSO_DEMO_DIR", &demo)
            .env("HOME", reader.path("home"))
            .current_dir(reader.tmp.path())
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "make demo's script failed:\n{}{}",
            String::from_utf8_lossy(&status.stdout),
            String::from_utf8_lossy(&status.stderr)
        );
        let setup = format!(
            "set -e; eval \"$(kyso dev-token --dir {dev} --print-env)\" >/dev/null; \
             mkdir -p {try_}/docs && cp {demo}/documents/*.txt {demo}/letters/*.pdf {try_}/docs/",
            dev = reader.path("kyso-dev").display(),
            try_ = reader.path("kyso-try").display(),
            demo = demo.display(),
        );
        let out = reader.run(&setup);
        assert!(out.0, "follow-along setup failed: {}", out.1);
        reader
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The README's paths made this run's.
    fn localise(&self, text: &str) -> String {
        text.replace(
            "/tmp/kyso-dev",
            &self.path("kyso-dev").display().to_string(),
        )
        .replace(
            "/tmp/kyso-try",
            &self.path("kyso-try").display().to_string(),
        )
    }

    /// This run's paths shown as the README's.
    fn delocalise(&self, text: &str) -> String {
        text.replace(
            &self.path("kyso-dev").display().to_string(),
            "/tmp/kyso-dev",
        )
        .replace(
            &self.path("kyso-try").display().to_string(),
            "/tmp/kyso-try",
        )
    }

    /// Runs a command as the reader: in /tmp/kyso-try, with kyso on PATH and the dev token's
    /// environment; stdout and stderr together, as a terminal shows them.
    fn run(&self, command: &str) -> (bool, String) {
        let path = format!(
            "{}:{}",
            self.bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let work = self.path("kyso-try");
        std::fs::create_dir_all(&work).unwrap();
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("exec 2>&1; {}", self.localise(command)))
            .env("PATH", path)
            .env("HOME", self.path("home"))
            .env("SOFTHSM2_CONF", self.path("kyso-dev/softhsm2.conf"))
            .env("KYSO_CONFIG", self.path("kyso-dev/kyso.toml"))
            .env("COLUMNS", "100")
            .env_remove("KYSO_LOG_LEVEL")
            .env_remove("RUST_LOG")
            .env("LANG", "C.UTF-8")
            .current_dir(&work)
            .output()
            .unwrap();
        (
            out.status.success(),
            self.delocalise(&String::from_utf8_lossy(&out.stdout)),
        )
    }
}

#[test]
fn readme_examples_run_as_shown() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(
        examples.len() >= 15,
        "found only {} examples",
        examples.len()
    );
    let reader = Reader::new();
    let mut failures = Vec::new();
    // KYSO_README_ACTUAL=FILE keeps what each example printed, for updating the README.
    let mut printed = String::new();
    for ex in &examples {
        let (_, output) = reader.run(&ex.command);
        printed += &format!("=== {}\n{}", ex.line, output);
        let actual: Vec<&str> = output.lines().collect();
        if !matches(&ex.expected, &actual) {
            failures.push(format!(
                "README.md:{}: $ {}\n--- the README shows:\n{}\n--- kyso printed:\n{}",
                ex.line,
                ex.command,
                ex.expected.join("\n"),
                output.trim_end()
            ));
        }
    }
    if let Some(file) = std::env::var_os("KYSO_README_ACTUAL") {
        std::fs::write(file, printed).unwrap();
    }
    assert!(
        failures.is_empty(),
        "{} of {} README examples differ from what they print:\n\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_matcher_can_fail() {
    let e = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
    assert!(matches(&e("a\n…\nd"), &["a", "b", "c", "d"]));
    assert!(matches(&e("a…z"), &["abcz"]));
    assert!(matches(
        &e("serial 29ab83a77b8106ec"),
        &["serial 0011223344556677"]
    ));
    assert!(!matches(&e("a\n…\nd"), &["a", "b", "c"]));
    assert!(!matches(&e("VALID"), &["INVALID"]));
    assert!(!matches(&e("a…z"), &["abcy"]));
    assert!(!matches(&e("3 signed"), &["2 signed"]));
}
