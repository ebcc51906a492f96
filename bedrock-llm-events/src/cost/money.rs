//! Money in exact integers: amounts in nano-dollars, prices in nano-dollars per million units.
//! Nothing here is ever an `f64` until it is rendered, so a sum over a billion calls is exact.

use std::fmt;

/// Nano-dollars in a dollar.
const NANOS_PER_USD: u64 = 1_000_000_000;

/// An amount of US dollars, held as whole nano-dollars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd(u64);

impl Usd {
    /// Nothing.
    pub const ZERO: Usd = Usd(0);

    /// `nanos` nano-dollars.
    pub const fn from_nanos(nanos: u64) -> Self {
        Self(nanos)
    }

    /// The amount in nano-dollars.
    pub const fn nanos(self) -> u64 {
        self.0
    }

    /// The sum, saturating (a sum past $18 billion is not a bill this reads).
    #[must_use]
    pub const fn plus(self, other: Usd) -> Usd {
        Usd(self.0.saturating_add(other.0))
    }

    /// The amount as a float, for renderings whose type is a double (never summed again).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_USD as f64
    }

    /// The exact decimal text with nine fractional digits, trailing zeros trimmed to two
    /// (`0.000123`, `12.50`).
    pub fn decimal(self) -> String {
        let whole = self.0 / NANOS_PER_USD;
        let fraction = format!("{:09}", self.0 % NANOS_PER_USD);
        let trimmed = fraction.trim_end_matches('0');
        let shown = if trimmed.len() < 2 {
            &fraction[..2]
        } else {
            trimmed
        };
        format!("{whole}.{shown}")
    }

    /// Dollars and cents, rounded half up: `$1,234.57`; an amount below half a cent but above
    /// zero shows as `<$0.01`.
    pub fn dollars_and_cents(self) -> String {
        let cents = (u128::from(self.0) + 5_000_000) / 10_000_000;
        if cents == 0 && self.0 > 0 {
            return "<$0.01".to_owned();
        }
        let whole = (cents / 100).to_string();
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (index, digit) in whole.chars().enumerate() {
            if index > 0 && (whole.len() - index).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("${grouped}.{:02}", cents % 100)
    }
}

impl Usd {
    /// For tables: dollars and cents, but an amount under a cent with four decimals
    /// (`$0.0035`), so small spends still compare.
    pub fn short(self) -> String {
        if self.0 == 0 || self.0 >= 10_000_000 {
            return self.dollars_and_cents();
        }
        let tenths_of_millis = (u128::from(self.0) + 50_000) / 100_000;
        if tenths_of_millis == 0 {
            return "<$0.0001".to_owned();
        }
        format!("$0.{tenths_of_millis:04}")
    }
}

impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.decimal())
    }
}

impl std::iter::Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Self {
        iter.fold(Usd::ZERO, Usd::plus)
    }
}

/// A price: nano-dollars per million units (tokens, images, requests). `$3 per 1M tokens` is
/// `3_000_000_000`; `$0.04 per image` is `40_000_000_000_000` per million images.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(u64);

impl Rate {
    /// `nanos` nano-dollars per million units.
    pub const fn per_million_nanos(nanos: u64) -> Self {
        Self(nanos)
    }

    /// Dollars per million units, from exact decimal text (`"3"`, `"0.035"`, `"3.3000000000"`).
    pub fn per_million(text: &str) -> Option<Self> {
        parse_scaled(text, 9).map(Self)
    }

    /// Dollars per thousand units (the `AmazonBedrock` offer's unit), as a per-million rate.
    pub fn per_thousand(text: &str) -> Option<Self> {
        parse_scaled(text, 12).map(Self)
    }

    /// Dollars per one unit (per image, per request), as a per-million rate.
    pub fn per_unit(text: &str) -> Option<Self> {
        parse_scaled(text, 15).map(Self)
    }

    /// Nano-dollars per million units.
    pub const fn nanos_per_million(self) -> u64 {
        self.0
    }

    /// Dollars per million units, as decimal text (for writing a table back out).
    pub fn per_million_text(self) -> String {
        trim_decimal(self.0, 9)
    }

    /// Dollars per unit, as decimal text.
    pub fn per_unit_text(self) -> String {
        trim_decimal(self.0, 15)
    }

