//! Visible PDF signatures: a widget appearance (a Form XObject) showing the signer's name, the
//! identity numbers of the certificate (CCCD, MST…) and the signing time, in a subset of a
//! TrueType font embedded as a CID font (Identity-H), with a ToUnicode map so the text can be
//! copied. DejaVu Sans (Debian `fonts-dejavu-core`) covers Vietnamese diacritics.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use time::OffsetDateTime;

use super::image::Image;
use crate::cert::Certificate;
use crate::error::{Error, Result};
use crate::i18n::{tr_in, Lang};

/// Where the default font lives on Debian and Ubuntu (`fonts-dejavu-core`).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

pub use super::placement::{Page, Position, DEFAULT_SIZE, MARGIN};

/// A visible signature: the page, the box (in PDF points from the page's lower-left corner, or
/// at a named position), and the TrueType font to write with.
#[derive(Clone)]
pub struct Visible {
    /// The page.
    pub page: Page,
    /// `x, y, width, height` in points; with a [`Visible::position`], `x` and `y` are placed
    /// from the page's size.
    pub rect: [f32; 4],
    /// A named position on the page, instead of `x, y`.
    pub position: Option<Position>,
    /// The font file's bytes (TrueType or OpenType with TrueType outlines).
    pub font: Arc<Vec<u8>>,
    /// An image at the box's left (a handwritten signature, the seal), transparency kept.
    pub image: Option<Arc<Image>>,
    /// The stamp's language: Vietnamese unless asked otherwise (a document's, not the
    /// person's interface language).
    pub language: Lang,
}

impl std::fmt::Debug for Visible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Visible")
            .field("page", &self.page)
            .field("rect", &self.rect)
            .field("position", &self.position)
            .field("font_bytes", &self.font.len())
            .field("image", &self.image)
            .field("language", &self.language)
            .finish()
    }
}

impl Visible {
    /// Parses `PAGE,X,Y,W,H` (points; e.g. `1,350,40,220,70`), `PAGE,POSITION` or
    /// `PAGE,POSITION,W,H` (e.g. `last,bottom-right`), and reads the font. PAGE is a number
    /// from 1, `first`, `last`, a negative number counting from the end (`-1` is the last
    /// page), or `all` (the stamp on every page); POSITION is `top-left`, `top-center`, `top-right`, `bottom-left`, `bottom-center`
    /// or `bottom-right`, at 36 points from the edges.
    pub fn parse(spec: &str, font_path: &std::path::Path) -> Result<Visible> {
        let bad = || {
            Error::InvalidInput(format!(
                "--visible {spec}: expected PAGE,X,Y,WIDTH,HEIGHT in points (e.g. \
                 1,350,40,220,70) or PAGE,POSITION[,WIDTH,HEIGHT] (e.g. last,bottom-right); \
                 PAGE is a number, first, last, -N (from the end) or all; POSITION is one of {}",
                Position::NAMES.map(|(n, _)| n).join(", ")
            ))
        };
        let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
        let page = match parts.first().copied().unwrap_or("") {
            p if p.eq_ignore_ascii_case("first") => Page::Nth(1),
            p if p.eq_ignore_ascii_case("last") => Page::FromEnd(1),
            p if p.eq_ignore_ascii_case("all") => Page::All,
            p => match p.parse::<i64>().map_err(|_| bad())? {
                n @ 1.. => Page::Nth(u32::try_from(n).map_err(|_| bad())?),
                n @ ..0 => Page::FromEnd(u32::try_from(-n).map_err(|_| bad())?),
                0 => {
                    return Err(Error::InvalidInput(format!(
                        "--visible {spec}: pages count from 1 (or from the end: -1 is the last)"
                    )))
                }
            },
        };
        let num = |s: &str| s.parse::<f32>().ok().filter(|v| v.is_finite());
        let (position, rect) = match &parts[1..] {
            [pos] => (Some(Position::parse(pos).ok_or_else(bad)?), {
                let [w, h] = DEFAULT_SIZE;
                [0.0, 0.0, w, h]
            }),
            [pos, w, h] => {
                let p = Position::parse(pos).ok_or_else(bad)?;
                let (Some(w), Some(h)) = (num(w), num(h)) else {
                    return Err(bad());
                };
                (Some(p), [0.0, 0.0, w, h])
            }
            [x, y, w, h] => {
                let rect = [num(x), num(y), num(w), num(h)];
                let [Some(x), Some(y), Some(w), Some(h)] = rect else {
                    return Err(bad());
                };
                (None, [x, y, w, h])
            }
            _ => return Err(bad()),
        };
        if rect[2] < 20.0 || rect[3] < 10.0 {
            return Err(Error::InvalidInput(format!(
                "--visible {spec}: the box must be at least 20×10 points"
            )));
        }
        let font = std::fs::read(font_path).map_err(|e| {
            Error::io(
                format!(
                    "font {} (install fonts-dejavu-core, or pass --font FILE.ttf)",
                    font_path.display()
                ),
                e,
            )
        })?;
        ttf_parser::Face::parse(&font, 0).map_err(|e| {
            Error::InvalidInput(format!(
                "font {}: not a TrueType/OpenType font ({e})",
                font_path.display()
            ))
        })?;
        Ok(Visible {
            page,
            rect,
            position,
            font: Arc::new(font),
            image: None,
            language: Lang::Vi,
        })
    }
}

