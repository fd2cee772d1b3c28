//! A uniform grid over the drawing, so that placing an edge label checks what lies near each
//! candidate box instead of everything drawn. Placing labels scanned every box and every
//! sampled point of every edge for each of a label's 34 candidates: quadratic in the edges,
//! and with the retries of a label that does not fit, worse (150 bindings on one exchange took
//! 64 s in the page). The grid answers exactly what the full scan answered — it only narrows
//! the candidates before the same exact test — so the drawing is unchanged.
//!
//! Cells are dense (a `Vec` per cell over the drawing's extent); anything outside is kept in
//! the border cells, and queries outside read them, so nothing is missed.

use super::Bounds;
use crate::scene::Point;

/// Cell size: a little more than a label's height, well under a node's width.
const CELL: f64 = 48.0;

/// Cells at most per side, so a degenerate extent cannot ask for a huge grid.
const MAX_CELLS: usize = 4_096;

/// Item ids by the cells they touch.
pub(super) struct Grid {
    x0: f64,
    y0: f64,
    cols: usize,
    rows: usize,
    cells: Vec<Vec<u32>>,
    /// Per id, the last query that reported it (so a query reports each id once without
    /// sorting).
    marks: Vec<u32>,
    query: u32,
}

impl Grid {
    /// A grid over `extent`.
    pub(super) fn new(extent: Bounds) -> Grid {
        let side = |span: f64| ((span / CELL).ceil().max(1.0) as usize).min(MAX_CELLS);
        let (cols, rows) = (side(extent.2 - extent.0), side(extent.3 - extent.1));
        Grid {
            x0: extent.0,
            y0: extent.1,
            cols,
            rows,
            cells: vec![Vec::new(); cols * rows],
            marks: Vec::new(),
            query: 0,
        }
    }

    /// The extent of some boxes and points (empty: a unit box at the origin).
    pub(super) fn extent(boxes: &[Bounds], lines: &[Vec<Point>]) -> Bounds {
        let mut e = Bounds(f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        let mut grow = |b: Bounds| {
            e = Bounds(e.0.min(b.0), e.1.min(b.1), e.2.max(b.2), e.3.max(b.3));
        };
        boxes.iter().for_each(|&b| grow(b));
        lines
            .iter()
            .flatten()
            .for_each(|p| grow(Bounds(p.x, p.y, p.x, p.y)));
        if e.0 > e.2 {
            Bounds(0.0, 0.0, 1.0, 1.0)
        } else {
            e
        }
    }

    fn col(&self, x: f64) -> usize {
        (((x - self.x0) / CELL).floor().max(0.0) as usize).min(self.cols - 1)
    }

    fn row(&self, y: f64) -> usize {
        (((y - self.y0) / CELL).floor().max(0.0) as usize).min(self.rows - 1)
    }

    /// Files `id` under every cell `b` touches.
    pub(super) fn insert(&mut self, id: usize, b: Bounds) {
        if self.marks.len() <= id {
            self.marks.resize(id + 1, 0);
        }
        let id = id as u32;
        for r in self.row(b.1)..=self.row(b.3) {
            for c in self.col(b.0)..=self.col(b.2) {
                let cell = &mut self.cells[r * self.cols + c];
                if cell.last() != Some(&id) {
                    cell.push(id);
                }
            }
        }
    }

    /// The ids filed under the cells `b` touches, each once.
    pub(super) fn near(&mut self, b: Bounds) -> Vec<usize> {
        self.query = self.query.wrapping_add(1);
        if self.query == 0 {
            self.marks.fill(0);
            self.query = 1;
        }
        let mut ids = Vec::new();
        for r in self.row(b.1)..=self.row(b.3) {
            for c in self.col(b.0)..=self.col(b.2) {
                for &i in &self.cells[r * self.cols + c] {
                    let mark = &mut self.marks[i as usize];
                    if *mark != self.query {
                        *mark = self.query;
                        ids.push(i as usize);
                    }
                }
            }
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the boxes and the query, `near` holds every box that overlaps the query,
    /// also outside the grid's extent.
    #[test]
    fn near_finds_every_overlapping_box() {
        let boxes: Vec<Bounds> = (0..200)
            .map(|i| {
                let (x, y) = (
                    f64::from(i * 37 % 500) - 50.0,
                    f64::from(i * 53 % 700) - 80.0,
                );
                Bounds(x, y, x + f64::from(i % 90), y + f64::from(i % 30))
            })
            .collect();
        let mut grid = Grid::new(Bounds(0.0, 0.0, 300.0, 300.0));
        for (i, &b) in boxes.iter().enumerate() {
            grid.insert(i, b);
        }
        for q in 0..300 {
            let (x, y) = (
                f64::from(q * 29 % 800) - 200.0,
                f64::from(q * 41 % 900) - 200.0,
            );
            let query = Bounds(x, y, x + 40.0, y + 20.0);
            let near = grid.near(query);
            let mut once = near.clone();
            once.sort_unstable();
            once.dedup();
            assert_eq!(once.len(), near.len(), "each id once");
            for (i, b) in boxes.iter().enumerate() {
                if b.overlaps(query) {
                    assert!(near.contains(&i), "box {i} overlaps query {q}");
                }
            }
        }
    }
}
