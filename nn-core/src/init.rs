//! Weight initialisation, chosen per group from its activation and seeded.
//!
//! Biases start at zero. Weights are drawn from a ChaCha8 stream seeded from the
//! network seed, the layer index and the group index ([`derive_seed`]), so a
//! network built twice from one seed is identical, on every platform.

use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::scalar::Scalar;

/// The family of initialisers that suits an activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitFamily {
    /// He (Kaiming): variance 2 / fan_in, for the relu family.
    He,
    /// Glorot (Xavier): variance 2 / (fan_in + fan_out), for saturating and linear activations.
    Glorot,
}

/// Distribution of a group's initial weights.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Init {
    /// The activation's family, uniform: He for relu-like activations, Glorot otherwise.
    #[default]
    Auto,
    /// U(−b, b) with b = √(6 / fan_in).
    HeUniform,
    /// N(0, 2 / fan_in).
    HeNormal,
    /// U(−b, b) with b = √(6 / (fan_in + fan_out)).
    GlorotUniform,
    /// N(0, 2 / (fan_in + fan_out)).
    GlorotNormal,
    /// U(−b, b) with the given bound b.
    Uniform(f64),
    /// N(0, σ²) with the given standard deviation σ.
    Normal(f64),
    /// All weights zero.
    Zeros,
}

impl Init {
    /// Name used in summaries, as written in `network!`.
    pub fn name(&self) -> &'static str {
        match self {
            Init::Auto => "auto",
            Init::HeUniform => "he_uniform",
            Init::HeNormal => "he_normal",
            Init::GlorotUniform => "glorot_uniform",
            Init::GlorotNormal => "glorot_normal",
            Init::Uniform(_) => "uniform",
            Init::Normal(_) => "normal",
            Init::Zeros => "zeros",
        }
    }

    /// Checks the bound or standard deviation of the explicit forms.
    pub(crate) fn validate(&self) -> Result<(), (&'static str, f64, &'static str)> {
        match *self {
            Init::Uniform(bound) if !(bound.is_finite() && bound >= 0.0) => {
                Err(("bound", bound, "use a finite value >= 0"))
            }
            Init::Normal(std) if !(std.is_finite() && std >= 0.0) => {
                Err(("std", std, "use a finite value >= 0"))
            }
            _ => Ok(()),
        }
    }

    /// Replaces `Auto` by the uniform form of `family`.
    pub fn resolve(self, family: InitFamily) -> Init {
        match (self, family) {
            (Init::Auto, InitFamily::He) => Init::HeUniform,
            (Init::Auto, InitFamily::Glorot) => Init::GlorotUniform,
            (other, _) => other,
        }
    }

    /// Fills a `[outputs, inputs]` weight matrix.
    ///
    /// `fan_out` is the whole layer's output count, so a layer split into groups
    /// starts with the same scale as the unsplit layer.
    pub fn fill<T: Scalar>(
        self,
        family: InitFamily,
        weight: &mut Array2<T>,
        fan_out: usize,
        seed: u64,
    ) {
        let fan_in = weight.ncols().max(1) as f64;
        let fan_out = fan_out.max(1) as f64;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        match self.resolve(family) {
            Init::Auto => unreachable!("resolve replaces Auto"),
            Init::HeUniform => fill_uniform(weight, (6.0 / fan_in).sqrt(), &mut rng),
            Init::HeNormal => fill_normal(weight, (2.0 / fan_in).sqrt(), &mut rng),
            Init::GlorotUniform => {
                fill_uniform(weight, (6.0 / (fan_in + fan_out)).sqrt(), &mut rng)
            }
            Init::GlorotNormal => fill_normal(weight, (2.0 / (fan_in + fan_out)).sqrt(), &mut rng),
            Init::Uniform(bound) => fill_uniform(weight, bound, &mut rng),
            Init::Normal(std) => fill_normal(weight, std, &mut rng),
            Init::Zeros => weight.fill(T::zero()),
        }
    }
}

fn fill_uniform<T: Scalar>(weight: &mut Array2<T>, bound: f64, rng: &mut ChaCha8Rng) {
    weight.map_inplace(|w| *w = T::of(rng.random_range(-bound..=bound)));
}

// Box–Muller: two uniforms give one standard normal (the second is discarded so
// the stream position depends only on the element count).
fn fill_normal<T: Scalar>(weight: &mut Array2<T>, std: f64, rng: &mut ChaCha8Rng) {
    weight.map_inplace(|w| {
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random::<f64>();
        let n = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        *w = T::of(std * n);
    });
}

/// Derives the seed of a child (a layer of a network, a group of a layer) from
/// its parent's seed and its index.
///
/// A SplitMix64 finaliser mixes the two values, so neighbouring children get
/// unrelated streams. Hand-built networks and `network!` use this function alike:
/// layer `l` gets `derive_seed(network_seed, l)` and passes it to
/// [`Dense::new`](crate::Dense::new), which gives group `g` `derive_seed(layer_seed, g)`.
pub fn derive_seed(parent: u64, index: usize) -> u64 {
    let mut x = parent ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}
