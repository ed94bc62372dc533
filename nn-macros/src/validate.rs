//! Checks a parsed definition and resolves it into the [`crate::model`].
//!
//! Every check runs even after an earlier one failed, and all errors are
//! combined into one `syn::Error`, so the user sees every mistake in one build.
//! Messages are lowercase, name the construct in backticks, give both numbers
//! when sizes disagree, and end with the fix.

use std::collections::HashMap;
use std::path::PathBuf;

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::{Ident, LitInt, LitStr};

use crate::ast::{Call, Entry, GroupDef, LayerDef, MaskDef, NetworkDef, Value};
use crate::model::{Activation, Group, Layer, MaskPlan, Network, Optimizer, Setting};
use crate::parse::call_span;
use crate::suggest::{did_you_mean, list};

/// Errors collected so far.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.add(syn::Error::new(span, message));
    }

    /// Records an error that underlines everything from `start` to `end`.
    /// `Span::join` works only on nightly, but `syn` renders the first and
    /// last tokens of `new_spanned` as one range on stable too.
    fn push_range(&mut self, start: Span, end: Span, message: impl std::fmt::Display) {
        let tokens: TokenStream = [
            TokenTree::from(Ident::new("start", start)),
            TokenTree::from(Ident::new("end", end)),
        ]
        .into_iter()
        .collect();
        self.add(syn::Error::new_spanned(tokens, message));
    }

    fn add(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// The range a numeric or boolean argument must fall in.
#[derive(Clone, Copy)]
enum Range {
    Positive,
    NonNegative,
    /// [0, 1)
    Unit,
    /// (0, 1]
    Density,
    /// An integer >= 1.
    Count,
    /// An integer >= 0.
    Index,
    Bool,
}

impl Range {
    fn describe(self) -> &'static str {
        match self {
            Range::Positive => "a finite number > 0",
            Range::NonNegative => "a finite number >= 0",
            Range::Unit => "a number in [0, 1)",
            Range::Density => "a number in (0, 1]",
            Range::Count => "an integer >= 1",
            Range::Index => "an integer >= 0",
            Range::Bool => "`true` or `false`",
        }
    }

    fn accepts(self, value: &Value) -> Option<Setting> {
        match (self, value) {
            (Range::Bool, Value::Bool { value, .. }) => Some(Setting::Bool(*value)),
            (Range::Bool, _) => None,
            (_, Value::Number { value, integer, .. }) => {
                let v = *value;
                let ok = v.is_finite()
                    && match self {
                        Range::Positive => v > 0.0,
                        Range::NonNegative => v >= 0.0,
                        Range::Unit => (0.0..1.0).contains(&v),
                        Range::Density => v > 0.0 && v <= 1.0,
                        Range::Count => *integer && v >= 1.0,
                        Range::Index => *integer && v >= 0.0,
                        Range::Bool => false,
                    };
                ok.then_some(Setting::Number(v))
            }
            _ => None,
        }
    }
}

/// One keyword argument a call accepts.
struct Param {
    key: &'static str,
    range: Range,
    required: bool,
}

const fn optional(key: &'static str, range: Range) -> Param {
    Param {
        key,
        range,
        required: false,
    }
}

const fn required(key: &'static str, range: Range) -> Param {
    Param {
        key,
        range,
        required: true,
    }
}

/// `(name in network!, type or variant name in nn, parameters)`.
type Table = &'static [(&'static str, &'static str, &'static [Param])];

const ACTIVATIONS: Table = &[
    ("identity", "Identity", &[]),
    ("relu", "Relu", &[]),
    (
        "leaky_relu",
        "LeakyRelu",
        &[optional("alpha", Range::NonNegative)],
    ),
    ("elu", "Elu", &[optional("alpha", Range::Positive)]),
    ("sigmoid", "Sigmoid", &[]),
    ("tanh", "Tanh", &[]),
    ("softplus", "Softplus", &[]),
    ("softsign", "Softsign", &[]),
    ("gelu", "Gelu", &[]),
    ("silu", "Silu", &[]),
    ("softmax", "Softmax", &[]),
];