/// The lines shown: who signed (name), their identity numbers, and when (Vietnam time), in
/// `lang` (`stamp-*` in the catalogues).
pub fn signature_lines(lang: Lang, cert: &Certificate, at: OffsetDateTime) -> Vec<String> {
    let word = |id: &str| tr_in(lang, id, &[]);
    let mut lines = vec![format!(
        "{}: {}",
        word("stamp-signed-by"),
        cert.common_name().unwrap_or(cert.subject())
    )];
    let ids: Vec<String> = cert
        .identity()
        .entries()
        .iter()
        .map(|e| format!("{}: {}", e.kind.key().to_uppercase(), e.value))
        .collect();
    if !ids.is_empty() {
        lines.push(ids.join(", "));
    }
    let vn = at.to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC));
    lines.push(format!(
        "{}: {:02}:{:02}:{:02} {:02}/{:02}/{} (UTC+7)",
        word("stamp-time"),
        vn.hour(),
        vn.minute(),
        vn.second(),
        vn.day(),
        u8::from(vn.month()),
        vn.year()
    ));
    lines
}

/// The stamp's lines: [`signature_lines`], then the reason and the location when given.
pub fn stamp_lines(
    lang: Lang,
    cert: &Certificate,
    at: OffsetDateTime,
    reason: Option<&str>,
    location: Option<&str>,
) -> Vec<String> {
    let mut lines = signature_lines(lang, cert, at);
    if let Some(r) = reason {
        lines.push(format!("{}: {r}", tr_in(lang, "stamp-reason", &[])));
    }
    if let Some(l) = location {
        lines.push(format!("{}: {l}", tr_in(lang, "stamp-location", &[])));
    }
    lines
}

/// The PDF objects of an appearance, numbered from `first_id`: the Form XObject first (the
/// widget's `/AP /N`), then the font objects.
pub struct Appearance {
    /// Object number and body (`<<…>>` or `<<…>> stream … endstream`).
    pub objects: Vec<(u32, Vec<u8>)>,
}

impl Appearance {
    /// The Form XObject's object number.
    pub fn form_id(&self) -> u32 {
        self.objects[0].0
    }
}

fn font_err(e: impl std::fmt::Display) -> Error {
    Error::Document(format!("cannot embed the signature font: {e}"))
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<<{dict} /Length {}>>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

impl Visible {
    /// Adds the PNG image at `path` at the box's left.
    pub fn with_image(mut self, path: &std::path::Path) -> Result<Visible> {
        let name = path.display().to_string();
        let data = std::fs::read(path).map_err(|e| Error::io(name.clone(), e))?;
        self.image = Some(Arc::new(Image::from_png(&name, &data)?));
        Ok(self)
    }
}

/// The form's `/Matrix` that turns its content upright on a page shown rotated by `rotate`
/// degrees clockwise (`/Rotate`): the appearance is counter-rotated.
fn counter_rotation(rotate: u16) -> &'static str {
    match rotate {
        90 => " /Matrix [0 1 -1 0 0 0]",
        180 => " /Matrix [-1 0 0 -1 0 0]",
        270 => " /Matrix [0 -1 1 0 0 0]",
        _ => "",
    }
}

