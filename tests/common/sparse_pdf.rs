//! A one-page PDF of any size whose content stream is a hole in a sparse file (it reads as
//! zeros and takes no disk): what the tests and the batch bench sign to show that memory does
//! not grow with the PDF. Shared by `tests/` and `benches/` (included by path).

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

/// Writes the PDF, its content stream `hole` bytes long.
pub fn write_sparse_pdf(path: &Path, hole: u64) {
    let mut f = std::fs::File::create(path).unwrap();
    let mut offsets = Vec::new();
    let mut at = 0u64;
    let put = |f: &mut std::fs::File, bytes: &[u8], at: &mut u64| {
        f.write_all(bytes).unwrap();
        *at += bytes.len() as u64;
    };
    put(&mut f, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", &mut at);
    for body in [
        "<</Type/Catalog/Pages 2 0 R>>",
        "<</Type/Pages/Kids[3 0 R]/Count 1>>",
        "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>",
    ] {
        offsets.push(at);
        let obj = format!("{} 0 obj\n{body}\nendobj\n", offsets.len());
        put(&mut f, obj.as_bytes(), &mut at);
    }
    offsets.push(at);
    put(
        &mut f,
        format!("4 0 obj\n<</Length {hole}>>\nstream\n").as_bytes(),
        &mut at,
    );
    f.seek(SeekFrom::Current(hole as i64)).unwrap();
    at += hole;
    put(&mut f, b"\nendstream\nendobj\n", &mut at);
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for o in &offsets {
        table.push_str(&format!("{o:010} 00000 n \n"));
    }
    table.push_str(&format!(
        "trailer\n<</Size {}/Root 1 0 R>>\nstartxref\n{at}\n%%EOF\n",
        offsets.len() + 1
    ));
    put(&mut f, table.as_bytes(), &mut at);
}
