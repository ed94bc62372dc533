//! Parses the tokens of `network!` into the syntax tree of [`crate::ast`].
//!
//! Grammar (`?` optional, `*` repeated, `|` alternatives):
//!
//! ```text
//! network   := ATTR* VIS "struct" IDENT "{" entry ("," entry)* ","? "}"
//! entry     := "input" ":" INT
//!            | "loss" ":" call
//!            | "optim" ":" call
//!            | "scalar" ":" ("f32" | "f64")
//!            | IDENT ":" IDENT "(" INT "->" group ("," group)* ","? ")" clause*
//! group     := (IDENT "=")? INT ":" call ("@" call)?
//! clause    := "mask" mask | "optim" call | "init" call
//! mask      := "[" "[" NUM,* "]",* "]"
//!            | IDENT "[" ("(" INT "," INT ")"),* "]"       (cut, keep)
//!            | "file" "(" STRING ")"
//!            | call                                      (random, block_diagonal, banded)
//! call      := IDENT ("(" (IDENT "=" value),* ")")?
//! value     := "-"? (INT | FLOAT) | "true" | "false" | STRING
//! ```
//!
//! The parser checks only the shape of the input. Names, sizes and ranges are
//! checked by [`crate::validate`], which reports all of its errors at once.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{bracketed, parenthesized, Attribute, Ident, Lit, LitInt, LitStr, Token, Visibility};

use crate::ast::{Arg, Call, Entry, GroupDef, LayerDef, MaskDef, NetworkDef, Value};

impl Parse for NetworkDef {
    // ATTR* VIS struct IDENT { entry, ... }
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        if !input.peek(Token![struct]) {
            return Err(
                input.error("expected `struct`, as in `network! { pub struct Net { ... } }`")
            );
        }
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        if input.peek(Token![<]) {
            return Err(input.error(format!(
                "a network takes no generic parameters; choose the element type with `scalar: f64` inside `{name} {{ ... }}`"
            )));
        }
        if !input.peek(syn::token::Brace) {
            return Err(input.error(format!(
                "expected `{{` after `{name}`, as in `struct {name} {{ input: 10, ... }}`"
            )));
        }
        let body;
        syn::braced!(body in input);
        let mut entries = Vec::new();
        while !body.is_empty() {
            entries.push(body.parse()?);
            if body.is_empty() {
                break;
            }
            if !body.peek(Token![,]) {
                return Err(body.error("expected `,` between entries"));
            }
            body.parse::<Token![,]>()?;
        }
        if !input.is_empty() {
            let rest: proc_macro2::TokenStream = input.parse()?;
            return Err(syn::Error::new_spanned(
                rest,
                "unexpected tokens after the network definition; `network!` defines one network, so move them out of the macro",
            ));
        }
        Ok(Self {
            attrs,
            vis,
            name,
            entries,
        })
    }
}

/// Entry names that are not layers.
const RESERVED: &[&str] = &["input", "loss", "optim", "scalar"];

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected an entry name: `input`, `loss`, `optim`, `scalar` or a layer name",
            )
        })?;
        if !input.peek(Token![:]) {
            return Err(input.error(format!("expected `:` after `{key}`")));
        }
        input.parse::<Token![:]>()?;
        let name = key.to_string();
        if RESERVED.contains(&name.as_str()) && input.peek(Ident) && input.peek2(syn::token::Paren)
        {
            let kind: Ident = input.fork().parse()?;
            if kind == "dense" {
                return Err(syn::Error::new(
                    key.span(),
                    format!(
                        "`{name}` is reserved for the network's `{name}:` entry and cannot be a layer name; rename the layer, as in `{name}_layer: dense(...)`"
                    ),
                ));
            }
        }
        match name.as_str() {
            // input: INT
            "input" => Ok(Entry::Input {
                width: parse_int(input, "the input width", "input: 64")?,
                key,
            }),
            // loss: NAME
            "loss" => Ok(Entry::Loss {
                loss: parse_named_call(input, "a loss name, as in `loss: mse`")?,
                key,
            }),
            // optim: NAME(key = value, ...)
            "optim" => Ok(Entry::Optim {
                optimizer: parse_named_call(input, "an optimizer, as in `optim: adam(lr = 1e-3)`")?,
                key,
            }),
            // scalar: f32 | f64
            "scalar" => Ok(Entry::Scalar {
                ty: input.parse().map_err(|e| {
                    syn::Error::new(e.span(), "expected `f32` or `f64`, as in `scalar: f64`")
                })?,
                key,
            }),
            // NAME: KIND(IN -> GROUP, ...) CLAUSE*
            _ => parse_layer(key, input).map(|layer| Entry::Layer(Box::new(layer))),
        }
    }
}