/// Builds the appearance of `lines` in a `w`×`h` box, with `image` at its left when given
/// (as tall as the box less its padding, at most 40% of its width, in proportion).
pub fn build(
    lines: &[String],
    w: f32,
    h: f32,
    font: &[u8],
    image: Option<&Image>,
    first_id: u32,
    rotate: u16,
) -> Result<Appearance> {
    let face = ttf_parser::Face::parse(font, 0).map_err(font_err)?;
    let upem = f32::from(face.units_per_em());
    let scale = 1000.0 / upem;

    // Glyphs of every character, remapped to a dense subset (glyph 0 stays .notdef).
    let mut remapper = subsetter::GlyphRemapper::new();
    remapper.remap(0);
    let mut to_unicode: Vec<(u16, char)> = Vec::new();
    let mut shaped: Vec<(Vec<u16>, f32)> = Vec::new(); // new glyph ids, width in 1/1000 em
    for line in lines {
        let mut gids = Vec::new();
        let mut width = 0.0;
        for c in line.chars() {
            let gid = face.glyph_index(c).map_or(0, |g| g.0);
            let new = remapper.remap(gid);
            if gid != 0 && !to_unicode.iter().any(|(g, _)| *g == new) {
                to_unicode.push((new, c));
            }
            width += f32::from(
                face.glyph_hor_advance(ttf_parser::GlyphId(gid))
                    .unwrap_or(0),
            ) * scale;
            gids.push(new);
        }
        shaped.push((gids, width));
    }
    let subset = subsetter::subset(font, 0, &remapper).map_err(font_err)?;

    // The image's box at the left; the text goes to its right.
    let pad = 4.0;
    let picture = image.map(|img| {
        let ih = (h - 2.0 * pad).max(1.0);
        let iw = ih * img.width as f32 / img.height as f32;
        let iw = iw.min(w * 0.4);
        let ih = iw * img.height as f32 / img.width as f32;
        (iw, ih, (h - ih) / 2.0)
    });
    let text_x = picture.map_or(pad, |(iw, _, _)| 2.0 * pad + iw);

    // Font size: as large as fits, 11 pt at most.
    let widest = shaped.iter().map(|(_, w)| *w).fold(1.0, f32::max);
    let n = lines.len().max(1) as f32;
    let size = (11.0f32)
        .min((w - text_x - pad) * 1000.0 / widest)
        .min((h - 2.0 * pad) / (n * 1.25))
        .max(1.0);
    let leading = size * 1.25;

    let mut content = String::new();
    let _ = write!(
        content,
        "q\n0.94 0.97 1 rg 0 0 {w} {h} re f\n0.1 0.3 0.6 RG 1 w 0.5 0.5 {} {} re S\nBT\n/F1 {size:.2} Tf\n0.05 0.15 0.4 rg\n",
        w - 1.0,
        h - 1.0
    );
    let block = n * leading;
    let top = h - (h - block) / 2.0;
    for (i, (gids, _)) in shaped.iter().enumerate() {
        let y = top - (i as f32 + 1.0) * leading + leading * 0.3;
        let hexs: String = gids.iter().map(|g| format!("{g:04X}")).collect();
        let _ = writeln!(content, "1 0 0 1 {text_x:.2} {y:.2} Tm <{hexs}> Tj");
    }
    content.push_str("ET\n");
    if let Some((iw, ih, iy)) = picture {
        let _ = writeln!(content, "q {iw:.2} 0 0 {ih:.2} {pad} {iy:.2} cm /Im1 Do Q");
    }
    content.push_str("Q\n");

    let [form, type0, cid, descriptor, file, tounicode] =
        std::array::from_fn(|i| first_id + i as u32);
    let base = "KYSOSG+".to_owned()
        + &face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "Font".into())
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "");

    let mut widths = String::new();
    for new in 0..remapper.num_gids() {
        let old = remapper.remapped_gids().nth(usize::from(new)).unwrap_or(0);
        let adv = f32::from(
            face.glyph_hor_advance(ttf_parser::GlyphId(old))
                .unwrap_or(0),
        ) * scale;
        let _ = write!(widths, "{new} [{adv:.0}] ");
    }
    let bbox = face.global_bounding_box();
    let s = |v: i16| (f32::from(v) * scale).round();
    let mut objects = vec![
        (
            form,
            stream(
                &format!(
                    "/Type /XObject /Subtype /Form /BBox [0 0 {w} {h}]{} /Resources <</Font <</F1 {type0} 0 R>>{}>>",
                    counter_rotation(rotate),
                    if image.is_some() {
                        format!(" /XObject <</Im1 {} 0 R>>", first_id + 6)
                    } else {
                        String::new()
                    }
                ),
                content.as_bytes(),
            ),
        ),
        (
            type0,
            format!(
                "<</Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H /DescendantFonts [{cid} 0 R] /ToUnicode {tounicode} 0 R>>"
            )
            .into_bytes(),
        ),
        (
            cid,
            format!(
                "<</Type /Font /Subtype /CIDFontType2 /BaseFont /{base} /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> /FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity /W [{widths}]>>"
            )
            .into_bytes(),
        ),
        (
            descriptor,
            format!(
                "<</Type /FontDescriptor /FontName /{base} /Flags 32 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 {file} 0 R>>",
                s(bbox.x_min),
                s(bbox.y_min),
                s(bbox.x_max),
                s(bbox.y_max),
                s(face.ascender()),
                s(face.descender()),
                s(face.capital_height().unwrap_or(face.ascender())),
            )
            .into_bytes(),
        ),
    ];
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&subset).map_err(font_err)?;
    let packed = z.finish().map_err(font_err)?;
    objects.push((
        file,
        stream(
            &format!("/Filter /FlateDecode /Length1 {}", subset.len()),
            &packed,
        ),
    ));
    objects.push((
        tounicode,
        stream("", to_unicode_cmap(&to_unicode).as_bytes()),
    ));
    if let Some(img) = image {
        let (im, mask) = (first_id + 6, first_id + 7);
        let packed = |data: &[u8]| -> Result<Vec<u8>> {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(data).map_err(font_err)?;
            z.finish().map_err(font_err)
        };
        let smask = match &img.alpha {
            Some(_) => format!(" /SMask {mask} 0 R"),
            None => String::new(),
        };
        objects.push((
            im,
            stream(
                &format!(
                    "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceRGB \
                     /BitsPerComponent 8 /Filter /FlateDecode{smask}",
                    img.width, img.height
                ),
                &packed(&img.rgb)?,
            ),
        ));
        if let Some(alpha) = &img.alpha {
            objects.push((
                mask,
                stream(
                    &format!(
                        "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace \
                         /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
                        img.width, img.height
                    ),
                    &packed(alpha)?,
                ),
            ));
        }
    }
    Ok(Appearance { objects })
}