const ADAM_PARAMS: &[Param] = &[
    required("lr", Range::Positive),
    optional("beta1", Range::Unit),
    optional("beta2", Range::Unit),
    optional("eps", Range::Positive),
    optional("weight_decay", Range::NonNegative),
];

const OPTIMIZERS: Table = &[
    (
        "sgd",
        "Sgd",
        &[
            required("lr", Range::Positive),
            optional("momentum", Range::Unit),
            optional("nesterov", Range::Bool),
            optional("weight_decay", Range::NonNegative),
        ],
    ),
    ("adam", "Adam", ADAM_PARAMS),
    ("adamw", "AdamW", ADAM_PARAMS),
    (
        "rmsprop",
        "RmsProp",
        &[
            required("lr", Range::Positive),
            optional("alpha", Range::Unit),
            optional("eps", Range::Positive),
            optional("weight_decay", Range::NonNegative),
            optional("momentum", Range::Unit),
            optional("centered", Range::Bool),
        ],
    ),
    ("frozen", "Frozen", &[]),
];

const LOSSES: Table = &[
    ("mse", "Mse", &[]),
    ("softmax_cross_entropy", "SoftmaxCrossEntropy", &[]),
    (
        "binary_cross_entropy_with_logits",
        "BinaryCrossEntropyWithLogits",
        &[],
    ),
];

const INITS: Table = &[
    ("he_uniform", "HeUniform", &[]),
    ("he_normal", "HeNormal", &[]),
    ("glorot_uniform", "GlorotUniform", &[]),
    ("glorot_normal", "GlorotNormal", &[]),
    (
        "uniform",
        "Uniform",
        &[required("bound", Range::NonNegative)],
    ),
    ("normal", "Normal", &[required("std", Range::NonNegative)]),
    ("zeros", "Zeros", &[]),
];

const MASK_CALLS: Table = &[
    (
        "random",
        "random",
        &[
            required("density", Range::Density),
            optional("seed", Range::Index),
        ],
    ),
    (
        "block_diagonal",
        "block_diagonal",
        &[required("blocks", Range::Count)],
    ),
    ("banded", "banded", &[required("width", Range::Index)]),
];

const MASK_KINDS: &[&str] = &["cut", "keep", "random", "block_diagonal", "banded", "file"];

/// Every mask form, for the message about an unknown mask.
const MASK_FORMS: &str = "`[[1, 0, ...], ...]`, `cut [(output, input), ...]`, `keep [...]`, \
     `random(density = ...)`, `block_diagonal(blocks = ...)`, `banded(width = ...)` and `file(\"...\")`";

fn names(table: Table) -> Vec<&'static str> {
    table.iter().map(|(name, _, _)| *name).collect()
}

/// Builds the text that joins "unknown `x`" to the list of valid names. It is
/// a "did you mean" question when a candidate is close, else a semicolon.
fn hint(name: &str, candidates: &[&str]) -> String {
    let question = did_you_mean(name, candidates);
    if question.is_empty() {
        "; ".to_owned()
    } else {
        format!("{question} ")
    }
}

/// "loss" -> "losses", "entry" -> "entries", "mask" -> "masks".
fn plural(noun: &str) -> String {
    if noun.ends_with('s') {
        format!("{noun}es")
    } else if let Some(stem) = noun.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    }
}

/// "1 output", "2 outputs".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {}", plural(noun))
    }
}

/// Writes a call with its first argument filled in, as in `adam(lr = 1e-3)`,
/// for the parser's message about positional arguments. Returns `None` for a
/// name that takes no arguments or is unknown.
pub fn example_call(name: &str) -> Option<String> {
    [ACTIVATIONS, OPTIMIZERS, LOSSES, INITS, MASK_CALLS]
        .iter()
        .flat_map(|table| table.iter())
        .find(|(known, _, _)| *known == name)
        .and_then(|(known, _, params)| {
            let param = params.first()?;
            Some(format!("{known}({} = {})", param.key, example(param)))
        })
}

