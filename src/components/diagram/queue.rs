//! Queues as the two looks draw them: the tutorials' five-cell record (head at the right,
//! unacked copies first) and the current look's box with dots, each with its depth in words
//! past what the cells show and a badge for a queue type other than classic.

use yew::prelude::*;

use super::{caption, fmt, font, CURRENT_FONT};
use crate::scene::{Node, Point, Shape, Style, Theme};
use crate::sim::{QueueCounts, StreamView};

/// How many of a stream's newest offsets are drawn as cells.
const STREAM_CELLS: u64 = 5;

pub(super) fn render_queue(
    node: &Node,
    c: Point,
    shape: Shape,
    counts: QueueCounts,
    stream: Option<&StreamView>,
    theme: Theme,
) -> Html {
    if let Some(view) = stream {
        return render_stream(node, c, shape, view, theme);
    }
    if theme.style() == Style::Current {
        return render_subroutine_queue(node, c, shape, counts, theme);
    }
    let pal = theme.palette();
    let (w, h) = (shape.width(), shape.height());
    let (x0, y0) = (c.x - w / 2.0, c.y - h / 2.0);
    let cell = w / 5.0;
    let depth = counts.ready + counts.unacked;
    // The head of the queue is its right end, nearest the consumers: fill from there, unacked
    // copies first (they left the head earliest).
    let filled = (0..5u64).filter(|&i| i < depth).map(|i| {
        let x = x0 + w - cell * (i as f64 + 1.0);
        let unacked = i < counts.unacked;
        html! {
            <rect class={classes!("cell-message", unacked.then_some("unacked"))}
                x={fmt(x + 3.0)} y={fmt(y0 + 9.0)} width={fmt(cell - 6.0)} height={fmt(h - 18.0)} rx="2"
                fill={if unacked { "#ffffff" } else { pal.token }} stroke={pal.stroke} stroke-width="1" />
        }
    });
    let dividers = (1..5).map(|i| {
        let x = x0 + cell * i as f64;
        html! { <line x1={fmt(x)} y1={fmt(y0)} x2={fmt(x)} y2={fmt(y0 + h)} stroke={pal.stroke} stroke-width="1" /> }
    });
    html! {
        <g class="node queue" data-kind="queue" data-name={node.name.clone()}
            data-ready={counts.ready.to_string()} data-unacked={counts.unacked.to_string()}>
            <title>{ depth_words(counts) }</title>
            <rect x={fmt(x0)} y={fmt(y0)} width={fmt(w)} height={fmt(h)}
                fill={pal.queue} stroke={pal.stroke} stroke-width="1" />
            { for dividers }
            { for filled }
            { caption(node, c, h / 2.0, theme) }
            { type_badge(node, x0 + w, y0, theme) }
            if depth > 5 {
                <text class="depth" x={fmt(c.x)} y={fmt(y0 + h + 11.0)} text-anchor="middle"
                    font-size="9" font-family={font(theme)} fill={pal.text}>{ depth_words(counts) }</text>
            }
        </g>
    }
}

/// A stream, drawn as a log: its newest offsets as cells that stay (consuming removes
/// nothing), a thick line where a segment starts, a marker under the cell each consumer reads
/// next (at the right end when it waits for new messages), and what retention dropped.
fn render_stream(node: &Node, c: Point, shape: Shape, view: &StreamView, theme: Theme) -> Html {
    let pal = theme.palette();
    let (w, h) = (shape.width(), shape.height());
    let (x0, y0) = (c.x - w / 2.0, c.y - h / 2.0);
    // One slot more than the cells: the tail where the next message goes.
    let slot = w / (STREAM_CELLS + 1) as f64;
    let from = view.next.saturating_sub(STREAM_CELLS).max(view.first);
    let x_of = |offset: u64| x0 + slot * (offset - from) as f64;
    let cells = (from..view.next).map(|offset| {
        let x = x_of(offset);
        html! {
            <g class="log-cell" data-offset={offset.to_string()}>
                <rect x={fmt(x + 2.0)} y={fmt(y0 + 6.0)} width={fmt(slot - 4.0)} height={fmt(h - 12.0)} rx="2"
                    fill={pal.token} stroke={pal.stroke} stroke-width="1" />
                <text x={fmt(x + slot / 2.0)} y={fmt(c.y + 3.0)} text-anchor="middle" font-size="8"
                    font-family={font(theme)} fill={pal.glyph}>{ offset }</text>
            </g>
        }
    });
    let segments = view
        .segment_starts
        .iter()
        .filter(|&&s| s > from && s < view.next)
        .map(|&s| {
            let x = x_of(s);
            html! { <line class="segment-start" x1={fmt(x)} y1={fmt(y0)} x2={fmt(x)} y2={fmt(y0 + h)}
                stroke={pal.stroke} stroke-width="2.5" /> }
        });
    let readers = view.readers.iter().enumerate().map(|(i, (name, offset))| {
        let x = x_of((*offset).clamp(from, view.next)) + slot / 2.0;
        let y = y0 + h + 2.0 + 9.0 * i as f64;
        html! {
            <g class="reader" data-consumer={name.clone()} data-offset={offset.to_string()}>
                <title>{ format!("{name} reads offset {offset} next") }</title>
                <polygon points={format!("{},{} {},{} {},{}", fmt(x), fmt(y), fmt(x - 3.5), fmt(y + 6.0), fmt(x + 3.5), fmt(y + 6.0))}
                    fill={pal.consumer} stroke={pal.stroke} stroke-width="0.8" />
                <text x={fmt(x + 5.0)} y={fmt(y + 6.0)} font-size="7" font-family={font(theme)}
                    fill={pal.text}>{ name }</text>
            </g>
        }
    });
    let about = format!(
        "stream: offsets {}–{} kept in {} segment(s){}",
        view.first,
        view.next.saturating_sub(1),
        view.segment_starts.len(),
        if view.first > 0 {
            format!("; retention dropped 0–{}", view.first - 1)
        } else {
            String::new()
        }
    );
    html! {
        <g class="node queue stream" data-kind="queue" data-name={node.name.clone()}
            data-first={view.first.to_string()} data-next={view.next.to_string()}>
            <title>{ about }</title>
            <rect x={fmt(x0)} y={fmt(y0)} width={fmt(w)} height={fmt(h)}
                fill={pal.queue} stroke={pal.stroke} stroke-width="1" />
            { for cells }
            { for segments }
            // The tail, where the next message is appended.
            <text x={fmt(x_of(view.next) + slot / 2.0)} y={fmt(c.y + 3.0)} text-anchor="middle"
                font-size="8" font-family={font(theme)} fill={pal.text}>{ "…" }</text>
            if from > view.first || view.first > 0 {
                <text class="retained" x={fmt(x0)} y={fmt(y0 - 3.0)} font-size="7"
                    font-family={font(theme)} fill={pal.text}>
                    { if view.first > 0 { format!("‹ {} dropped", view.first) } else { format!("‹ {} more", from - view.first) } }
                </text>
            }
            { caption(node, c, h / 2.0, theme) }
            { type_badge(node, x0 + w, y0, theme) }
            { for readers }
        </g>
    }
}