/// A ToUnicode CMap for 2-byte glyph codes.
fn to_unicode_cmap(map: &[(u16, char)]) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in map.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (g, c) in chunk {
            let utf16: String = c
                .encode_utf16(&mut [0; 2])
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(s, "<{g:04X}> <{utf16}>");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str(
        "endcmap\nCMapName currentdict /CIDInit /ProcSet findresource /defineresource pop\nend\nend\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_visible_box() {
        let font = std::path::Path::new(DEFAULT_FONT);
        if !font.exists() {
            return; // fonts-dejavu-core not installed: the CLI tests say so
        }
        let v = Visible::parse("2, 300,40,220,70", font).unwrap();
        assert_eq!((v.page, v.rect), (Page::Nth(2), [300.0, 40.0, 220.0, 70.0]));
        let v = Visible::parse("last,bottom-right", font).unwrap();
        assert_eq!(
            (v.page, v.position, v.rect),
            (
                Page::FromEnd(1),
                Some(Position::BottomRight),
                [0.0, 0.0, 220.0, 70.0]
            )
        );
        let v = Visible::parse("-2,Top-Left,250,64", font).unwrap();
        assert_eq!(
            (v.page, v.position),
            (Page::FromEnd(2), Some(Position::TopLeft))
        );
        assert_eq!(
            Visible::parse("first,top-center", font).unwrap().page,
            Page::Nth(1)
        );
        assert!(Visible::parse("1,middle", font).is_err());
        assert!(Visible::parse("0,1,1,100,100", font).is_err());
        assert!(Visible::parse("1,1,1,100", font).is_err());
        assert!(Visible::parse("1,a,1,100,50", font).is_err());
        let a = build(
            &["Ký bởi: NGUYỄN VĂN AN".into()],
            200.0,
            50.0,
            &v.font,
            None,
            10,
            0,
        )
        .unwrap();
        assert_eq!(a.form_id(), 10);
        assert_eq!(a.objects.len(), 6);
        let cmap = String::from_utf8_lossy(&a.objects[5].1).into_owned();
        assert!(cmap.contains("<1EC4>"), "Ễ in the ToUnicode map: {cmap}");
    }
}
