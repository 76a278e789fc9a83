//! Small classic PDFs written object by object, for tests that need a page tree or a catalog
//! entry exactly so (an offset MediaBox, a rotation, a certification, LibreOffice's numbers).

use std::io::Write;
use std::path::Path;

/// Writes a PDF whose objects 1, 2, … are `objects` (object 1 the catalog), with a classic
/// cross-reference table; returns its bytes.
pub fn write_pdf(path: &Path, objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        write!(out, "{} 0 obj\n{o}\nendobj\n", i + 1).unwrap();
    }
    let xref = out.len();
    writeln!(out, "xref\n0 {}\n0000000000 65535 f ", objects.len() + 1).unwrap();
    for o in offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .unwrap();
    std::fs::write(path, &out).unwrap();
    out
}

/// A content stream object holding `content`.
pub fn stream(content: &str) -> String {
    format!(
        "<< /Length {} >>\nstream\n{content}\nendstream",
        content.len()
    )
}