/// A queue type's badge (`quorum`) on the queue's top right corner, with its tooltip.
fn type_badge(node: &Node, x_right: f64, y_top: f64, theme: Theme) -> Html {
    let Some((word, about)) = &node.badge else {
        return Html::default();
    };
    let pal = theme.palette();
    let width = 6.0 + 4.2 * word.len() as f64;
    html! {
        <g class="type-badge" data-type={word.clone()}>
            <title>{ about }</title>
            <rect x={fmt(x_right - width + 4.0)} y={fmt(y_top - 6.0)} width={fmt(width)} height="11" rx="3"
                fill={pal.stroke} />
            <text x={fmt(x_right - width / 2.0 + 4.0)} y={fmt(y_top + 2.5)} text-anchor="middle"
                font-size="7" font-family={font(theme)} fill="#ffffff">{ word }</text>
        </g>
    }
}

/// The current look's queue: a box with a line 8 px inside each end and the name inside;
/// waiting messages are dots along its bottom, head at the right.
fn render_subroutine_queue(
    node: &Node,
    c: Point,
    shape: Shape,
    counts: QueueCounts,
    theme: Theme,
) -> Html {
    let pal = theme.palette();
    let (w, h) = (shape.width(), shape.height());
    let (x0, y0) = (c.x - w / 2.0, c.y - h / 2.0);
    let depth = counts.ready + counts.unacked;
    let dots = (0..depth.min(8)).map(|i| {
        let unacked = i < counts.unacked;
        html! {
            <circle class={classes!("cell-message", unacked.then_some("unacked"))}
                cx={fmt(x0 + w - 14.0 - 9.0 * i as f64)} cy={fmt(y0 + h - 6.0)} r="3"
                fill={if unacked { pal.halo } else { pal.token }} stroke={pal.stroke} stroke-width="1" />
        }
    });
    let label = node.caption.clone().unwrap_or_else(|| node.name.clone());
    html! {
        <g class="node queue" data-kind="queue" data-name={node.name.clone()}
            data-ready={counts.ready.to_string()} data-unacked={counts.unacked.to_string()}>
            <rect x={fmt(x0)} y={fmt(y0)} width={fmt(w)} height={fmt(h)}
                fill={pal.queue} stroke={pal.stroke} stroke-width="1" />
            <line x1={fmt(x0 + 8.0)} y1={fmt(y0)} x2={fmt(x0 + 8.0)} y2={fmt(y0 + h)} stroke={pal.stroke} stroke-width="1" />
            <line x1={fmt(x0 + w - 8.0)} y1={fmt(y0)} x2={fmt(x0 + w - 8.0)} y2={fmt(y0 + h)} stroke={pal.stroke} stroke-width="1" />
            <text class="caption" x={fmt(c.x)} y={fmt(c.y + 2.0)} text-anchor="middle" font-size="12"
                font-family={CURRENT_FONT} fill={pal.glyph}>{ label }</text>
            { for dots }
            { type_badge(node, x0 + w, y0, theme) }
            if depth > 8 {
                <text class="depth" x={fmt(c.x)} y={fmt(y0 + h + 11.0)} text-anchor="middle"
                    font-size="9" font-family={CURRENT_FONT} fill={pal.text}>{ depth_words(counts) }</text>
            }
        </g>
    }
}

/// A queue's depth in words: `7 messages`, or `7: 5 ready, 2 unacked` when some are out.
fn depth_words(counts: QueueCounts) -> String {
    let depth = counts.ready + counts.unacked;
    if counts.unacked == 0 {
        format!("{depth} messages")
    } else {
        format!(
            "{depth}: {} ready, {} unacked",
            counts.ready, counts.unacked
        )
    }
}
