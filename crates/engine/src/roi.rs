//! Artifact ROI and ROAS, and the percent and money formatters used to show them.
//!
//! - **ROI** = (revenue − cost) / cost × 100, in percent (the product spec's formula; revenue
//!   4200 on cost 150 is exactly 2700 %).
//! - **ROAS** = revenue / cost, a plain ratio (the advertising industry's "return on ad spend").
//!
//! Both are undefined when the cost is missing, zero, negative or not a finite number, and when
//! the revenue is not finite: they then return a typed [`NoRoi`] reason instead of ∞ or NaN.
//! A result too large for an `f64` (a huge revenue on a tiny cost) is [`NoRoi::Overflow`].
//! Negative revenue (refunds) is allowed and gives an ROI below −100 %.
//!
//! Formatting rounds **half away from zero** on the shortest decimal that round-trips the `f64`
//! (what a person typed: `1.005` is rounded as 1.005, not as the binary 1.00499999…), which is
//! what ICU and the browser's `Intl.NumberFormat` (`roundingMode: "halfExpand"`) do. Thousands are
//! separated with `,`, decimals with `.` (en-US), and a value that rounds to zero never shows a
//! minus sign.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why an ROI or ROAS cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Error)]
#[serde(rename_all = "kebab-case")]
pub enum NoRoi {
    #[error("no cost recorded")]
    NoCost,
    #[error("the cost is zero")]
    ZeroCost,
    #[error("the cost is negative")]
    NegativeCost,
    #[error("the cost is not a finite number")]
    NonFiniteCost,
    #[error("the revenue is not a finite number")]
    NonFiniteRevenue,
    #[error("the ratio is too large to represent")]
    Overflow,
}

/// The cost, when it can divide.
fn usable_cost(revenue: f64, cost: Option<f64>) -> Result<f64, NoRoi> {
    let cost = cost.ok_or(NoRoi::NoCost)?;
    if !cost.is_finite() {
        return Err(NoRoi::NonFiniteCost);
    }
    if cost == 0.0 {
        return Err(NoRoi::ZeroCost);
    }
    if cost < 0.0 {
        return Err(NoRoi::NegativeCost);
    }
    if !revenue.is_finite() {
        return Err(NoRoi::NonFiniteRevenue);
    }
    Ok(cost)
}

fn finite(x: f64) -> Result<f64, NoRoi> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(NoRoi::Overflow)
    }
}

/// ROI in percent: (revenue − cost) / cost × 100.
pub fn roi(revenue: f64, cost: Option<f64>) -> Result<f64, NoRoi> {
    let cost = usable_cost(revenue, cost)?;
    finite((revenue - cost) / cost * 100.0)
}

/// ROAS: revenue / cost.
pub fn roas(revenue: f64, cost: Option<f64>) -> Result<f64, NoRoi> {
    let cost = usable_cost(revenue, cost)?;
    finite(revenue / cost)
}

/// Revenue, cost, ROI and ROAS of one artifact (calendar entry, channel, campaign), ready to
/// serialise: `roi`/`roas` are `None` exactly when `no_roi` says why.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoiFigures {
    pub revenue: f64,
    pub cost: Option<f64>,
    /// Percent.
    pub roi: Option<f64>,
    pub roas: Option<f64>,
    pub no_roi: Option<NoRoi>,
}

impl RoiFigures {
    pub fn new(revenue: f64, cost: Option<f64>) -> Self {
        let (roi, roas, no_roi) = match (roi(revenue, cost), roas(revenue, cost)) {
            (Ok(r), Ok(s)) => (Some(r), Some(s), None),
            (Err(e), _) | (_, Err(e)) => (None, None, Some(e)),
        };
        RoiFigures {
            revenue,
            cost,
            roi,
            roas,
            no_roi,
        }
    }
}

/// Shown for a value that is not a finite number.
pub const NOT_A_NUMBER: &str = "—";