fn parse_layer(name: Ident, input: ParseStream) -> syn::Result<LayerDef> {
    let kind: Ident = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected a layer kind, as in `dense(10 -> 5: relu)`",
        )
    })?;
    if !input.peek(syn::token::Paren) {
        return Err(input.error(format!(
            "expected `(` after `{kind}`, as in `{kind}(10 -> 5: relu)`"
        )));
    }
    let body;
    parenthesized!(body in input);
    let inputs = parse_int(&body, "the layer's input count", "dense(10 -> 5: relu)")?;
    if !body.peek(Token![->]) {
        return Err(body.error("expected `->` after the input count, as in `dense(10 -> 5: relu)`"));
    }
    body.parse::<Token![->]>()?;
    let mut groups = Vec::new();
    loop {
        groups.push(parse_group(&body)?);
        if body.is_empty() {
            break;
        }
        if !body.peek(Token![,]) {
            return Err(body.error("expected `,` between groups"));
        }
        body.parse::<Token![,]>()?;
        if body.is_empty() {
            break;
        }
    }

    let mut layer = LayerDef {
        name,
        kind,
        inputs,
        groups,
        mask: None,
        optim: None,
        init: None,
    };
    // CLAUSE* until the `,` that ends the entry.
    while !input.is_empty() && !input.peek(Token![,]) {
        let keyword: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `,` or a layer clause: `mask`, `optim` or `init`",
            )
        })?;
        let duplicate = || {
            syn::Error::new(
                keyword.span(),
                format!(
                    "layer `{}` has two `{keyword}` clauses; keep one",
                    layer.name
                ),
            )
        };
        match keyword.to_string().as_str() {
            "mask" => {
                if layer.mask.is_some() {
                    return Err(duplicate());
                }
                layer.mask = Some((keyword.clone(), parse_mask(input)?));
            }
            "optim" => {
                if layer.optim.is_some() {
                    return Err(duplicate());
                }
                layer.optim = Some((keyword.clone(), input.parse()?));
            }
            "init" => {
                if layer.init.is_some() {
                    return Err(duplicate());
                }
                layer.init = Some((keyword.clone(), input.parse()?));
            }
            other if input.peek(Token![:]) => {
                // `NAME:` starts the next entry, so the `,` before it is missing.
                return Err(syn::Error::new(
                    keyword.span(),
                    format!(
                        "expected `,` after layer `{}` before the entry `{other}:`; separate entries with commas",
                        layer.name
                    ),
                ));
            }
            other => {
                let hint = crate::suggest::did_you_mean(other, &["mask", "optim", "init"]);
                let separator = if hint.is_empty() { ";" } else { "" };
                return Err(syn::Error::new(
                    keyword.span(),
                    format!(
                        "unknown layer clause `{other}`{hint}{separator} a layer is followed by `,` or by the clauses `mask`, `optim` and `init`"
                    ),
                ));
            }
        }
    }
    Ok(layer)
}

// [NAME =] COUNT: ACTIVATION [@ OPTIMIZER]
fn parse_group(input: ParseStream) -> syn::Result<GroupDef> {
    let name = if input.peek(Ident) && input.peek2(Token![=]) {
        let name: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        Some(name)
    } else {
        None
    };
    let count = parse_int(input, "a neuron count", "5: relu")?;
    if !input.peek(Token![:]) {
        return Err(
            input.error("expected `:` and an activation after the neuron count, as in `5: relu`")
        );
    }
    input.parse::<Token![:]>()?;
    let activation: Call = input.parse()?;
    let optimizer = if input.peek(Token![@]) {
        input.parse::<Token![@]>()?;
        Some(input.parse()?)
    } else {
        None
    };
    Ok(GroupDef {
        name,
        count,
        activation,
        optimizer,
    })
}