/// Looks `call` up in `table` and checks its arguments. Returns the type name
/// and the valid arguments, or `None` (with errors recorded) for an unknown name.
fn resolve(
    call: &Call,
    table: Table,
    what: &str,
    errors: &mut Errors,
) -> Option<(&'static str, HashMap<&'static str, Setting>)> {
    let name = call.name.to_string();
    let Some((known, type_name, params)) = table.iter().find(|(n, _, _)| *n == name) else {
        let names = names(table);
        errors.push(
            call.name.span(),
            format!(
                "unknown {what} `{name}`{}valid {} are {}",
                hint(&name, &names),
                plural(what),
                list(&names)
            ),
        );
        return None;
    };
    let mut settings = HashMap::new();
    if params.is_empty() {
        if let Some((parens, _)) = &call.args {
            errors.push(
                *parens,
                format!("{what} `{known}` takes no arguments; write `{known}`"),
            );
        }
        return Some((type_name, settings));
    }
    let keys: Vec<&str> = params.iter().map(|p| p.key).collect();
    for arg in call.args() {
        let key = arg.key.to_string();
        let Some(param) = params.iter().find(|p| p.key == key) else {
            errors.push(
                arg.key.span(),
                format!(
                    "unknown argument `{key}` of {what} `{known}`{}valid arguments are {}",
                    hint(&key, &keys),
                    list(&keys)
                ),
            );
            continue;
        };
        if settings.contains_key(param.key) {
            errors.push(
                arg.key.span(),
                format!("argument `{key}` of {what} `{known}` is given twice; keep one"),
            );
            continue;
        }
        match param.range.accepts(&arg.value) {
            Some(setting) => {
                settings.insert(param.key, setting);
            }
            None => errors.push(
                arg.value.span(),
                format!(
                    "`{key}` of {what} `{known}` must be {}, found {}",
                    param.range.describe(),
                    show(&arg.value)
                ),
            ),
        }
    }
    for param in params.iter().filter(|p| p.required) {
        let given = call.args().iter().any(|a| a.key == param.key);
        if !given {
            errors.push(
                call_span(call),
                format!(
                    "missing `{key}` in {what} `{known}`; add it, as in `{known}({key} = {example})`",
                    key = param.key,
                    example = example(param),
                ),
            );
        }
    }
    Some((type_name, settings))
}

fn example(param: &Param) -> &'static str {
    match (param.key, param.range) {
        ("lr", _) => "1e-3",
        ("alpha", Range::Unit) => "0.99",
        ("momentum", _) => "0.9",
        (_, Range::Density) => "0.5",
        (_, Range::Count) => "2",
        (_, Range::Index) => "1",
        (_, Range::Bool) => "true",
        _ => "0.1",
    }
}

/// Formats a value as the user wrote it, so that `1e999` does not show as `inf`.
fn show(value: &Value) -> String {
    match value {
        Value::Number { value, span, .. } => match span.source_text() {
            // On stable the span covers the literal without its minus sign.
            Some(text) if value.is_sign_negative() && !text.starts_with('-') => {
                format!("-{text}")
            }
            Some(text) => text,
            None => value.to_string(),
        },
        Value::Bool { value, .. } => value.to_string(),
        Value::Str(s) => format!("{:?}", s.value()),
    }
}

fn number(settings: &HashMap<&'static str, Setting>, key: &str) -> Option<f64> {
    match settings.get(key) {
        Some(Setting::Number(v)) => Some(*v),
        _ => None,
    }
}

