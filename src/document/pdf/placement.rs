//! Where a visible signature goes: which page (a number, `first`, `last`, `-N`, `all`), where
//! on it (coordinates, or a named position at a margin), and the check that the box stays on
//! the page (a box that runs off it would show a cut text).

use lopdf::{Dictionary, Object, ObjectId};

use super::appearance::Visible;
use crate::error::{Error, Result};

/// Which page a visible signature goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The n-th page, from 1 (`1`, `first`).
    Nth(u32),
    /// The n-th page from the end, from 1 (`-1`, `last`).
    FromEnd(u32),
    /// Every page (`all`): one signature, its stamp on each page.
    All,
}

impl Page {
    /// The page number in a document of `count` pages, or `None` when there is no such page.
    pub fn resolve(self, count: u32) -> Option<u32> {
        match self {
            Page::Nth(n) => (n <= count).then_some(n),
            Page::FromEnd(n) => (n <= count).then(|| count + 1 - n),
            Page::All => (count >= 1).then_some(1),
        }
    }
}

impl std::fmt::Display for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Page::Nth(n) => write!(f, "{n}"),
            Page::FromEnd(1) => write!(f, "last"),
            Page::FromEnd(n) => write!(f, "-{n}"),
            Page::All => write!(f, "all"),
        }
    }
}

/// A named place on the page, at [`MARGIN`] from its edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// `top-left`.
    TopLeft,
    /// `top-center`.
    TopCenter,
    /// `top-right`.
    TopRight,
    /// `bottom-left`.
    BottomLeft,
    /// `bottom-center`.
    BottomCenter,
    /// `bottom-right`.
    BottomRight,
}

/// The distance of a named position from the page's edges, in points (half an inch).
pub const MARGIN: f32 = 36.0;

/// The size of a box at a named position when none is given, in points.
pub const DEFAULT_SIZE: [f32; 2] = [220.0, 70.0];

impl Position {
    pub(crate) const NAMES: [(&'static str, Position); 6] = [
        ("top-left", Position::TopLeft),
        ("top-center", Position::TopCenter),
        ("top-right", Position::TopRight),
        ("bottom-left", Position::BottomLeft),
        ("bottom-center", Position::BottomCenter),
        ("bottom-right", Position::BottomRight),
    ];

    pub(crate) fn parse(s: &str) -> Option<Position> {
        Self::NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, p)| *p)
    }

    /// The lower-left corner of a `w`×`h` box at this position on a page whose MediaBox is
    /// `[llx, lly, urx, ury]`.
    pub fn place(self, media: [f32; 4], w: f32, h: f32) -> (f32, f32) {
        let [llx, lly, urx, ury] = media;
        let x = match self {
            Position::TopLeft | Position::BottomLeft => llx + MARGIN,
            Position::TopCenter | Position::BottomCenter => llx + (urx - llx - w) / 2.0,
            Position::TopRight | Position::BottomRight => urx - MARGIN - w,
        };
        let y = match self {
            Position::TopLeft | Position::TopCenter | Position::TopRight => ury - MARGIN - h,
            _ => lly + MARGIN,
        };
        (x, y)
    }
}

/// Where a page is shown: its visible box (`/CropBox`, else `/MediaBox`, each inherited from
/// the page tree; US Letter when no node names one, as readers assume) and its `/Rotate`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Geometry {
    /// Lower-left corner of the visible box, in default user space.
    pub llx: f32,
    pub lly: f32,
    /// Its size, unrotated.
    pub width: f32,
    pub height: f32,
    /// Clockwise rotation when shown: 0, 90, 180 or 270.
    pub rotate: u16,
}

impl Geometry {
    /// Width and height of the page as shown (rotated).
    pub fn shown(&self) -> (f32, f32) {
        match self.rotate {
            90 | 270 => (self.height, self.width),
            _ => (self.width, self.height),
        }
    }
}

