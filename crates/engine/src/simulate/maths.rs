//! Portable maths and the seeded random stream of the simulator: `exp` and `ln` from IEEE-754
//! `+ − × ÷` only, normals by Marsaglia's polar method, so a run is bit-identical on every target.
//!
//! These are kept hand-written rather than taken from `libm`: they are already pure arithmetic
//! (the same bits on native and wasm32), and switching would change the demo's numbers, which must
//! stay bit for bit (the demo workspace, stored data sets and the tests' golden values rest on
//! them).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// eˣ: Cody–Waite reduction x = k·ln2 + r, |r| ≤ ln2/2, then a degree-13 Taylor polynomial
/// (truncation < 1e-17). Relative error ≈ 1e-16 for |x| ≤ 700; clamped outside.
pub(super) fn det_exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let x = x.clamp(-700.0, 700.0);
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut p = 1.0;
    for n in (1..=13).rev() {
        p = 1.0 + p * r / n as f64;
    }
    let bits = ((k as i64 + 1023) as u64) << 52;
    p * f64::from_bits(bits)
}

/// ln x for finite x > 0 (NaN otherwise): x = m·2ᵉ with m in [√½, √2), then
/// ln m = 2·atanh(t), t = (m − 1)/(m + 1), |t| ≤ 0.172, summed to t²¹ (truncation < 1e-17).
pub(super) fn det_ln(x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let (mut x, mut e) = (x, 0i64);
    if x < f64::MIN_POSITIVE {
        x *= 18_014_398_509_481_984.0; // 2^54: lift subnormals into the normal range
        e -= 54;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let mut s = 0.0;
    for n in (0..=10).rev() {
        s = 1.0 / (2 * n + 1) as f64 + t2 * s;
    }
    let ln_m = 2.0 * t * s;
    let e = e as f64;
    e * LN2_HI + (e * LN2_LO + ln_m)
}

/// The seeded random stream.
pub(super) struct Gen {
    rng: ChaCha8Rng,
    spare: Option<f64>,
}

impl Gen {
    pub(super) fn new(seed: u64) -> Self {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(seed),
            spare: None,
        }
    }

    /// U[0, 1) with 53 random bits.
    pub(super) fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// Standard normal (Marsaglia's polar method; the second value is kept for the next call).
    pub(super) fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = (-2.0 * det_ln(s) / s).sqrt();
                self.spare = Some(v * f);
                return u * f;
            }
        }
    }

    /// exp(μ + σZ).
    pub(super) fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        det_exp(mu + sigma * self.normal())
    }

    /// Gamma(shape, scale 1): Marsaglia & Tsang (2000) for shape ≥ 1; shape < 1 by the boost
    /// G(a) = G(a + 1)·U^(1/a). Used by the artifact simulator only.
    pub(super) fn gamma(&mut self, shape: f64) -> f64 {
        if !(shape > 0.0 && shape.is_finite()) {
            return 0.0;
        }
        if shape < 1.0 {
            let g = self.gamma(shape + 1.0);
            let u = self.uniform().max(f64::MIN_POSITIVE);
            return g * det_exp(det_ln(u) / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let z = self.normal();
            let v = 1.0 + c * z;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform().max(f64::MIN_POSITIVE);
            if det_ln(u) < 0.5 * z * z + d - d * v + d * det_ln(v) {
                return d * v;
            }
        }
    }

    /// Poisson(λ): Knuth's product of uniforms for λ ≤ 30, otherwise the normal approximation
    /// with continuity correction (the artifact simulator's counts; exact tails do not matter
    /// there, over-dispersion comes from the Gamma mixing).
    pub(super) fn poisson(&mut self, lambda: f64) -> f64 {
        if !(lambda > 0.0 && lambda.is_finite()) {
            return 0.0;
        }
        if lambda > 30.0 {
            return (lambda + lambda.sqrt() * self.normal() + 0.5)
                .floor()
                .max(0.0);
        }
        let limit = det_exp(-lambda);
        let mut k = 0.0;
        let mut p = self.uniform();
        while p > limit {
            k += 1.0;
            p *= self.uniform();
        }
        k
    }

    /// Gamma–Poisson (negative binomial) count with mean `mean` and shape `shape`:
    /// variance = mean + mean²/shape.
    pub(super) fn neg_binomial(&mut self, mean: f64, shape: f64) -> f64 {
        let g = self.gamma(shape) / shape;
        self.poisson(mean * g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_exp_and_ln_match_std() {
        for i in -2000..=2000 {
            let x = i as f64 * 0.173;
            let (a, b) = (det_exp(x), x.exp());
            assert!(((a - b) / b).abs() < 4e-16, "exp({x}): {a} vs {b}");
        }
        for i in 1..=4000 {
            let x = (i as f64 * 0.37).powi(3) * 1e-6;
            let (a, b) = (det_ln(x), x.ln());
            assert!(
                (a - b).abs() <= 4e-16 * b.abs().max(1e-300) + 1e-17,
                "ln({x}): {a} vs {b}"
            );
        }
        assert!((det_ln(5e-320) - 5e-320f64.ln()).abs() < 1e-12);
        assert!(det_ln(0.0).is_nan() && det_ln(-1.0).is_nan());
        assert_eq!(det_exp(0.0), 1.0);
        assert_eq!(det_ln(1.0), 0.0);
    }
}
