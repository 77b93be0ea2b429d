//! Text on a PDF page: the embedded fonts (DejaVu Sans, which covers every Portuguese
//! accent; krilla embeds only the glyphs a report uses), text measured so numbers line up
//! on the right and long cells end in an ellipsis instead of running into the next column.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use std::sync::LazyLock;

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

pub(crate) struct Face {
    pub font: Font,
    metrics: ttf_parser::Face<'static>,
}

pub(crate) static REGULAR: LazyLock<Face> = LazyLock::new(|| Face::load(REGULAR_TTF));
pub(crate) static BOLD: LazyLock<Face> = LazyLock::new(|| Face::load(BOLD_TTF));

impl Face {
    fn load(bytes: &'static [u8]) -> Face {
        // Both files are part of this crate and tested; a failure here is a broken build.
        let font = Font::new(bytes.into(), 0).expect("the embedded DejaVu font loads");
        let metrics = ttf_parser::Face::parse(bytes, 0).expect("the embedded DejaVu font parses");
        Face { font, metrics }
    }

    /// The width of `text` at `size` points (advances only; kerning is a fraction of a
    /// point at these sizes).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let per_unit = size / f32::from(self.metrics.units_per_em());
        text.chars()
            .map(|c| {
                let gid = self.metrics.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                f32::from(self.metrics.glyph_hor_advance(gid).unwrap_or(0)) * per_unit
            })
            .sum()
    }

    /// `text` cut to fit `max` points, ending in "…" when cut.
    pub fn fit(&self, text: &str, size: f32, max: f32) -> String {
        if self.width(text, size) <= max {
            return text.to_string();
        }
        let mut out = String::new();
        for c in text.chars() {
            out.push(c);
            if self.width(&out, size) + self.width("…", size) > max {
                out.pop();
                break;
            }
        }
        out.push('…');
        out
    }
}

pub(crate) const INK: (u8, u8, u8) = (33, 37, 41);
pub(crate) const MUTED: (u8, u8, u8) = (100, 108, 118);
pub(crate) const ACCENT: (u8, u8, u8) = (13, 110, 253);
pub(crate) const RULE: (u8, u8, u8) = (222, 226, 230);
pub(crate) const BAND: (u8, u8, u8) = (244, 246, 248);

fn fill(colour: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// Draws `text` with its baseline at `y`, starting at `x`.
pub(crate) fn text(s: &mut Surface, face: &Face, size: f32, x: f32, y: f32, colour: (u8, u8, u8), t: &str) {
    if t.is_empty() {
        return;
    }
    s.set_fill(Some(fill(colour)));
    s.draw_text(Point::from_xy(x, y), face.font.clone(), size, t, false, TextDirection::Auto);
}

/// Draws `text` so that it ends at `right`.
pub(crate) fn text_right(
    s: &mut Surface,
    face: &Face,
    size: f32,
    right: f32,
    y: f32,
    colour: (u8, u8, u8),
    t: &str,
) {
    let x = right - face.width(t, size);
    text(s, face, size, x, y, colour, t);
}

pub(crate) fn rect(s: &mut Surface, x: f32, y: f32, w: f32, h: f32, colour: (u8, u8, u8)) {
    let Some(r) = Rect::from_xywh(x, y, w.max(0.1), h.max(0.1)) else { return };
    let mut p = PathBuilder::new();
    p.push_rect(r);
    if let Some(path) = p.finish() {
        s.set_fill(Some(fill(colour)));
        s.draw_path(&path);
    }
}
