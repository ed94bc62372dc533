//! Tests of the macro's internals: expansion snapshots and a parser that never panics.
//!
//! The snapshots in `tests/expand/*.expanded.rs` show reviewers exactly what
//! `network!` writes. After an intended change to the generated code, rewrite
//! them with `UPDATE_EXPANDED=1 cargo test -p nn-macros` and review the diff.

use std::path::Path;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use proptest::prelude::*;

use crate::expand_network;

fn expand_file(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let source = std::fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
    let input: TokenStream = source.parse().unwrap();
    let output = expand_network(input);
    let file = syn::parse2::<syn::File>(output.clone())
        .unwrap_or_else(|e| panic!("expansion of {name} is not valid Rust ({e}):\n{output}"));
    prettyplease::unparse(&file)
}

fn check_snapshot(name: &str) {
    let expanded = expand_file(name);
    assert!(
        !expanded.contains("compile_error"),
        "{name} expanded to an error:\n{expanded}"
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expand")
        .join(format!("{name}.expanded.rs"));
    if std::env::var_os("UPDATE_EXPANDED").is_some() {
        std::fs::write(&path, &expanded).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == expanded,
        "expansion of {name} differs from {}; if the change is intended, rerun with UPDATE_EXPANDED=1 and review the diff.\nnew expansion:\n{expanded}",
        path.display()
    );
}

#[test]
fn snapshot_readme_network() {
    check_snapshot("readme");
}

#[test]
fn snapshot_digits_network() {
    check_snapshot("digits");
}

const VALID: &str = "
    /// docs
    pub struct Net {
        input: 4,
        optim: sgd(lr = 0.1),
        a: dense(4 -> x = 2: leaky_relu(alpha = 0.1) @ adam(lr = 1e-3, beta1 = 0.8), 2: softmax)
           mask [[1, 0, 1, 1], [0, 1, 1, 1], [1, 1, 1, 1], [1, 1, 0, 1]] init uniform(bound = 0.1),
        b: dense(4 -> 3: tanh @ rmsprop(lr = 0.01, centered = true)) mask random(density = 0.5, seed = 3),
        c: dense(3 -> 2: identity) optim frozen mask cut [(0, 1)],
        loss: mse,
    }
";

/// A token drawn from the words and symbols of the grammar, so random streams
/// get deep into the parser rather than failing on the first token.
fn token() -> impl Strategy<Value = TokenTree> {
    let words = prop::sample::select(vec![
        "pub", "struct", "Net", "input", "loss", "optim", "scalar", "dense", "mask", "init", "cut",
        "keep", "random", "file", "relu", "adam", "lr", "frozen", "f64", "true", "density", "x",
    ]);
    let puncts = prop::sample::select(vec![':', ',', '-', '>', '=', '@', '#', '!', ';']);
    prop_oneof![
        words.prop_map(|w| TokenTree::Ident(Ident::new(w, Span::call_site()))),
        puncts.prop_map(|c| TokenTree::Punct(Punct::new(c, Spacing::Alone))),
        (0u32..20).prop_map(|n| TokenTree::Literal(Literal::u32_unsuffixed(n))),
        (-2.0f64..2.0).prop_map(|v| TokenTree::Literal(Literal::f64_unsuffixed(v))),
        Just(TokenTree::Literal(Literal::string("missing.txt"))),
    ]
}

fn tree() -> impl Strategy<Value = TokenTree> {
    token().prop_recursive(3, 64, 8, |inner| {
        (
            prop::sample::select(vec![
                Delimiter::Brace,
                Delimiter::Parenthesis,
                Delimiter::Bracket,
            ]),
            prop::collection::vec(inner, 0..8),
        )
            .prop_map(|(delimiter, tokens)| {
                TokenTree::Group(Group::new(delimiter, tokens.into_iter().collect()))
            })
    })
}

proptest! {
    // Each case expands a whole network definition; 512 cases keep the test
    // under a few seconds while reaching every parser branch many times.
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_tokens_never_panic(tokens in prop::collection::vec(tree(), 0..24)) {
        let _ = expand_network(tokens.into_iter().collect());
    }

    #[test]
    fn random_body_never_panics(tokens in prop::collection::vec(tree(), 0..24)) {
        let body: TokenStream = tokens.into_iter().collect();
        let input: TokenStream = quote::quote!(pub struct Net { #body });
        let _ = expand_network(input);
    }
}

/// Flattens a stream into its tokens, descending into groups, so truncation can
/// cut inside brackets too.
fn truncations(stream: TokenStream) -> Vec<TokenStream> {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut result = Vec::new();
    for end in 0..=tokens.len() {
        result.push(tokens[..end].iter().cloned().collect());
    }
    for (index, token) in tokens.iter().enumerate() {
        if let TokenTree::Group(group) = token {
            for inner in truncations(group.stream()) {
                let mut cut: Vec<TokenTree> = tokens[..index].to_vec();
                cut.push(TokenTree::Group(Group::new(group.delimiter(), inner)));
                result.push(cut.into_iter().collect());
            }
        }
    }
    result
}

#[test]
fn truncated_input_never_panics() {
    let input: TokenStream = VALID.parse().unwrap();
    let cases = truncations(input.clone());
    assert!(cases.len() > 100, "only {} truncations", cases.len());
    for case in cases {
        let _ = expand_network(case);
    }
    let full = expand_network(input).to_string();
    assert!(!full.contains("compile_error"), "{full}");
}

#[test]
fn truncated_input_reports_error() {
    let input: TokenStream = VALID.parse().unwrap();
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let cut: TokenStream = tokens[..tokens.len() - 1].iter().cloned().collect();
    let output = expand_network(cut).to_string();
    assert!(output.contains("compile_error"), "{output}");
}