fn parse_mask(input: ParseStream) -> syn::Result<MaskDef> {
    // [[1, 0, ...], ...]
    if input.peek(syn::token::Bracket) {
        let outer;
        let bracket = bracketed!(outer in input);
        let mut rows = Vec::new();
        while !outer.is_empty() {
            if !outer.peek(syn::token::Bracket) {
                return Err(outer.error("expected a row `[1, 0, ...]` of the mask matrix"));
            }
            let inner;
            bracketed!(inner in outer);
            let mut row = Vec::new();
            while !inner.is_empty() {
                row.push(parse_value(&inner)?);
                if inner.is_empty() {
                    break;
                }
                inner.parse::<Token![,]>()?;
            }
            rows.push(row);
            if outer.is_empty() {
                break;
            }
            outer.parse::<Token![,]>()?;
        }
        return Ok(MaskDef::Literal {
            rows,
            span: bracket.span.join(),
        });
    }
    let name: Ident = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected a mask: `[[...]]`, `cut [...]`, `keep [...]`, `random(...)`, `block_diagonal(...)`, `banded(...)` or `file(\"...\")`",
        )
    })?;
    // cut [(out, in), ...] | keep [(out, in), ...]
    if input.peek(syn::token::Bracket) {
        let list;
        bracketed!(list in input);
        let mut pairs = Vec::new();
        while !list.is_empty() {
            if !list.peek(syn::token::Paren) {
                return Err(list.error("expected a connection `(output, input)`"));
            }
            let pair;
            parenthesized!(pair in list);
            let output = parse_int(&pair, "an output index", "(0, 3)")?;
            pair.parse::<Token![,]>()?;
            let input_index = parse_int(&pair, "an input index", "(0, 3)")?;
            if !pair.is_empty() {
                return Err(pair.error(
                    "expected `)` after the input index; a connection is a pair `(output, input)`",
                ));
            }
            pairs.push((output, input_index));
            if list.is_empty() {
                break;
            }
            list.parse::<Token![,]>()?;
        }
        return Ok(MaskDef::Pairs { kind: name, pairs });
    }
    if name == "cut" || name == "keep" {
        return Err(input.error(format!(
            "expected a list of connections after `{name}`, as in `{name} [(0, 3), (4, 9)]`"
        )));
    }
    // file("path")
    if name == "file" {
        if !input.peek(syn::token::Paren) {
            return Err(input.error(
                "expected a path in parentheses after `file`, as in `file(\"masks/hidden.txt\")`",
            ));
        }
        let body;
        parenthesized!(body in input);
        let path: LitStr = body.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a path string, as in `file(\"masks/hidden.txt\")`",
            )
        })?;
        if !body.is_empty() {
            return Err(body.error("expected `)` after the path"));
        }
        return Ok(MaskDef::File { path });
    }
    // random(density = f, seed = n) | block_diagonal(blocks = n) | banded(width = n)
    Ok(MaskDef::Call(parse_call_after(name, input)?))
}

/// Parses a call, with `expected` as the message when no name comes first.
fn parse_named_call(input: ParseStream, expected: &str) -> syn::Result<Call> {
    if !input.peek(Ident) {
        let span = input
            .fork()
            .parse::<proc_macro2::TokenTree>()
            .map_or_else(|_| input.span(), |t| t.span());
        return Err(syn::Error::new(span, format!("expected {expected}")));
    }
    input.parse()
}

impl Parse for Call {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a name, as in `relu` or `adam(lr = 1e-3)`",
            )
        })?;
        parse_call_after(name, input)
    }
}

