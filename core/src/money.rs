//! Money: integer fen (分), never floats.
//!
//! Fines, ranges and surcharges are `i64` fen throughout the core; this
//! module only formats them for people.

/// Formats fen as yuan for display: `5000` → `50元`, `5050` → `50.50元`,
/// `-5` → `-0.05元`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let (yuan, rest) = (abs / 100, abs % 100);
    if rest == 0 {
        format!("{sign}{yuan}元")
    } else {
        format!("{sign}{yuan}.{rest:02}元")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_whole_and_fractional_yuan() {
        assert_eq!(format_yuan(0), "0元");
        assert_eq!(format_yuan(5000), "50元");
        assert_eq!(format_yuan(5050), "50.50元");
        assert_eq!(format_yuan(5), "0.05元");
        assert_eq!(format_yuan(-5), "-0.05元");
        assert_eq!(format_yuan(i64::MIN), "-92233720368547758.08元");
    }
}
