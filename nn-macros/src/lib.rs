//! The `network!` macro of `nn`. Use it through the `nn` crate, which
//! re-exports it with the runtime that its generated code names.
//!
//! The work runs in three steps: `parse` reads tokens into the `ast`,
//! `validate` checks everything and resolves the `model`, and `expand`
//! writes the code.

mod ast;
mod expand;
mod model;
mod parse;
mod suggest;
mod validate;

use proc_macro::TokenStream;

/// Defines a network of grouped dense layers, checked at compile time.
///
/// See the `nn` crate's documentation for the grammar and examples.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    expand_network(input.into()).into()
}

/// Parses, validates and expands; on error returns `compile_error!`s (plus a
/// stub struct so that uses of the network do not add follow-on errors).
fn expand_network(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let definition: ast::NetworkDef = match syn::parse2(input) {
        Ok(definition) => definition,
        Err(error) => return error.to_compile_error(),
    };
    let stub = stub(&definition);
    match validate::validate(definition) {
        Ok(network) => expand::expand(&network),
        Err(error) => {
            let errors = error.to_compile_error();
            quote::quote!(#errors #stub)
        }
    }
}

/// Builds a struct with the network's name and its inherent API. The bodies
/// never run, because the crate does not compile, but the user's own uses of
/// the network then resolve and add no errors of their own.
fn stub(definition: &ast::NetworkDef) -> proc_macro2::TokenStream {
    let vis = &definition.vis;
    let name = &definition.name;
    quote::quote! {
        #vis struct #name;

        #[allow(dead_code, unused_variables)]
        impl #name {
            pub const INPUT: usize = 0;
            pub const OUTPUT: usize = 0;
            pub fn try_new(seed: u64) -> ::nn::Result<Self> {
                ::core::unimplemented!()
            }
            pub fn new(seed: u64) -> Self {
                ::core::unimplemented!()
            }
            pub fn summary(&self) -> ::nn::Summary {
                ::core::unimplemented!()
            }
        }
    }
}

#[cfg(test)]
mod tests;
