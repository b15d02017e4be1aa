//! Distribution functions and rank statistics the learners' tests and intervals share: the
//! normal CDF and quantile, Student's t and χ² tail probabilities, and Spearman's rank
//! correlation. Portable maths only (`libm`), so the same inputs give the same bits on every
//! target.
//!
//! - Normal: Φ(x) = ½·erfc(−x/√2); the quantile by Acklam's rational approximation refined with
//!   one Halley step (relative error below 1e-15 in double precision).
//! - Student's t: P(|T| > t) = I_{ν/(ν+t²)}(ν/2, ½), the regularized incomplete beta function
//!   (Abramowitz & Stegun 26.7.1), evaluated by its continued fraction (DLMF 8.17.22) with the
//!   modified Lentz method.
//! - χ²: P(X > x) = Q(k/2, x/2), the regularized upper incomplete gamma function: its power
//!   series below a + 1 and its continued fraction above (DLMF 8.7.1 and 8.9.2).
//! - Spearman's ρ: Pearson's correlation of the ranks, ties given their mean rank.

/// The standard normal CDF Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile Φ⁻¹(p) for p in (0, 1); ±∞ at the ends, NaN outside.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    // Acklam's coefficients.
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.024_25;
    let x = if p < LOW {
        let q = libm::sqrt(-2.0 * libm::log(p));
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = libm::sqrt(-2.0 * libm::log(1.0 - p));
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step on Φ(x) − p.
    let e = normal_cdf(x) - p;
    let u = e * libm::sqrt(2.0 * std::f64::consts::PI) * libm::exp(0.5 * x * x);
    x - u / (1.0 + 0.5 * x * u)
}

/// Two-sided p-value of a standard normal statistic: P(|Z| > |z|).
pub fn normal_two_sided(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| > |t|).
pub fn t_two_sided(t: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 || t.is_nan() {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    regularized_beta(df / (df + t * t), 0.5 * df, 0.5)
}

/// P(X > x) for X ~ χ² with `k` degrees of freedom.
pub fn chi_square_survival(x: f64, k: f64) -> f64 {
    if k.is_nan() || k <= 0.0 || x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    regularized_gamma_upper(0.5 * k, 0.5 * x)
}

/// The regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1].
pub fn regularized_beta(x: f64, a: f64, b: f64) -> f64 {
    if x.is_nan() || !(a > 0.0 && b > 0.0) {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
        + a * libm::log(x)
        + b * libm::log(1.0 - x);
    let front = libm::exp(ln_front);
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry
    // I_x(a, b) = 1 − I_{1−x}(b, a) otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_fraction(1.0 - x, b, a) / b
    }
}

/// One step of the modified Lentz method for a continued fraction b₀ + a₁/(1 + a₂/(1 + …)):
/// updates `c` and `d` with the next numerator and returns the factor the value moves by.
fn lentz_step(num: f64, c: &mut f64, d: &mut f64) -> f64 {
    const TINY: f64 = 1e-300;
    *d = 1.0 + num * *d;
    if d.abs() < TINY {
        *d = TINY;
    }
    *c = 1.0 + num / *c;
    if c.abs() < TINY {
        *c = TINY;
    }
    *d = 1.0 / *d;
    *d * *c
}

/// The continued fraction of I_x(a, b) (DLMF 8.17.22), by the modified Lentz method.
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut f = d;
    for m in 1..=500 {
        let m = m as f64;
        // Even step: d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m)).
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        f *= lentz_step(even, &mut c, &mut d);
        // Odd step: d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)).
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        let step = lentz_step(odd, &mut c, &mut d);
        f *= step;
        if (step - 1.0).abs() < EPS {
            break;
        }
    }
    f
}

/// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), a > 0, x ≥ 0.
pub fn regularized_gamma_upper(a: f64, x: f64) -> f64 {
    if x.is_nan() || a.is_nan() || a <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    let ln_front = a * libm::log(x) - x - libm::lgamma(a);
    if x < a + 1.0 {
        // Power series of P(a, x) (DLMF 8.7.1 scaled): Σ x^n / (a(a+1)…(a+n)).
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        1.0 - sum * libm::exp(ln_front)
    } else {
        // Continued fraction of Q(a, x) (DLMF 8.9.2), modified Lentz.
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=1000 {
            let i = i as f64;
            let an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let step = d * c;
            h *= step;
            if (step - 1.0).abs() < 1e-15 {
                break;
            }
        }
        libm::exp(ln_front) * h
    }
}

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The 95 % Wilson score interval of `successes` out of `n` (Wilson 1927).
pub fn wilson(successes: f64, n: f64) -> (f64, f64) {
    if n.is_nan() || n <= 0.0 {
        return (0.0, 1.0);
    }
    let p = (successes / n).clamp(0.0, 1.0);
    let z2 = Z95 * Z95;
    let centre = p + z2 / (2.0 * n);
    let half = Z95 * libm::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
    let denom = 1.0 + z2 / n;
    // At 0 (or n) successes the bound is exactly 0 (or 1); rounding would leave a crumb.
    let low = if p == 0.0 {
        0.0
    } else {
        ((centre - half) / denom).max(0.0)
    };
    let high = if p == 1.0 {
        1.0
    } else {
        ((centre + half) / denom).min(1.0)
    };
    (low, high)
}

/// Ranks from 1, ties given the mean of the ranks they span.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut out = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) hold ranks start+1 ..= end; their mean:
        let mean_rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = mean_rank;
        }
        start = end;
    }
    out
}

/// Pearson's correlation; `None` with fewer than two pairs, unequal lengths or no spread.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / libm::sqrt(sxx * syy))
}

/// Spearman's rank correlation ρ (Pearson's correlation of the ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn normal_values_from_tables() {
        assert!(close(normal_cdf(0.0), 0.5, 1e-15));
        assert!(close(normal_cdf(1.959_963_984_540_054), 0.975, 1e-12));
        assert!(close(normal_quantile(0.975), 1.959_963_984_540_054, 1e-12));
        assert!(close(normal_quantile(0.8), 0.841_621_233_572_914_2, 1e-12));
        assert!(close(normal_quantile(1e-6), -4.753_424_308_822_899, 1e-9));
        assert!(close(
            normal_two_sided(1.96),
            0.049_995_790_296_440_3,
            1e-12
        ));
        assert!(normal_quantile(1.5).is_nan());
    }

    #[test]
    fn student_t_matches_tables() {
        // t = 2.228 at df = 10 is the two-sided 5 % point; df = 1 is the Cauchy distribution:
        // P(|T| > 1) = 0.5.
        assert!(close(t_two_sided(2.228_138_851_986_273, 10.0), 0.05, 1e-9));
        assert!(close(t_two_sided(1.0, 1.0), 0.5, 1e-12));
        // Large df approaches the normal.
        assert!(close(t_two_sided(1.96, 1e7), normal_two_sided(1.96), 1e-6));
    }

    #[test]
    fn chi_square_matches_tables() {
        // 3.841 is the 5 % point with 1 df; 5.991 with 2 df (exactly e^(−x/2) for k = 2).
        assert!(close(
            chi_square_survival(3.841_458_820_694_124, 1.0),
            0.05,
            1e-10
        ));
        assert!(close(
            chi_square_survival(5.991_464_547_107_979, 2.0),
            0.05,
            1e-12
        ));
        assert!(close(
            chi_square_survival(30.0, 2.0),
            libm::exp(-15.0),
            1e-15
        ));
        assert!(close(chi_square_survival(0.0, 3.0), 1.0, 0.0));
    }

    #[test]
    fn incomplete_beta_symmetry_and_edges() {
        for &(x, a, b) in &[(0.3, 2.0, 5.0), (0.9, 0.5, 0.5), (0.01, 10.0, 1.5)] {
            let l = regularized_beta(x, a, b);
            let r = 1.0 - regularized_beta(1.0 - x, b, a);
            assert!(close(l, r, 1e-13), "{l} {r}");
        }
        // I_x(1, 1) = x.
        assert!(close(regularized_beta(0.37, 1.0, 1.0), 0.37, 1e-14));
    }

    #[test]
    fn ranks_and_spearman() {
        assert_eq!(ranks(&[10.0, 30.0, 20.0, 20.0]), vec![1.0, 4.0, 2.5, 2.5]);
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!(close(
            spearman(&x, &[2.0, 4.0, 8.0, 16.0, 32.0]).unwrap_or(0.0),
            1.0,
            1e-15
        ));
        assert!(close(
            spearman(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap_or(0.0),
            -1.0,
            1e-15
        ));
        assert_eq!(spearman(&x, &[1.0; 5]), None);
    }
}
