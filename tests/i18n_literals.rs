//! No sentence a person reads is left outside the catalogues: every string literal in the
//! command (`src/cli`) and the error type that holds prose (two words or more) is either a
//! message id passed to `t!`, or marked `// i18n: why` (on its line or the line above) as
//! something people do not read in their language: a protocol field, a file format's
//! keyword, a command line shown as typed, a log line.

use std::path::{Path, PathBuf};

/// A string literal in a source file: where it starts and what it holds.
struct Literal {
    line: usize,
    text: String,
}

/// The string literals of `src` outside comments, attributes (`#[…]`: clap's and serde's
/// arguments, `#[error]`, whose English is the log's) and the file's test module.
fn literals(src: &str) -> Vec<Literal> {
    let code = match src.find("#[cfg(test)]\nmod tests") {
        Some(i) => &src[..i],
        None => src,
    };
    let b: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        match c {
            '\n' => line += 1,
            '/' if next == Some('/') => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if next == Some('*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                    line += usize::from(b[i] == '\n');
                    i += 1;
                }
                i += 2;
                continue;
            }
            '#' if next == Some('[') || (next == Some('!') && b.get(i + 2) == Some(&'[')) => {
                let mut attr_depth = 1;
                i += if next == Some('[') { 2 } else { 3 };
                // strings inside attributes are skipped with the attribute
                while i < b.len() && attr_depth > 0 {
                    match b[i] {
                        '[' => attr_depth += 1,
                        ']' => attr_depth -= 1,
                        '\n' => line += 1,
                        '"' => {
                            i += 1;
                            while i < b.len() && b[i] != '"' {
                                if b[i] == '\\' {
                                    i += 1;
                                }
                                line += usize::from(b.get(i) == Some(&'\n'));
                                i += 1;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                continue;
            }
            '\'' => {
                // a char literal ('x', '\n', '"') or a lifetime ('a)
                if next == Some('\\') {
                    i += 2;
                    while i < b.len() && b[i] != '\'' {
                        i += 1;
                    }
                } else if b.get(i + 2) == Some(&'\'') {
                    i += 2;
                }
            }
            'r' if (next == Some('"') || next == Some('#'))
                && !b
                    .get(i.wrapping_sub(1))
                    .is_some_and(|p| p.is_alphanumeric() || *p == '_') =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) == Some(&'"') {
                    let start = line;
                    let close: String = std::iter::once('"')
                        .chain(std::iter::repeat_n('#', hashes))
                        .collect();
                    let rest: String = b[j + 1..].iter().collect();
                    let end = rest.find(&close).unwrap_or(rest.len());
                    let text = rest[..end].to_owned();
                    line += text.matches('\n').count();
                    i = j + 1 + text.chars().count() + close.chars().count();
                    out.push(Literal { line: start, text });
                    continue;
                }
            }
            '"' => {
                let start = line;
                let mut text = String::new();
                i += 1;
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\\' {
                        i += 1;
                        if b.get(i) == Some(&'\n') {
                            line += 1;
                            i += 1;
                            while b.get(i).is_some_and(|c| c.is_whitespace()) {
                                line += usize::from(b[i] == '\n');
                                i += 1;
                            }
                            continue;
                        }
                        text.push('\\');
                    }
                    line += usize::from(b[i] == '\n');
                    text.push(b[i]);
                    i += 1;
                }
                out.push(Literal { line: start, text });
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Prose: two words of letters next to each other, once `{…}` placeholders are taken out.
fn is_prose(text: &str) -> bool {
    let mut plain = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let word = |s: &&str| s.chars().filter(|c| c.is_alphabetic()).count() >= 2;
    plain
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| word(&w[0]) && word(&w[1]))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every prose literal not marked `// i18n:`, as `file:line: "text"`.
fn unmarked(files: &[PathBuf]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        let src = std::fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = src.lines().collect();
        let marked = |n: usize| {
            let at = |k: usize| k >= 1 && lines.get(k - 1).is_some_and(|l| l.contains("// i18n:"));
            at(n) || at(n - 1)
        };
        for l in literals(&src) {
            if is_prose(&l.text) && !marked(l.line) {
                found.push(format!("{}:{}: {:?}", f.display(), l.line, l.text));
            }
        }
    }
    found
}

#[test]
fn no_prose_outside_the_catalogues() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/cli"), &mut files);
    files.push(root.join("src/error.rs"));
    files.sort();
    let found = unmarked(&files);
    assert!(
        found.is_empty(),
        "{} sentence(s) a person may read are not in i18n/*/kyso.ftl: use t!(\"id\", …) with \
         the message in both catalogues, or mark a literal people do not read in their \
         language with `// i18n: why`:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_scanner_finds_prose_and_skips_what_is_not() {
    let src = r##"
/// a doc comment with words
#[arg(long, help = "an attribute with words")]
fn f<'a>(x: &'a str) {
    let c = '"';
    println!("{}", t!("batch-signed-line"));
    eprintln!("no reader: plug in the token");
    let raw = r#"raw "quoted" text here"#;
    // a comment with "quoted words"
    let proto = "GetCertInfo"; let fmt = "{a} {b}";
    let marked = "PC/SC reader name"; // i18n: a protocol string
    /* block "with words" */
}
#[cfg(test)]
mod tests {
    fn t() { let _ = "words in a test"; }
}
"##;
    let prose: Vec<(usize, String)> = literals(src)
        .into_iter()
        .filter(|l| is_prose(&l.text))
        .map(|l| (l.line, l.text))
        .collect();
    assert_eq!(
        prose,
        vec![
            (7, "no reader: plug in the token".to_owned()),
            (8, "raw \"quoted\" text here".to_owned()),
            (11, "PC/SC reader name".to_owned()),
        ]
    );
    let dir = std::env::temp_dir().join(format!("kyso-i18n-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("x.rs");
    std::fs::write(&f, src).unwrap();
    let found = unmarked(std::slice::from_ref(&f));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found.len(), 2, "the marked literal passes: {found:?}");
}
