//! Pictures for the visible-stamp tests: a PNG made from a function of its pixels (no image
//! library: stored deflate blocks), and the red pixels poppler's `pdftoppm` draws in a box of a
//! signed page.

use std::path::Path;
use std::process::Command;

use super::assert_ok;

/// A red disc on a transparent background, `w`×`h` (a seal, as people put on stamps).
pub fn red_seal(w: u32, h: u32) -> Vec<u8> {
    let r = (h.min(w) / 2).saturating_sub(2) as i32;
    png_rgba(w, h, |x, y| {
        let (dx, dy) = (x as i32 - w as i32 / 2, y as i32 - h as i32 / 2);
        if dx * dx + dy * dy < r * r {
            [200, 0, 0, 255]
        } else {
            [0, 0, 0, 0]
        }
    })
}

/// A PNG (colour type 6, RGBA) of `w`×`h` pixels from `pixel(x, y)`, stored uncompressed.
pub fn png_rgba(w: u32, h: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            raw.extend_from_slice(&pixel(x, y));
        }
    }
    // zlib with stored (uncompressed) deflate blocks, then the Adler-32 of the data.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        z.extend_from_slice(&(b.len() as u16).to_le_bytes());
        z.extend_from_slice(&(!(b.len() as u16)).to_le_bytes());
        z.extend_from_slice(b);
    }
    let (mut a, mut s) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65521;
        s = (s + a) % 65521;
    }
    z.extend_from_slice(&((s << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &z);
    chunk(b"IEND", &[]);
    out
}

/// The pixels of page 1 inside the box (points from the lower-left corner), rendered at 72
/// dpi by pdftoppm: one byte each in grey, three (RGB) in colour; the PGM/PPM header dropped.
pub fn rendered_box(pdf: &Path, page_height: f32, rect: [f32; 4], grey: bool) -> Vec<u8> {
    let [x, y, w, h] = rect;
    let out = Command::new("pdftoppm")
        .args(["-r", "72", "-f", "1", "-l", "1"])
        .args(grey.then_some("-gray"))
        .args(["-x", &format!("{}", x as i32)])
        .args(["-y", &format!("{}", (page_height - y - h) as i32)])
        .args(["-W", &format!("{}", w as i32)])
        .args(["-H", &format!("{}", h as i32)])
        .arg(pdf)
        .output()
        .unwrap();
    assert_ok(&out);
    // P5 or P6, W H, 255, each on its line, then the pixels
    let mut newlines = 0;
    let start = out
        .stdout
        .iter()
        .position(|&b| {
            newlines += usize::from(b == b'\n');
            newlines == 3
        })
        .unwrap()
        + 1;
    out.stdout[start..].to_vec()
}

/// Red pixels of page 1 in the box.
pub fn red_pixels(pdf: &Path, page_height: f32, rect: [f32; 4]) -> usize {
    rendered_box(pdf, page_height, rect, false)
        .chunks(3)
        .filter(|p| p[0] > 150 && p[1] < 80 && p[2] < 80)
        .count()
}

/// Dark pixels of page 1 in the box.
pub fn dark_pixels(pdf: &Path, page_height: f32, rect: [f32; 4]) -> usize {
    rendered_box(pdf, page_height, rect, true)
        .iter()
        .filter(|&&p| p < 128)
        .count()
}