fn resolve_optimizer(call: &Call, errors: &mut Errors) -> Option<Optimizer> {
    let (type_name, settings) = resolve(call, OPTIMIZERS, "optimizer", errors)?;
    if let (Some(Setting::Bool(true)), momentum) =
        (settings.get("nesterov"), number(&settings, "momentum"))
    {
        if momentum.unwrap_or(0.0) == 0.0 {
            let message = "`nesterov = true` needs `momentum` > 0; add `momentum = 0.9` or remove `nesterov = true`";
            match call.args().iter().find(|arg| arg.key == "nesterov") {
                Some(arg) => errors.push_range(arg.key.span(), arg.value.span(), message),
                None => errors.push(call_span(call), message),
            }
        }
    }
    let lr = number(&settings, "lr");
    if type_name != "Frozen" && lr.is_none() {
        // `resolve` reported the missing or invalid rate already.
        return None;
    }
    let mut settings: Vec<(&'static str, Setting)> =
        settings.into_iter().filter(|(k, _)| *k != "lr").collect();
    settings.sort_by_key(|(k, _)| *k);
    Some(Optimizer {
        type_name,
        lr,
        settings,
    })
}

fn parse_usize(int: &LitInt) -> usize {
    // The parser accepted only integers that fit in usize.
    int.base10_parse().unwrap_or(0)
}

/// Checks `def` and returns the resolved network, or every error found.
pub fn validate(def: NetworkDef) -> syn::Result<Network> {
    let mut errors = Errors::default();
    let mut input: Option<(Ident, LitInt)> = None;
    let mut loss: Option<(Ident, Call)> = None;
    let mut optim: Option<(Ident, Call)> = None;
    let mut scalar: Option<(Ident, Ident)> = None;
    let mut layer_defs: Vec<Box<LayerDef>> = Vec::new();

    for entry in def.entries {
        let (key, duplicate) = match entry {
            Entry::Input { key, width } => {
                let duplicate = input.is_some();
                input.get_or_insert((key.clone(), width));
                (key, duplicate)
            }
            Entry::Loss { key, loss: call } => {
                let duplicate = loss.is_some();
                loss.get_or_insert((key.clone(), call));
                (key, duplicate)
            }
            Entry::Optim { key, optimizer } => {
                let duplicate = optim.is_some();
                optim.get_or_insert((key.clone(), optimizer));
                (key, duplicate)
            }
            Entry::Scalar { key, ty } => {
                let duplicate = scalar.is_some();
                scalar.get_or_insert((key.clone(), ty));
                (key, duplicate)
            }
            Entry::Layer(layer) => {
                layer_defs.push(layer);
                continue;
            }
        };
        if duplicate {
            errors.push(
                key.span(),
                format!("network `{}` has two `{key}:` entries; keep one", def.name),
            );
        }
    }

    let input_width = match &input {
        Some((_, width)) => {
            let value = parse_usize(width);
            if value == 0 {
                errors.push(
                    width.span(),
                    "`input` must be at least 1; give the number of features per sample",
                );
            }
            value
        }
        None => {
            errors.push(
                def.name.span(),
                format!(
                    "network `{}` has no `input:` entry; add `input: N` with the number of features per sample",
                    def.name
                ),
            );
            0
        }
    };
    if layer_defs.is_empty() {
        errors.push(
            def.name.span(),
            format!(
                "network `{}` has no layers; add one, as in `output: dense({} -> 1: identity) optim sgd(lr = 0.01)`",
                def.name,
                input_width.max(1)
            ),
        );
    }

    let network_optimizer = optim
        .as_ref()
        .map(|(_, call)| resolve_optimizer(call, &mut errors));

    let scalar = match scalar {
        Some((_, ty)) if ty == "f32" || ty == "f64" => ty,
        Some((_, ty)) => {
            errors.push(
                ty.span(),
                format!("unknown scalar type `{ty}`; use `f32` or `f64`"),
            );
            Ident::new("f32", ty.span())
        }
        None => Ident::new("f32", Span::call_site()),
    };

    let loss = loss.and_then(|(_, call)| {
        resolve(&call, LOSSES, "loss", &mut errors).map(|(variant, _)| variant)
    });

    reject_raw(&def.name, "network name", &mut errors);
    let mut layers = Vec::new();
    let mut width = input_width;
    let mut previous: Option<String> = None;
    let mut layer_names: Vec<String> = Vec::new();
    // Generated type name -> the layer it came from; the network's own
    // struct takes its name first.
    let mut type_names: HashMap<String, String> = HashMap::new();
    type_names.insert(def.name.to_string(), String::new());
    for def_layer in &layer_defs {
        let name = def_layer.name.to_string();
        let raw = reject_raw(&def_layer.name, "layer name", &mut errors);
        if layer_names.contains(&name) {
            errors.push(
                def_layer.name.span(),
                format!("layer name `{name}` is used twice; give each layer its own name"),
            );
        } else if !raw {
            let type_name = layer_type_name(&def.name.to_string(), &name);
            match type_names.get(&type_name) {
                Some(other) if other.is_empty() => errors.push(
                    def_layer.name.span(),
                    format!(
                        "layer `{name}` would generate the type `{type_name}`, which is the network's own name; rename the layer"
                    ),
                ),
                Some(other) => errors.push(
                    def_layer.name.span(),
                    format!(
                        "layers `{other}` and `{name}` would both generate the type `{type_name}`; rename one of them"
                    ),
                ),
                None => {
                    type_names.insert(type_name, name.clone());
                }
            }
        }
        layer_names.push(name.clone());
        if let Some(layer) = validate_layer(
            def_layer,
            width,
            previous.as_deref(),
            network_optimizer.as_ref().and_then(Option::as_ref),
            network_optimizer.is_some(),
            &mut errors,
        ) {
            layers.push(layer);
        }
        // Later layers are checked against the declared sizes even when this
        // layer had errors, so one mistake does not cascade. A width of 0
        // (an overflowing sum) skips the next layer's check.
        width = declared_outputs(def_layer).unwrap_or(0);
        previous = Some(name);
    }

    errors.finish()?;
    Ok(Network {
        attrs: def.attrs,
        vis: def.vis,
        name: def.name,
        scalar,
        input: input_width,
        layers,
        loss,
    })
}

/// Sums the group sizes, or returns `None` if the sum overflows `usize`.
fn declared_outputs(layer: &LayerDef) -> Option<usize> {
    layer
        .groups
        .iter()
        .try_fold(0usize, |sum, g| sum.checked_add(parse_usize(&g.count)))
}

/// Builds the name of the type that `expand` generates for a layer's groups,
/// so `Net` and `hidden_two` give `NetHiddenTwo`.
pub(crate) fn layer_type_name(network: &str, layer: &str) -> String {
    let mut name = network.to_owned();
    for part in layer.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    name
}

/// Reports a raw identifier such as `r#type`, which cannot be used because
/// the generated code builds new identifiers from these names. Returns
/// whether `ident` is raw.
fn reject_raw(ident: &Ident, what: &str, errors: &mut Errors) -> bool {
    let text = ident.to_string();
    let Some(plain) = text.strip_prefix("r#") else {
        return false;
    };
    errors.push(
        ident.span(),
        format!(
            "{what} `{text}` is a raw identifier, which `network!` does not accept; choose a name that is not a Rust keyword, such as `{plain}_`"
        ),
    );
    true
}

fn validate_layer(
    layer: &LayerDef,
    width: usize,
    previous: Option<&str>,
    network_optimizer: Option<&Optimizer>,
    network_has_optimizer: bool,
    errors: &mut Errors,
) -> Option<Layer> {
    let name = &layer.name;
    if layer.kind != "dense" {
        errors.push(
            layer.kind.span(),
            format!(
                "unknown layer kind `{}`; the only layer kind is `dense`",
                layer.kind
            ),
        );
    }
    let inputs = parse_usize(&layer.inputs);
    if inputs != width && width > 0 {
        let source = match previous {
            None => format!("`input` is {width}"),
            Some(previous) => format!("layer `{previous}` produces {width}"),
        };
        errors.push(
            layer.inputs.span(),
            format!(
                "layer `{name}` takes {} but {source}; change `{inputs} ->` to `{width} ->`",
                count(inputs, "input")
            ),
        );
    }

    let layer_optimizer = layer
        .optim
        .as_ref()
        .map(|(_, call)| resolve_optimizer(call, errors));
    let init = layer
        .init
        .as_ref()
        .and_then(|(_, call)| resolve(call, INITS, "initialiser", errors))
        .map(|(variant, settings)| {
            let argument = number(&settings, "bound").or_else(|| number(&settings, "std"));
            (variant, argument)
        });

    let mut groups = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    for group in &layer.groups {
        let optimizer = match (&group.optimizer, &layer_optimizer) {
            (Some(call), _) => resolve_optimizer(call, errors),
            (None, Some(resolved)) => resolved.clone(),
            (None, None) if network_has_optimizer => network_optimizer.cloned(),
            (None, None) => {
                let span = group
                    .name
                    .as_ref()
                    .map_or(group.activation.name.span(), Ident::span);
                errors.push(
                    span,
                    format!(
                        "group `{}` of layer `{name}` has no optimizer; add `@ adam(lr = 1e-3)` to the group, \
                         `optim adam(lr = 1e-3)` to the layer, or a network-wide `optim: adam(lr = 1e-3)`",
                        group_name(group)
                    ),
                );
                None
            }
        };
        let group = validate_group(group, name, optimizer, init, &mut fields, errors);
        if let Some(group) = group {
            groups.push(group);
        }
    }
    let Some(outputs) = declared_outputs(layer) else {
        errors.push(
            name.span(),
            format!("the group sizes of layer `{name}` add up to more than `usize::MAX` neurons; use smaller groups"),
        );
        return None;
    };

    let mut mask_file = None;
    let mask = layer
        .mask
        .as_ref()
        .and_then(|(_, mask)| validate_mask(mask, name, outputs, inputs, &mut mask_file, errors));

    if groups.len() != layer.groups.len() {
        return None;
    }
    Some(Layer {
        name: name.clone(),
        inputs,
        outputs,
        groups,
        mask,
        mask_file,
    })
}

fn group_name(group: &GroupDef) -> String {
    match &group.name {
        Some(name) => name.to_string(),
        None => group.activation.name.to_string(),
    }
}

fn validate_group(
    group: &GroupDef,
    layer: &Ident,
    optimizer: Option<Optimizer>,
    init: Option<(&'static str, Option<f64>)>,
    fields: &mut Vec<String>,
    errors: &mut Errors,
) -> Option<Group> {
    let field_name = group_name(group);
    let raw = group
        .name
        .as_ref()
        .is_some_and(|name| reject_raw(name, "group name", errors));
    let count = parse_usize(&group.count);
    if count == 0 {
        errors.push(
            group.count.span(),
            format!("group `{field_name}` of layer `{layer}` has 0 neurons; give it at least 1 or remove it"),
        );
    }
    let activation = resolve(&group.activation, ACTIVATIONS, "activation", errors).map(
        |(type_name, settings)| Activation {
            type_name,
            alpha: match type_name {
                "LeakyRelu" => Some(number(&settings, "alpha").unwrap_or(0.01)),
                "Elu" => Some(number(&settings, "alpha").unwrap_or(1.0)),
                _ => None,
            },
        },
    );
    if fields.contains(&field_name) {
        let (span, fix) = match &group.name {
            Some(name) => (name.span(), "give each group its own name".to_owned()),
            None => (
                group.activation.name.span(),
                format!(
                    "unnamed groups take their activation's name, so name one, as in `other = {count}: {field_name}`"
                ),
            ),
        };
        errors.push(
            span,
            format!("layer `{layer}` has two groups named `{field_name}`; {fix}"),
        );
    }
    fields.push(field_name.clone());
    // An unknown activation such as `r#relu` is no valid field name either,
    // so the field is built only once everything else has passed.
    let (activation, optimizer) = (activation?, optimizer?);
    if raw {
        return None;
    }
    Some(Group {
        field: Ident::new(
            &field_name,
            group
                .name
                .as_ref()
                .map_or(group.activation.name.span(), Ident::span),
        ),
        outputs: count,
        activation,
        optimizer,
        init,
    })
}

fn validate_mask(
    mask: &MaskDef,
    layer: &Ident,
    outputs: usize,
    inputs: usize,
    mask_file: &mut Option<String>,
    errors: &mut Errors,
) -> Option<MaskPlan> {
    match mask {
        MaskDef::Literal { rows, span } => {
            let matrix = check_literal(rows, *span, layer, outputs, inputs, errors)?;
            Some(MaskPlan::Rows(matrix))
        }
        MaskDef::Pairs { kind, pairs } => {
            let kind_name = kind.to_string();
            if kind_name != "cut" && kind_name != "keep" {
                errors.push(
                    kind.span(),
                    format!(
                        "unknown mask `{kind_name}`{}a list of connections follows `cut` or `keep`",
                        hint(&kind_name, &["cut", "keep"]),
                    ),
                );
                return None;
            }
            let mut resolved = Vec::new();
            let mut ok = true;
            for (output, input) in pairs {
                let (o, i) = (parse_usize(output), parse_usize(input));
                if o >= outputs {
                    ok = false;
                    errors.push(
                        output.span(),
                        format!(
                            "`{kind_name}` output index {o} is out of range for layer `{layer}`, which has {}; use an index in 0..{outputs}",
                            count(outputs, "output")
                        ),
                    );
                }
                if i >= inputs {
                    ok = false;
                    errors.push(
                        input.span(),
                        format!(
                            "`{kind_name}` input index {i} is out of range for layer `{layer}`, which has {}; use an index in 0..{inputs}",
                            count(inputs, "input")
                        ),
                    );
                }
                resolved.push((o, i));
            }
            if !ok {
                return None;
            }
            Some(if kind_name == "cut" {
                MaskPlan::Cut(resolved)
            } else {
                MaskPlan::Keep(resolved)
            })
        }
        MaskDef::File { path, .. } => {
            let (absolute, rows) = read_mask_file(path, errors)?;
            let matrix = check_file_shape(path, rows, layer, outputs, inputs, errors)?;
            *mask_file = Some(absolute);
            Some(MaskPlan::Rows(matrix))
        }
        MaskDef::Call(call) => {
            let name = call.name.to_string();
            if !names(MASK_CALLS).contains(&name.as_str()) {
                errors.push(
                    call.name.span(),
                    format!(
                        "unknown mask `{name}`{}valid masks are {MASK_FORMS}",
                        hint(&name, MASK_KINDS)
                    ),
                );
                return None;
            }
            let (kind, settings) = resolve(call, MASK_CALLS, "mask", errors)?;
            match kind {
                "random" => Some(MaskPlan::Random {
                    density: number(&settings, "density")?,
                    seed: number(&settings, "seed").unwrap_or(0.0) as u64,
                }),
                "block_diagonal" => {
                    let blocks = number(&settings, "blocks")? as usize;
                    if !outputs.is_multiple_of(blocks) || !inputs.is_multiple_of(blocks) {
                        let divisor = greatest_common_divisor(outputs, inputs);
                        let fix = if divisor > 1 {
                            format!("use a common divisor, such as {divisor}")
                        } else {
                            "the sizes have no common divisor above 1, so change them or use another mask".to_owned()
                        };
                        let span = call
                            .args()
                            .iter()
                            .find(|arg| arg.key == "blocks")
                            .map_or(call_span(call), |arg| arg.value.span());
                        errors.push(
                            span,
                            format!(
                                "`block_diagonal(blocks = {blocks})` needs a block count that divides both the {} and the {} of layer `{layer}`; {fix}",
                                count(outputs, "output"),
                                count(inputs, "input"),
                            ),
                        );
                        return None;
                    }
                    Some(MaskPlan::BlockDiagonal { blocks })
                }
                _ => Some(MaskPlan::Banded {
                    width: number(&settings, "width")? as usize,
                }),
            }
        }
    }
}

fn check_literal(
    rows: &[Vec<Value>],
    span: Span,
    layer: &Ident,
    outputs: usize,
    inputs: usize,
    errors: &mut Errors,
) -> Option<Vec<Vec<u8>>> {
    let mut ok = true;
    if rows.len() != outputs {
        ok = false;
        errors.push(
            span,
            format!(
                "mask of layer `{layer}` has {} but the layer has {}; give one row per output neuron",
                count(rows.len(), "row"),
                count(outputs, "output")
            ),
        );
    }
    let mut matrix = Vec::with_capacity(rows.len());
    for (r, row) in rows.iter().enumerate() {
        if row.len() != inputs {
            ok = false;
            let message = format!(
                "mask row {r} of layer `{layer}` has {} but the layer has {}; give one entry per input",
                count(row.len(), "entry"),
                count(inputs, "input")
            );
            match (row.first(), row.last()) {
                (Some(first), Some(last)) => errors.push_range(first.span(), last.span(), message),
                _ => errors.push(span, message),
            }
        }
        let mut bits = Vec::with_capacity(row.len());
        for value in row {
            match value {
                Value::Number { value, .. } if *value == 0.0 || *value == 1.0 => {
                    bits.push(*value as u8)
                }
                other => {
                    ok = false;
                    errors.push(
                        other.span(),
                        format!(
                            "mask entry {} in row {r} of layer `{layer}` is invalid; use 0 to remove a connection and 1 to keep it",
                            show(other)
                        ),
                    );
                }
            }
        }
        matrix.push(bits);
    }
    ok.then_some(matrix)
}

/// One row of a mask file with its 1-based line number.
struct FileRow {
    line: usize,
    bits: Vec<u8>,
}

fn check_file_shape(
    path: &LitStr,
    rows: Vec<FileRow>,
    layer: &Ident,
    outputs: usize,
    inputs: usize,
    errors: &mut Errors,
) -> Option<Vec<Vec<u8>>> {
    let shown = path.value();
    let mut ok = true;
    if rows.len() != outputs {
        ok = false;
        errors.push(
            path.span(),
            format!(
                "mask file `{shown}` has {} but layer `{layer}` has {}; give one row per output neuron",
                count(rows.len(), "row"),
                count(outputs, "output")
            ),
        );
    }
    for row in &rows {
        if row.bits.len() != inputs {
            ok = false;
            errors.push(
                path.span(),
                format!(
                    "line {} of mask file `{shown}` has {} but layer `{layer}` has {}; give one entry per input",
                    row.line,
                    count(row.bits.len(), "entry"),
                    count(inputs, "input")
                ),
            );
        }
    }
    ok.then(|| rows.into_iter().map(|row| row.bits).collect())
}

/// Reads a 0/1 text matrix: one row per line, entries separated by spaces or
/// commas; blank lines and lines starting with `#` are skipped. Returns the
/// absolute path, for rebuilding when the file changes, and the rows.
fn read_mask_file(path: &LitStr, errors: &mut Errors) -> Option<(String, Vec<FileRow>)> {
    // The messages show the path as written: the absolute one depends on
    // where the crate is built, and the user knows their crate root.
    let relative = path.value();
    let root = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    let absolute = root.join(&relative);
    let text = match std::fs::read_to_string(&absolute) {
        Ok(text) => text,
        Err(error) => {
            errors.push(
                path.span(),
                format!(
                    "mask file `{relative}` cannot be read ({error}); the path is relative to the crate root, the directory that contains `Cargo.toml`"
                ),
            );
            return None;
        }
    };
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut bits = Vec::new();
        for entry in line
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
        {
            match entry {
                "0" => bits.push(0),
                "1" => bits.push(1),
                other => {
                    errors.push(
                        path.span(),
                        format!(
                            "mask file `{relative}` has the invalid entry `{other}` on line {}; write 0 or 1, separated by spaces or commas",
                            index + 1
                        ),
                    );
                    return None;
                }
            }
        }
        rows.push(FileRow {
            line: index + 1,
            bits,
        });
    }
    Some((absolute.display().to_string(), rows))
}

fn greatest_common_divisor(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        greatest_common_divisor(b, a % b)
    }
}