// NAME | NAME(key = value, ...)
fn parse_call_after(name: Ident, input: ParseStream) -> syn::Result<Call> {
    if !input.peek(syn::token::Paren) {
        return Ok(Call { name, args: None });
    }
    let body;
    let paren = parenthesized!(body in input);
    let mut args = Vec::new();
    while !body.is_empty() {
        if !(body.peek(Ident) && body.peek2(Token![=])) {
            let found = body
                .fork()
                .parse::<proc_macro2::TokenTree>()
                .map(|t| t.to_string())
                .unwrap_or_default();
            let fix = match crate::validate::example_call(&name.to_string()) {
                Some(example) => format!("arguments are named, as in `{example}`"),
                None => "arguments are named, as in `name = value`".to_owned(),
            };
            return Err(body.error(format!("expected `name = value`, found `{found}`; {fix}")));
        }
        let key: Ident = body.parse()?;
        body.parse::<Token![=]>()?;
        let value = parse_value(&body)?;
        args.push(Arg { key, value });
        if body.is_empty() {
            break;
        }
        if !body.peek(Token![,]) {
            return Err(body.error("expected `,` between arguments"));
        }
        body.parse::<Token![,]>()?;
    }
    Ok(Call {
        name,
        args: Some((paren.span.join(), args)),
    })
}

// -? (INT | FLOAT) | true | false | STRING
fn parse_value(input: ParseStream) -> syn::Result<Value> {
    let negative = if input.peek(Token![-]) {
        Some(input.parse::<Token![-]>()?.span)
    } else {
        None
    };
    let lit: Lit = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), "expected a number, `true`, `false` or a string"))?;
    let sign = if negative.is_some() { -1.0 } else { 1.0 };
    let span = negative
        .and_then(|minus| minus.join(lit.span()))
        .unwrap_or_else(|| lit.span());
    match lit {
        Lit::Int(int) => {
            // Values are stored as `f64`, which represents every integer up to
            // 2^53 exactly, so a larger seed would otherwise change without notice.
            const MAX_EXACT: u64 = 1 << 53;
            // A `macro_rules!` caller may pass `-1` as one literal, whose sign
            // `base10_parse` keeps, so only the magnitude is checked here.
            let magnitude = int.base10_digits().trim_start_matches('-');
            if magnitude.parse::<u64>().map_or(true, |v| v > MAX_EXACT) {
                return Err(syn::Error::new(
                    int.span(),
                    format!("integer `{int}` is larger than 2^53 = {MAX_EXACT}, the largest argument that `network!` stores exactly; use a smaller value"),
                ));
            }
            let value: f64 = int.base10_parse()?;
            Ok(Value::Number {
                value: sign * value,
                integer: true,
                span,
            })
        }
        Lit::Float(float) => {
            let value: f64 = float.base10_parse()?;
            Ok(Value::Number {
                value: sign * value,
                integer: false,
                span,
            })
        }
        Lit::Bool(b) if negative.is_none() => Ok(Value::Bool {
            value: b.value,
            span: b.span,
        }),
        Lit::Str(s) if negative.is_none() => Ok(Value::Str(s)),
        other => Err(syn::Error::new(
            other.span(),
            "expected a number, `true`, `false` or a string",
        )),
    }
}

/// Parses a size or index that fits in `usize`; `example` shows it in context.
fn parse_int(input: ParseStream, what: &str, example: &str) -> syn::Result<LitInt> {
    if input.peek(LitInt) {
        let int: LitInt = input.parse()?;
        // syn reads `-1` as one negative literal.
        if int.base10_digits().starts_with('-') {
            return Err(syn::Error::new(
                int.span(),
                format!(
                    "expected {what}, a non-negative integer, as in `{example}`, found `{int}`"
                ),
            ));
        }
        int.base10_parse::<usize>().map_err(|_| {
            syn::Error::new(
                int.span(),
                format!("{what} `{int}` is larger than `usize::MAX`; use a smaller number"),
            )
        })?;
        Ok(int)
    } else {
        let span = input
            .fork()
            .parse::<proc_macro2::TokenTree>()
            .map_or_else(|_| input.span(), |t| t.span());
        Err(syn::Error::new(
            span,
            format!("expected {what}, a non-negative integer, as in `{example}`"),
        ))
    }
}

/// The span of a whole call, for errors about it.
pub fn call_span(call: &Call) -> Span {
    match &call.args {
        Some((parens, _)) => call.name.span().join(*parens).unwrap_or(call.name.span()),
        None => call.name.span(),
    }
}
