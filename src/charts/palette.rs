//! The one colour palette of every chart, table swatch and calendar chip: Okabe and Ito's
//! colour-blind-safe set (M. Okabe and K. Ito 2008, "Color Universal Design"), in an order that
//! keeps neighbours distinguishable, then a violet and two greys. A channel keeps its colour
//! everywhere: its index among the workspace's channels (sorted by name) picks it.

/// `(r, g, b)` of each colour, in order.
pub const PALETTE: [(u8, u8, u8); 9] = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (86, 180, 233),
    (213, 94, 0),
    (120, 94, 240),
    (90, 90, 90),
    (160, 160, 160),
];

/// The colour of series (or channel) `i`, cycling through the palette.
pub fn rgb(i: usize) -> (u8, u8, u8) {
    PALETTE[i % PALETTE.len()]
}

/// The colour of series `i` as CSS (`#0072b2`).
pub fn css(i: usize) -> String {
    let (r, g, b) = rgb(i);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The colour index of `channel` among `channels` (sorted by name, as `Workspace::channels`
/// gives them); a channel not in the list gets the last grey.
pub fn channel_index(channels: &[String], channel: &str) -> usize {
    channels
        .iter()
        .position(|c| c == channel)
        .unwrap_or(PALETTE.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_cycle_and_read_as_css() {
        assert_eq!(css(0), "#0072b2");
        assert_eq!(rgb(PALETTE.len()), rgb(0));
        let channels = vec!["Email".to_owned(), "LinkedIn".to_owned()];
        assert_eq!(channel_index(&channels, "LinkedIn"), 1);
        assert_eq!(channel_index(&channels, "Other"), PALETTE.len() - 1);
    }
}