/// The [`Geometry`] of page `page_id`.
pub(crate) fn geometry(
    get: &dyn Fn(ObjectId) -> Result<Object>,
    page_id: ObjectId,
) -> Result<Geometry> {
    let dictionary = |id: ObjectId| match get(id)? {
        Object::Dictionary(d) => Ok(d),
        _ => Err(Error::Document(format!(
            "cannot read the PDF: object {} {} is not a dictionary",
            id.0, id.1
        ))),
    };
    let boxed = |d: &Dictionary, key: &[u8]| -> Result<Option<[f32; 4]>> {
        let Ok(b) = d.get(key) else { return Ok(None) };
        let b = match b {
            Object::Reference(id) => get(*id)?,
            o => o.clone(),
        };
        let nums: Vec<f32> = match &b {
            Object::Array(a) => a
                .iter()
                .filter_map(|o| match o {
                    Object::Integer(i) => Some(*i as f32),
                    Object::Real(r) => Some(*r),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        match nums[..] {
            [a, b, c, d] => Ok(Some([a.min(c), b.min(d), a.max(c), b.max(d)])),
            _ => Err(Error::Document(format!(
                "the page's /{} is not 4 numbers",
                String::from_utf8_lossy(key)
            ))),
        }
    };
    let (mut media, mut crop, mut rotate) = (None, None, None);
    let mut node = dictionary(page_id)?;
    for _ in 0..64 {
        media = media.or(boxed(&node, b"MediaBox")?);
        crop = crop.or(boxed(&node, b"CropBox")?);
        rotate = rotate.or_else(|| node.get(b"Rotate").and_then(Object::as_i64).ok());
        match node.get(b"Parent").and_then(Object::as_reference) {
            Ok(parent) => node = dictionary(parent)?,
            Err(_) => break,
        }
    }
    let [llx, lly, urx, ury] = crop.or(media).unwrap_or([0.0, 0.0, 612.0, 792.0]);
    Ok(Geometry {
        llx,
        lly,
        width: urx - llx,
        height: ury - lly,
        rotate: (rotate.unwrap_or(0).rem_euclid(360) / 90 * 90) as u16,
    })
}

/// The pages `v` goes on, with their numbers, the first first: `page(n)` is page `n`, or how
/// many pages there are when there are fewer.
pub(crate) fn pages(
    v: &Visible,
    page: &dyn Fn(u32) -> Result<std::result::Result<ObjectId, u32>>,
) -> Result<Vec<(u32, ObjectId)>> {
    let no_page = |count: u32| {
        Error::InvalidInput(crate::t!(
            "visible-no-such-page",
            count = count,
            page = v.page.to_string()
        ))
    };
    let count = || -> Result<u32> { Ok(page(u32::MAX)?.err().unwrap_or(u32::MAX)) };
    let numbers: Vec<u32> = match v.page {
        Page::Nth(n) => vec![n],
        Page::FromEnd(_) => {
            let count = count()?;
            vec![v.page.resolve(count).ok_or_else(|| no_page(count))?]
        }
        Page::All => (1..=count()?.min(100_000)).collect(),
    };
    let mut out = Vec::with_capacity(numbers.len());
    for n in numbers {
        out.push((n, page(n)?.map_err(no_page)?));
    }
    if out.is_empty() {
        return Err(no_page(0));
    }
    Ok(out)
}

/// A locked, printed stamp annotation on `page` in `rect` (`[x0, y0, x1, y1]`) showing the
/// appearance `ap`: the signature's stamp on the pages other than its field's (`all`).
pub(crate) fn stamp_annotation(page: ObjectId, rect: [f32; 4], ap: &Dictionary) -> Dictionary {
    let mut stamp = Dictionary::new();
    stamp.set("Type", Object::Name(b"Annot".to_vec()));
    stamp.set("Subtype", Object::Name(b"Stamp".to_vec()));
    stamp.set("P", Object::Reference(page));
    stamp.set(
        "Rect",
        Object::Array(rect.iter().map(|&v| v.into()).collect()),
    );
    stamp.set("F", Object::Integer(4 | 128)); // print, locked
    stamp.set("AP", Object::Dictionary(ap.clone()));
    stamp
}

/// Where the visible signature goes on a page: the annotation's `/Rect` in the page's own
/// space, and how its appearance is turned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placed {
    /// `[x0, y0, x1, y1]` in default user space.
    pub rect: [f32; 4],
    /// The page's rotation, for the appearance's counter-rotation.
    pub rotate: u16,
}

/// The visible signature's box on page `number` of geometry `g`, as the person sees the page:
/// coordinates from the lower-left corner of the visible box, upright on rotated pages, or a
/// named position at a margin; refused, with the page's size, when it runs off the page (a
/// reader would cut the text).
pub(crate) fn fit(v: &Visible, g: &Geometry, number: u32) -> Result<Placed> {
    let [_, _, w, h] = v.rect;
    let (shown_w, shown_h) = g.shown();
    let (x, y) = match v.position {
        Some(p) => p.place([0.0, 0.0, shown_w, shown_h], w, h),
        None => (v.rect[0], v.rect[1]),
    };
    let fits = x >= -0.01 && y >= -0.01 && x + w <= shown_w + 0.01 && y + h <= shown_h + 0.01;
    if !fits {
        let size = |v: f32| format!("{}", (v * 100.0).round() / 100.0);
        return Err(Error::InvalidInput(crate::t!(
            "visible-off-page",
            rect = format!("{},{},{},{}", size(x), size(y), size(w), size(h)),
            page = number,
            size = format!("{}×{}", size(shown_w), size(shown_h)),
            rotated = if g.rotate != 0 { "yes" } else { "no" },
            example = v.page.to_string()
        )));
    }
    let (big_w, big_h) = (g.width, g.height);
    let [x0, y0, x1, y1] = match g.rotate {
        90 => [big_w - y - h, x, big_w - y, x + w],
        180 => [big_w - x - w, big_h - y - h, big_w - x, big_h - y],
        270 => [y, big_h - x - w, y + h, big_h - x],
        _ => [x, y, x + w, y + h],
    };
    Ok(Placed {
        rect: [x0 + g.llx, y0 + g.lly, x1 + g.llx, y1 + g.lly],
        rotate: g.rotate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_positions_resolve_on_an_a4_page() {
        assert_eq!(Page::FromEnd(1).resolve(5), Some(5));
        assert_eq!(Page::FromEnd(5).resolve(5), Some(1));
        assert_eq!(Page::FromEnd(6).resolve(5), None);
        assert_eq!(Page::Nth(6).resolve(5), None);
        let a4 = [0.0, 0.0, 595.0, 842.0];
        assert_eq!(Position::BottomRight.place(a4, 220.0, 70.0), (339.0, 36.0));
        assert_eq!(Position::TopLeft.place(a4, 220.0, 70.0), (36.0, 736.0));
        assert_eq!(Position::BottomCenter.place(a4, 195.0, 70.0), (200.0, 36.0));
    }
}
