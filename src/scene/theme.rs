//! Themes: the classic tutorial look (default) and today's rabbitmq.com look, each with a
//! dark variant. Colours from `tutorial-look.md`; shapes differ between the two styles.

/// The drawing style: which shapes nodes have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Graphviz era: ellipses, a red five-cell queue with its name above.
    Classic,
    /// Mermaid era: circles, a hexagon exchange, a "subroutine" queue box with the name inside.
    Current,
}

/// A named theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Classic colours on a light page.
    Classic,
    /// Classic colours on a dark page (lines and text turn light).
    ClassicDark,
    /// Current rabbitmq.com colours, light.
    Current,
    /// Current rabbitmq.com colours, dark.
    CurrentDark,
}

/// Every colour the diagram uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    /// Producer fill.
    pub producer: &'static str,
    /// Consumer fill.
    pub consumer: &'static str,
    /// Exchange fill.
    pub exchange: &'static str,
    /// Queue fill.
    pub queue: &'static str,
    /// Node outlines.
    pub stroke: &'static str,
    /// Edges and arrowheads.
    pub edge: &'static str,
    /// Text outside shapes (captions, labels, counters).
    pub text: &'static str,
    /// Text inside shapes (`P`, `X`, queue names in the current look).
    pub glyph: &'static str,
    /// Halo behind edge labels (the page background).
    pub halo: &'static str,
    /// Message tokens.
    pub token: &'static str,
}

impl Theme {
    /// All themes, default first.
    pub const ALL: [Theme; 4] = [
        Theme::Classic,
        Theme::ClassicDark,
        Theme::Current,
        Theme::CurrentDark,
    ];

    /// The id used in the theme picker and the API.
    pub fn id(self) -> &'static str {
        match self {
            Theme::Classic => "classic",
            Theme::ClassicDark => "classic-dark",
            Theme::Current => "current",
            Theme::CurrentDark => "current-dark",
        }
    }

    /// The theme with this id.
    pub fn by_id(id: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.id() == id)
    }

    /// Its shapes.
    pub fn style(self) -> Style {
        match self {
            Theme::Classic | Theme::ClassicDark => Style::Classic,
            Theme::Current | Theme::CurrentDark => Style::Current,
        }
    }

    /// Whether the page is dark.
    pub fn dark(self) -> bool {
        matches!(self, Theme::ClassicDark | Theme::CurrentDark)
    }

    /// Its colours.
    pub fn palette(self) -> Palette {
        match self {
            Theme::Classic => Palette {
                producer: "#00ffff",
                consumer: "#33ccff",
                exchange: "#3333cc",
                queue: "#ff0000",
                stroke: "#000000",
                edge: "#000000",
                text: "#000000",
                glyph: "#000000",
                halo: "#ffffff",
                token: "#ffd700",
            },
            // Same fills (and black glyphs on them); outlines, edges and outside text turn light
            // so they read on a dark page.
            Theme::ClassicDark => Palette {
                stroke: "#d3d3d3",
                edge: "#d3d3d3",
                text: "#eeeeee",
                halo: "#1e1e1e",
                ..Theme::Classic.palette()
            },
            Theme::Current => Palette {
                producer: "#a9def9",
                consumer: "#d3f8e2",
                exchange: "#fae0e4",
                queue: "#ede7b1",
                stroke: "#444950",
                edge: "#333333",
                text: "#333333",
                glyph: "#333333",
                halo: "#ffffff",
                token: "#f4a261",
            },
            Theme::CurrentDark => Palette {
                producer: "#003d5b",
                consumer: "#606c38",
                exchange: "#a4133c",
                queue: "#926c15",
                stroke: "#ebedf0",
                edge: "#d3d3d3",
                text: "#cccccc",
                glyph: "#cccccc",
                halo: "#1e1e1e",
                token: "#f4a261",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_the_classic_palette_is_the_tutorials() {
        for t in Theme::ALL {
            assert_eq!(Theme::by_id(t.id()), Some(t));
        }
        assert_eq!(Theme::by_id("neon"), None);
        let p = Theme::Classic.palette();
        assert_eq!(
            (p.producer, p.consumer, p.exchange, p.queue),
            ("#00ffff", "#33ccff", "#3333cc", "#ff0000")
        );
        assert_eq!(Theme::CurrentDark.palette().queue, "#926c15");
        assert!(Theme::ClassicDark.dark() && !Theme::Current.dark());
        assert_eq!(Theme::CurrentDark.style(), Style::Current);
    }
}
