//! The validated network that [`crate::expand`] turns into code.
//!
//! Every size here agrees with its neighbours, every name is known and every
//! hyper-parameter is in range, so expansion cannot fail.

use syn::{Attribute, Ident, Visibility};

pub struct Network {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// `f32` or `f64`.
    pub scalar: Ident,
    pub input: usize,
    pub layers: Vec<Layer>,
    /// Variant name of `nn::Loss`.
    pub loss: Option<&'static str>,
}

pub struct Layer {
    pub name: Ident,
    pub inputs: usize,
    pub outputs: usize,
    pub groups: Vec<Group>,
    pub mask: Option<MaskPlan>,
    /// An absolute path whose contents the mask came from, so the build
    /// reruns when the file changes.
    pub mask_file: Option<String>,
}

pub struct Group {
    pub field: Ident,
    pub outputs: usize,
    pub activation: Activation,
    pub optimizer: Optimizer,
    /// Variant of `nn::Init` with its argument; `None` keeps the default.
    pub init: Option<(&'static str, Option<f64>)>,
}

pub struct Activation {
    /// Type name in `nn::activation`.
    pub type_name: &'static str,
    /// `alpha` of leaky_relu and elu.
    pub alpha: Option<f64>,
}

#[derive(Clone)]
pub struct Optimizer {
    /// Type name in `nn::optim`.
    pub type_name: &'static str,
    pub lr: Option<f64>,
    /// Public fields to set after `new(lr)`.
    pub settings: Vec<(&'static str, Setting)>,
}

#[derive(Clone, Copy)]
pub enum Setting {
    Number(f64),
    Bool(bool),
}

pub enum MaskPlan {
    Rows(Vec<Vec<u8>>),
    Cut(Vec<(usize, usize)>),
    Keep(Vec<(usize, usize)>),
    Random { density: f64, seed: u64 },
    BlockDiagonal { blocks: usize },
    Banded { width: usize },
}