    /// `units` at this price, rounded half up to the nano-dollar.
    pub fn times(self, units: u64) -> Usd {
        let product = u128::from(self.0) * u128::from(units);
        let nanos = (product + 500_000) / 1_000_000;
        Usd(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// This price scaled by `numerator / denominator` (a tier's premium or discount).
    pub fn scaled(self, numerator: u64, denominator: u64) -> Rate {
        let scaled = u128::from(self.0) * u128::from(numerator) / u128::from(denominator.max(1));
        Rate(u64::try_from(scaled).unwrap_or(u64::MAX))
    }
}

/// Decimal text (digits, an optional fraction, an optional `e` exponent as JSON writers emit
/// for small numbers; no sign) times `10^scale`, as an integer; digits past the scale are
/// rounded half up. `None` for anything else or an overflow. Prices come as decimal strings
/// (AWS's offers) or JSON numbers; parsing the text keeps them exact where `f64` arithmetic
/// would not.
pub(crate) fn parse_scaled(text: &str, scale: u32) -> Option<u64> {
    let text = text.trim();
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole
        .bytes()
        .chain(fraction.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // The number is 0.DIGITS × 10^point; the integer keeps `point + scale` digits of it.
    let digits: Vec<u8> = whole
        .bytes()
        .chain(fraction.bytes())
        .map(|b| b - b'0')
        .collect();
    let kept = i64::try_from(whole.len()).ok()? + i64::from(exponent) + i64::from(scale);
    if kept > 30 {
        return None;
    }
    let mut value: u128 = 0;
    for index in 0..kept.max(0) {
        let digit = usize::try_from(index)
            .ok()
            .and_then(|i| digits.get(i))
            .copied();
        value = value
            .checked_mul(10)?
            .checked_add(u128::from(digit.unwrap_or(0)))?;
    }
    let next = if kept < 0 {
        0
    } else {
        usize::try_from(kept)
            .ok()
            .and_then(|i| digits.get(i))
            .copied()
            .unwrap_or(0)
    };
    if next >= 5 {
        value = value.checked_add(1)?;
    }
    u64::try_from(value).ok()
}

/// `value / 10^scale` as decimal text without trailing zeros.
fn trim_decimal(value: u64, scale: u32) -> String {
    let divisor = 10u64.pow(scale);
    let fraction = format!("{:0width$}", value % divisor, width = scale as usize);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        (value / divisor).to_string()
    } else {
        format!("{}.{fraction}", value / divisor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_parses_exactly() {
        assert_eq!(Rate::per_million("3"), Some(Rate(3_000_000_000)));
        assert_eq!(Rate::per_million("0.035"), Some(Rate(35_000_000)));
        assert_eq!(Rate::per_million("3.3000000000"), Some(Rate(3_300_000_000)));
        assert_eq!(
            Rate::per_thousand("0.0030000000"),
            Some(Rate(3_000_000_000))
        );
        assert_eq!(Rate::per_unit("0.04"), Some(Rate(40_000_000_000_000)));
        // A tenth digit past the nano is rounded half up.
        assert_eq!(Rate::per_million("0.0000000015"), Some(Rate(2)));
        // JSON writers' exponents.
        assert_eq!(Rate::per_million("1e-7"), Some(Rate(100)));
        assert_eq!(Rate::per_million("2.5E1"), Some(Rate(25_000_000_000)));
        for bad in ["", ".", "-1", "1e", "3,5", "x", "1.2.3", "1e999"] {
            assert_eq!(Rate::per_million(bad), None, "{bad:?}");
        }
        assert_eq!(Rate::per_million("99999999999999999999"), None);
    }

    #[test]
    fn amounts_multiply_and_render_exactly() {
        let three = Rate::per_million("3").unwrap();
        assert_eq!(three.times(1_000_000), Usd::from_nanos(3_000_000_000));
        assert_eq!(three.times(1), Usd::from_nanos(3_000));
        // $0.035 per 1M × 1 token = 35 nano-dollars; $0.0004 per 1M × 1 = 0.4 → 0, × 2 → 1.
        assert_eq!(
            Rate::per_million("0.035").unwrap().times(1),
            Usd::from_nanos(35)
        );
        let tiny = Rate::per_million("0.0004").unwrap();
        assert_eq!(tiny.times(1), Usd::ZERO);
        assert_eq!(tiny.times(2), Usd::from_nanos(1));
        assert_eq!(Usd::from_nanos(12_500_000_000).decimal(), "12.50");
        assert_eq!(Usd::from_nanos(123_000).decimal(), "0.000123");
        assert_eq!(
            Usd::from_nanos(1_234_565_000_000).dollars_and_cents(),
            "$1,234.57"
        );
        assert_eq!(Usd::from_nanos(4_999_999).dollars_and_cents(), "<$0.01");
        assert_eq!(Usd::ZERO.dollars_and_cents(), "$0.00");
        assert_eq!(Usd::from_nanos(3_500_000).short(), "$0.0035");
        assert_eq!(Usd::from_nanos(40_000).short(), "<$0.0001");
        assert_eq!(Usd::from_nanos(12_345_000_000).short(), "$12.35");
        assert_eq!(three.per_million_text(), "3");
        assert_eq!(Rate::per_unit("0.04").unwrap().per_unit_text(), "0.04");
        assert_eq!(three.scaled(7, 4), Rate::per_million("5.25").unwrap());
    }

    proptest::proptest! {
        #[test]
        fn rates_round_trip_through_their_text(nanos in 0u64..u64::MAX / 10) {
            let rate = Rate::per_million_nanos(nanos);
            proptest::prop_assert_eq!(Rate::per_million(&rate.per_million_text()), Some(rate));
        }

        #[test]
        fn a_json_number_prices_as_its_decimal_text(whole in 0u32..10_000, fraction in 0u32..1_000_000) {
            let text = format!("{whole}.{fraction:06}");
            let number = serde_json::Number::from_f64(text.parse::<f64>().unwrap()).unwrap();
            proptest::prop_assert_eq!(Rate::per_million(&number.to_string()), Rate::per_million(&text));
        }

        #[test]
        fn splitting_a_call_moves_its_cost_by_at_most_a_nano(
            nanos in 0u64..100_000_000_000_000,
            a in 0u64..1_000_000_000,
            b in 0u64..1_000_000_000,
        ) {
            let rate = Rate::per_million_nanos(nanos);
            let whole = rate.times(a + b).nanos();
            let parts = rate.times(a).plus(rate.times(b)).nanos();
            proptest::prop_assert!(whole.abs_diff(parts) <= 1, "{whole} vs {parts}");
        }
    }
}
