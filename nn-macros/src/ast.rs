//! The syntax tree of a `network!` definition, as written.
//!
//! Nodes keep the user's tokens (identifiers and literals with their spans)
//! so that validation can point each error at the token that caused it.
//! Nothing here is checked yet: names may be unknown and sizes may disagree.

use proc_macro2::Span;
use syn::{Attribute, Ident, LitInt, LitStr, Visibility};

/// `#[attrs] VIS struct NAME { ENTRY, ... }`.
pub struct NetworkDef {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub entries: Vec<Entry>,
}

/// One comma-separated entry of the struct body.
pub enum Entry {
    /// `input: 64`
    Input { key: Ident, width: LitInt },
    /// `loss: softmax_cross_entropy`
    Loss { key: Ident, loss: Call },
    /// `optim: adam(lr = 1e-3)`, the default for groups without one.
    Optim { key: Ident, optimizer: Call },
    /// `scalar: f64`
    Scalar { key: Ident, ty: Ident },
    /// `NAME: KIND(IN -> GROUP, ...) CLAUSE*`
    Layer(Box<LayerDef>),
}

/// A layer entry.
pub struct LayerDef {
    pub name: Ident,
    /// `dense` is the only kind; validation rejects others.
    pub kind: Ident,
    pub inputs: LitInt,
    pub groups: Vec<GroupDef>,
    pub mask: Option<(Ident, MaskDef)>,
    pub optim: Option<(Ident, Call)>,
    pub init: Option<(Ident, Call)>,
}

/// `[NAME =] COUNT: ACTIVATION [@ OPTIMIZER]`.
pub struct GroupDef {
    pub name: Option<Ident>,
    pub count: LitInt,
    pub activation: Call,
    pub optimizer: Option<Call>,
}

/// `name` or `name(key = value, ...)`: activations, optimizers, losses,
/// initialisers and the parametric masks.
pub struct Call {
    pub name: Ident,
    /// `None` without parentheses; the span covers them when present.
    pub args: Option<(Span, Vec<Arg>)>,
}

impl Call {
    /// The arguments, empty without parentheses.
    pub fn args(&self) -> &[Arg] {
        self.args.as_ref().map_or(&[], |(_, args)| args)
    }
}

/// `key = value`.
pub struct Arg {
    pub key: Ident,
    pub value: Value,
}

/// An argument value.
pub enum Value {
    /// An integer or float literal, with an optional leading minus sign.
    Number {
        value: f64,
        integer: bool,
        span: Span,
    },
    Bool {
        value: bool,
        span: Span,
    },
    Str(LitStr),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Number { span, .. } | Value::Bool { span, .. } => *span,
            Value::Str(s) => s.span(),
        }
    }
}

/// The argument of a `mask` clause.
pub enum MaskDef {
    /// `[[1, 0, ...], ...]`; the span covers the outer brackets.
    Literal { rows: Vec<Vec<Value>>, span: Span },
    /// `cut [(out, in), ...]` or `keep [...]`; other names are kept for a
    /// "did you mean" error.
    Pairs {
        kind: Ident,
        pairs: Vec<(LitInt, LitInt)>,
    },
    /// `file("path")`, relative to `CARGO_MANIFEST_DIR`.
    File { path: LitStr },
    /// `random(density = f, seed = n)`, `block_diagonal(blocks = n)`, `banded(width = n)`.
    Call(Call),
}