/// `|x|` rounded half away from zero to `decimals` places, as (integer digits, fraction digits),
/// working on the shortest round-trip decimal of `x` (Rust's `Display` never uses exponents).
fn round_abs(x: f64, decimals: usize) -> (String, String) {
    let text = format!("{}", x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut digits: Vec<u8> = int
        .bytes()
        .chain(frac.bytes().chain(std::iter::repeat(b'0')).take(decimals))
        .collect();
    let round_up = frac.as_bytes().get(decimals).is_some_and(|&d| d >= b'5');
    if round_up {
        let mut carry = true;
        for d in digits.iter_mut().rev() {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                carry = false;
                break;
            }
        }
        if carry {
            digits.insert(0, b'1');
        }
    }
    let split = digits.len() - decimals;
    let mut int_part = String::from_utf8_lossy(&digits[..split]).into_owned();
    // "0.5" has integer digits "0"; never leave the integer part empty or zero-padded.
    let trimmed = int_part.trim_start_matches('0');
    int_part = if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    };
    let frac_part = String::from_utf8_lossy(&digits[split..]).into_owned();
    (int_part, frac_part)
}

/// `1234567` → `1,234,567`.
fn group_thousands(int_digits: &str) -> String {
    let n = int_digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in int_digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The signed, grouped number and whether it is negative (after rounding: −0.001 is not).
fn grouped(x: f64, decimals: usize) -> (bool, String) {
    let (int, frac) = round_abs(x, decimals);
    let is_zero = int.bytes().chain(frac.bytes()).all(|d| d == b'0');
    let mut s = group_thousands(&int);
    if decimals > 0 {
        s.push('.');
        s.push_str(&frac);
    }
    (x < 0.0 && !is_zero, s)
}

/// An ROI in percent, rounded to a whole percent: `2700.0` → `"2,700%"`, `-45.2` → `"-45%"`,
/// `0.5` → `"1%"`. Not a finite number → `"—"`.
pub fn format_percent(roi: f64) -> String {
    if !roi.is_finite() {
        return NOT_A_NUMBER.to_owned();
    }
    let (neg, s) = grouped(roi, 0);
    format!("{}{s}%", if neg { "-" } else { "" })
}

/// A count rounded to a whole number with thousands separators: `1234.6` → `"1,235"`.
/// Not a finite number → `"—"`.
pub fn format_count(x: f64) -> String {
    if !x.is_finite() {
        return NOT_A_NUMBER.to_owned();
    }
    let (neg, s) = grouped(x, 0);
    format!("{}{s}", if neg { "-" } else { "" })
}

/// ISO 4217 minor-unit digits: 0 and 3 for the currencies listed, 2 for every other code.
fn currency_decimals(code: &str) -> usize {
    const ZERO: [&str; 16] = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
        "XAF", "XOF", "XPF",
    ];
    const THREE: [&str; 7] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    if ZERO.contains(&code) {
        0
    } else if THREE.contains(&code) {
        3
    } else {
        2
    }
}

/// A money amount in an ISO 4217 currency: `$4,200.00` (USD), `€1,234.50` (EUR), `£0.99` (GBP),
/// `¥1,235` (JPY, no decimals); any other code goes after the number: `1,234.50 CHF`. Decimals
/// follow ISO 4217 minor units (0 for JPY, KRW, …; 3 for KWD, BHD, …; else 2). Negative amounts
/// read `-$1,234.50` / `-1,234.50 CHF`. The code is matched case-insensitively; an empty code
/// gives the bare number. Not a finite number → `"—"`.
pub fn format_money(amount: f64, currency: &str) -> String {
    if !amount.is_finite() {
        return NOT_A_NUMBER.to_owned();
    }
    let code = currency.trim().to_ascii_uppercase();
    let (neg, number) = grouped(amount, currency_decimals(&code));
    let sign = if neg { "-" } else { "" };
    let symbol = match code.as_str() {
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    };
    match symbol {
        Some(sym) => format!("{sign}{sym}{number}"),
        None if code.is_empty() => format!("{sign}{number}"),
        None => format!("{sign}{number} {code}"),
    }
}
