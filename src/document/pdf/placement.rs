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

/// The page's MediaBox `[llx, lly, urx, ury]`, inherited from the page tree when the page has
/// none; US Letter when no node names one (as readers assume).
pub(crate) fn media_box(
    get: &dyn Fn(ObjectId) -> Result<Object>,
    page_id: ObjectId,
) -> Result<[f32; 4]> {
    let dictionary = |id: ObjectId| match get(id)? {
        Object::Dictionary(d) => Ok(d),
        _ => Err(Error::Document(format!(
            "cannot read the PDF: object {} {} is not a dictionary",
            id.0, id.1
        ))),
    };
    let mut node = dictionary(page_id)?;
    for _ in 0..64 {
        if let Ok(b) = node.get(b"MediaBox") {
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
            if let [a, b, c, d] = nums[..] {
                return Ok([a.min(c), b.min(d), a.max(c), b.max(d)]);
            }
            return Err(Error::Document(
                "the page's /MediaBox is not 4 numbers".into(),
            ));
        }
        match node.get(b"Parent").and_then(Object::as_reference) {
            Ok(parent) => node = dictionary(parent)?,
            Err(_) => break,
        }
    }
    Ok([0.0, 0.0, 612.0, 792.0])
}

/// The pages `v` goes on, with their numbers, the first first: `page(n)` is page `n`, or how
/// many pages there are when there are fewer.
pub(crate) fn pages(
    v: &Visible,
    page: &dyn Fn(u32) -> Result<std::result::Result<ObjectId, u32>>,
) -> Result<Vec<(u32, ObjectId)>> {
    let no_page = |count: u32| {
        Error::InvalidInput(format!(
            "--visible: the PDF has {count} page(s), not {}",
            v.page
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

/// A locked, printed stamp annotation on `page` in `rect` (x, y, width, height) showing the
/// appearance `ap`: the signature's stamp on the pages other than its field's (`all`).
pub(crate) fn stamp_annotation(page: ObjectId, rect: [f32; 4], ap: &Dictionary) -> Dictionary {
    let [x, y, w, h] = rect;
    let mut stamp = Dictionary::new();
    stamp.set("Type", Object::Name(b"Annot".to_vec()));
    stamp.set("Subtype", Object::Name(b"Stamp".to_vec()));
    stamp.set("P", Object::Reference(page));
    stamp.set(
        "Rect",
        Object::Array(vec![x.into(), y.into(), (x + w).into(), (y + h).into()]),
    );
    stamp.set("F", Object::Integer(4 | 128)); // print, locked
    stamp.set("AP", Object::Dictionary(ap.clone()));
    stamp
}

/// The visible signature's box on page `number`, whose MediaBox is `media`: placed at its
/// named position, and refused, with the page's size, when it runs off the page (a reader
/// would cut the text).
pub(crate) fn fit(v: &Visible, media: [f32; 4], number: u32) -> Result<[f32; 4]> {
    let [_, _, w, h] = v.rect;
    let (x, y) = match v.position {
        Some(p) => p.place(media, w, h),
        None => (v.rect[0], v.rect[1]),
    };
    let [llx, lly, urx, ury] = media;
    let fits = x >= llx - 0.01 && y >= lly - 0.01 && x + w <= urx + 0.01 && y + h <= ury + 0.01;
    if !fits {
        let size = |v: f32| format!("{}", (v * 100.0).round() / 100.0);
        return Err(Error::InvalidInput(format!(
            "--visible: the box {},{},{},{} (x,y,width,height) runs off page {}, which is {}×{} \
             points{}: choose a box inside it, or a named position (e.g. {},bottom-right)",
            size(x),
            size(y),
            size(w),
            size(h),
            number,
            size(urx - llx),
            size(ury - lly),
            if llx != 0.0 || lly != 0.0 {
                format!(" from ({}, {})", size(llx), size(lly))
            } else {
                String::new()
            },
            v.page
        )));
    }
    Ok([x, y, w, h])
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
