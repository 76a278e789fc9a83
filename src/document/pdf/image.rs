//! An image on the visible signature (a scanned handwritten signature, the seal): a PNG read
//! into the colour and alpha planes a PDF image XObject and its soft mask (`/SMask`) need, so
//! transparency is kept. Non-interlaced PNGs of 8 bits per channel (grey, grey with alpha,
//! RGB, RGBA, and palettes of 1 to 8 bits with `tRNS` transparency) are read; others are
//! refused with what to do.

use std::io::Read;

use crate::error::{Error, Result};

/// The largest image accepted, in pixels (a stamp needs far less; a hostile file could claim
/// far more).
const MAX_PIXELS: u64 = 16 * 1024 * 1024;

/// A decoded image: 8-bit RGB samples and, when the PNG has transparency, 8-bit alpha.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height × 3` bytes, rows top to bottom.
    pub rgb: Vec<u8>,
    /// `width × height` bytes of opacity, when the image has any transparency.
    pub alpha: Option<Vec<u8>>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("alpha", &self.alpha.is_some())
            .finish()
    }
}

fn bad(name: &str, why: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("image {name}: {why}"))
}

impl Image {
    /// Reads a PNG; `name` is for messages.
    pub fn from_png(name: &str, data: &[u8]) -> Result<Image> {
        let body = data
            .strip_prefix(b"\x89PNG\r\n\x1a\n")
            .ok_or_else(|| bad(name, "not a PNG file (convert it to PNG first)"))?;
        let mut at = 0;
        let mut header = None;
        let mut palette: &[u8] = &[];
        let mut trns: &[u8] = &[];
        let mut idat = Vec::new();
        while at + 12 <= body.len() {
            let len = u32::from_be_bytes(body[at..at + 4].try_into().unwrap_or([0; 4])) as usize;
            let kind = &body[at + 4..at + 8];
            let chunk = body
                .get(at + 8..at + 8 + len)
                .ok_or_else(|| bad(name, "the PNG is cut short"))?;
            match kind {
                b"IHDR" if chunk.len() == 13 => header = Some(chunk),
                b"PLTE" => palette = chunk,
                b"tRNS" => trns = chunk,
                b"IDAT" => idat.extend_from_slice(chunk),
                b"IEND" => break,
                _ => {}
            }
            at += 12 + len;
        }
        let h = header.ok_or_else(|| bad(name, "the PNG has no header"))?;
        let width = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        let height = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
        let (depth, color, interlace) = (h[8], h[9], h[12]);
        if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(bad(
                name,
                format!("{width}×{height} pixels: at most 16 megapixels, at least 1×1"),
            ));
        }
        if interlace != 0 {
            return Err(bad(
                name,
                "interlaced PNGs are not read: save it without interlacing",
            ));
        }
        let channels: usize = match (color, depth) {
            (0, 8) => 1,
            (2, 8) => 3,
            (3, 1 | 2 | 4 | 8) => 1,
            (4, 8) => 2,
            (6, 8) => 4,
            _ => {
                return Err(bad(
                    name,
                    format!(
                        "PNG colour type {color} with {depth} bits per sample is not read: save it \
                         as 8-bit RGB(A) or grey"
                    ),
                ))
            }
        };
        let (w, hgt) = (width as usize, height as usize);
        let bits_per_pixel = channels * usize::from(depth);
        let stride = (w * bits_per_pixel).div_ceil(8);
        let bpp = bits_per_pixel.div_ceil(8).max(1);
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&idat[..])
            .take(((stride + 1) * hgt) as u64 + 1)
            .read_to_end(&mut raw)
            .map_err(|e| bad(name, format!("the PNG's data cannot be read ({e})")))?;
        if raw.len() < (stride + 1) * hgt {
            return Err(bad(name, "the PNG's data is cut short"));
        }
        // Undo the per-row filters.
        let mut pixels = vec![0u8; stride * hgt];
        for y in 0..hgt {
            let filter = raw[y * (stride + 1)];
            let src = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
            let (done, rest) = pixels.split_at_mut(y * stride);
            let prev = if y == 0 {
                None
            } else {
                Some(&done[(y - 1) * stride..])
            };
            let row = &mut rest[..stride];
            for x in 0..stride {
                let a = if x >= bpp { row[x - bpp] } else { 0 };
                let b = prev.map_or(0, |p| p[x]);
                let c = if x >= bpp {
                    prev.map_or(0, |p| p[x - bpp])
                } else {
                    0
                };
                let predicted = match filter {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                    4 => paeth(a, b, c),
                    f => return Err(bad(name, format!("unknown PNG row filter {f}"))),
                };
                row[x] = src[x].wrapping_add(predicted);
            }
        }
        let mut rgb = Vec::with_capacity(w * hgt * 3);
        let mut alpha = Vec::with_capacity(w * hgt);
        for y in 0..hgt {
            let row = &pixels[y * stride..(y + 1) * stride];
            for x in 0..w {
                let (r, g, b, a) = match color {
                    0 => (row[x], row[x], row[x], 255),
                    2 => (row[3 * x], row[3 * x + 1], row[3 * x + 2], 255),
                    4 => (row[2 * x], row[2 * x], row[2 * x], row[2 * x + 1]),
                    6 => (row[4 * x], row[4 * x + 1], row[4 * x + 2], row[4 * x + 3]),
                    _ => {
                        let d = usize::from(depth);
                        let bit = x * d;
                        let index = usize::from(
                            (row[bit / 8] >> (8 - d - bit % 8)) & ((1u16 << d) - 1) as u8,
                        );
                        let p = palette.get(3 * index..3 * index + 3).ok_or_else(|| {
                            bad(name, "a palette index is past the PNG's palette")
                        })?;
                        (p[0], p[1], p[2], trns.get(index).copied().unwrap_or(255))
                    }
                };
                rgb.extend_from_slice(&[r, g, b]);
                alpha.push(a);
            }
        }
        let alpha = alpha.iter().any(|&a| a != 255).then_some(alpha);
        Ok(Image {
            width,
            height,
            rgb,
            alpha,
        })
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A PNG of `rows` (filter byte first) with colour type `color`.
    fn png(
        width: u32,
        height: u32,
        color: u8,
        rows: &[u8],
        extra: &[(&[u8; 4], &[u8])],
    ) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            out.extend_from_slice(&[0; 4]); // CRC (not checked)
        };
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, color, 0, 0, 0]);
        chunk(b"IHDR", &ihdr);
        for (k, d) in extra {
            chunk(&k[..], d);
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(rows).unwrap();
        chunk(b"IDAT", &z.finish().unwrap());
        chunk(b"IEND", &[]);
        out
    }

    #[test]
    fn rgba_with_filters_keeps_its_transparency() {
        // 2×2 RGBA: row 0 unfiltered, row 1 "up" (adds the row above).
        let rows = [
            0, 255, 0, 0, 255, 0, 0, 255, 0, //
            2, 0, 0, 0, 1, 0, 0, 0, 128,
        ];
        let img = Image::from_png("t.png", &png(2, 2, 6, &rows, &[])).unwrap();
        assert_eq!((img.width, img.height), (2, 2));
        assert_eq!(img.rgb, [255, 0, 0, 0, 0, 255, 255, 0, 0, 0, 0, 255]);
        assert_eq!(img.alpha, Some(vec![255, 0, 0, 128]));
    }

    #[test]
    fn a_palette_with_trns_and_opaque_rgb() {
        let rows = [0, 0, 1];
        let img = Image::from_png(
            "p.png",
            &png(
                2,
                1,
                3,
                &rows,
                &[(b"PLTE", &[1, 2, 3, 4, 5, 6]), (b"tRNS", &[0])],
            ),
        )
        .unwrap();
        assert_eq!(img.rgb, [1, 2, 3, 4, 5, 6]);
        assert_eq!(img.alpha, Some(vec![0, 255]));
        let img = Image::from_png("o.png", &png(1, 1, 2, &[0, 9, 8, 7], &[])).unwrap();
        assert_eq!((img.rgb.as_slice(), img.alpha), (&[9, 8, 7][..], None));
        assert!(Image::from_png("x.png", b"GIF89a").is_err());
    }
}
