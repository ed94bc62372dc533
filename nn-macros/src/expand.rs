//! Generates the code of a validated network. Cannot fail.
//!
//! For `pub struct Net { input: 10, hidden: dense(10 -> 5: relu, 5: sigmoid), .. }`
//! it writes:
//! - `pub struct NetHidden { pub relu: DenseGroup<f32, Relu, Adam>, pub sigmoid: .. }`,
//!   one struct per layer with one public field per group, and its `GroupSet` impl;
//! - `pub struct Net { pub hidden: Dense<f32, NetHidden>, .. }`;
//! - `Net::INPUT`, `Net::OUTPUT`, `Net::try_new(seed)`, `Net::new(seed)`, `Net::summary()`;
//! - `impl Network<f32> for Net`: forward, backward and step chained layer by layer.
//!
//! All paths start with `::nn::`, so users depend on the facade crate alone.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use crate::model::{Group, Layer, MaskPlan, Network, Optimizer, Setting};

pub fn expand(network: &Network) -> TokenStream {
    let Network {
        attrs,
        vis,
        name,
        scalar,
        input,
        layers,
        loss,
    } = network;
    let layer_types: Vec<Ident> = layers
        .iter()
        .map(|layer| layer_type_name(name, &layer.name))
        .collect();
    let layer_fields: Vec<&Ident> = layers.iter().map(|layer| &layer.name).collect();
    let layer_locals: Vec<Ident> = layers
        .iter()
        .map(|layer| layer_local(&layer.name))
        .collect();
    let layer_docs: Vec<String> = layers
        .iter()
        .map(|layer| {
            format!(
                " Layer `{}`: {} -> {}.",
                layer.name, layer.inputs, layer.outputs
            )
        })
        .collect();
    let group_structs = layers
        .iter()
        .zip(&layer_types)
        .map(|(layer, type_name)| group_struct(network, layer, type_name));
    let constructors = layers
        .iter()
        .enumerate()
        .map(|(index, layer)| construct_layer(network, index, layer));
    let output_width = layers.last().map_or(*input, |layer| layer.outputs);
    let input_width = lit_usize(*input);
    let output_width = lit_usize(output_width);
    let first_layer = layers
        .first()
        .map(|l| l.name.to_string())
        .unwrap_or_default();
    let loss = match loss {
        Some(variant) => {
            let variant = Ident::new(variant, Span::call_site());
            quote!(::core::option::Option::Some(::nn::Loss::#variant))
        }
        None => quote!(::core::option::Option::None),
    };
    let forward = forward_chain(layers);
    let backward = backward_chain(layers);
    // Validation rejects a network without layers; this only guards the indexing.
    let Some(last) = layers.last().map(|layer| &layer.name) else {
        return TokenStream::new();
    };
    let mask_files = layers
        .iter()
        .filter_map(|layer| layer.mask_file.as_ref())
        .map(|path| {
            quote!(
                const _: &[u8] = ::core::include_bytes!(#path);
            )
        });

    quote! {
        #(#attrs)*
        #vis struct #name {
            #(
                #[doc = #layer_docs]
                pub #layer_fields: ::nn::Dense<#scalar, #layer_types>,
            )*
        }

        #(#group_structs)*

        #(#mask_files)*

        impl #name {
            /// Features per input sample.
            pub const INPUT: usize = #input_width;
            /// Values per output sample.
            pub const OUTPUT: usize = #output_width;

            /// Builds the network, drawing every group's weights from `seed`.
            ///
            /// **Errors** only if a runtime check disagrees with the compile-time
            /// validation, which would be a bug in `network!`.
            pub fn try_new(seed: u64) -> ::nn::Result<Self> {
                #(#constructors)*
                ::core::result::Result::Ok(Self { #(#layer_fields: #layer_locals),* })
            }

            /// Builds the network, drawing every group's weights from `seed`.
            ///
            /// **Panics** only where [`try_new`](Self::try_new) would return an
            /// error, which `network!` rules out at compile time.
            pub fn new(seed: u64) -> Self {
                match Self::try_new(seed) {
                    ::core::result::Result::Ok(network) => network,
                    ::core::result::Result::Err(error) => ::core::panic!(
                        "network `{}` passed compile-time validation but failed to build: {}",
                        ::core::stringify!(#name),
                        error
                    ),
                }
            }

            /// A table of every layer and group: neurons, activation, optimizer
            /// and live/total connections.
            pub fn summary(&self) -> ::nn::Summary {
                ::nn::Summary::of::<#scalar, Self>(self)
            }
        }

        impl ::nn::Network<#scalar> for #name {
            fn input_width(&self) -> usize {
                Self::INPUT
            }

            fn output_width(&self) -> usize {
                Self::OUTPUT
            }

            fn loss(&self) -> ::core::option::Option<::nn::Loss> {
                #loss
            }

            fn forward(
                &mut self,
                input: ::nn::ndarray::ArrayView2<'_, #scalar>,
            ) -> ::nn::Result<::nn::ndarray::ArrayView2<'_, #scalar>> {
                ::nn::check_input(#first_layer, Self::INPUT, input)?;
                #forward
            }

            fn output_and_grad(
                &mut self,
            ) -> (
                ::nn::ndarray::ArrayView2<'_, #scalar>,
                ::nn::ndarray::ArrayViewMut2<'_, #scalar>,
            ) {
                self.#last.output_and_delta()
            }

            fn backward(
                &mut self,
                input: ::nn::ndarray::ArrayView2<'_, #scalar>,
            ) -> ::nn::Result<()> {
                #backward
            }

            fn step(&mut self) {
                #(self.#layer_fields.step();)*
            }

            fn visit_layers<V: ::nn::LayerVisitor<#scalar>>(&self, visitor: &mut V) {
                #(visitor.visit_layer(&self.#layer_fields);)*
            }

            fn visit_layers_mut<V: ::nn::LayerVisitorMut<#scalar>>(&mut self, visitor: &mut V) {
                #(visitor.visit_layer_mut(&mut self.#layer_fields);)*
            }
        }
    }
}

/// `Net` + `hidden_two` -> `NetHiddenTwo`.
fn layer_type_name(network: &Ident, layer: &Ident) -> Ident {
    let name = crate::validate::layer_type_name(&network.to_string(), &layer.to_string());
    Ident::new(&name, layer.span())
}

fn group_struct(network: &Network, layer: &Layer, type_name: &Ident) -> TokenStream {
    let vis = &network.vis;
    let scalar = &network.scalar;
    let doc = format!(
        " The groups of layer `{}` of [`{}`], in output order.",
        layer.name, network.name
    );
    let fields: Vec<&Ident> = layer.groups.iter().map(|g| &g.field).collect();
    let types = layer.groups.iter().map(|group| {
        let activation = Ident::new(group.activation.type_name, Span::call_site());
        let optimizer = Ident::new(group.optimizer.type_name, Span::call_site());
        quote_spanned! {group.field.span()=>
            ::nn::DenseGroup<#scalar, ::nn::activation::#activation, ::nn::optim::#optimizer>
        }
    });
    let field_docs = layer.groups.iter().map(|group| {
        let plural = if group.outputs == 1 { "" } else { "s" };
        format!(
            " {} neuron{plural}; activation `{}`, optimizer `{}`.",
            group.outputs, group.activation.type_name, group.optimizer.type_name
        )
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        #vis struct #type_name {
            #(
                #[doc = #field_docs]
                pub #fields: #types,
            )*
        }

        impl ::nn::GroupSet<#scalar> for #type_name {
            fn visit<V: ::nn::GroupVisitor<#scalar>>(&self, visitor: &mut V) {
                #(visitor.visit(&self.#fields);)*
            }

            fn visit_mut<V: ::nn::GroupVisitorMut<#scalar>>(&mut self, visitor: &mut V) {
                #(visitor.visit_mut(&mut self.#fields);)*
            }
        }
    }
}

fn construct_layer(network: &Network, index: usize, layer: &Layer) -> TokenStream {
    let name = &layer.name;
    let local = layer_local(name);
    let name_text = name.to_string();
    let type_name = layer_type_name(&network.name, name);
    let inputs = lit_usize(layer.inputs);
    let index = lit_usize(index);
    let fields = layer.groups.iter().map(|g| &g.field);
    let groups = layer.groups.iter().map(construct_group);
    let mask = layer.mask.as_ref().map(|mask| {
        let mask = mask_expression(mask, layer.outputs, layer.inputs);
        quote!(let #local = #local.with_mask(#mask)?;)
    });
    quote! {
        let #local = ::nn::Dense::new(
            #name_text,
            #inputs,
            #type_name { #(#fields: #groups),* },
            ::nn::derive_seed(seed, #index),
        )?;
        #mask
    }
}

/// The local variable that contains a layer inside `try_new`. The prefix keeps a
/// layer named `seed`, `Ok` or `None` from shadowing what the body uses.
fn layer_local(layer: &Ident) -> Ident {
    format_ident!("layer_{}", layer)
}

fn construct_group(group: &Group) -> TokenStream {
    let outputs = lit_usize(group.outputs);
    let activation_type = Ident::new(group.activation.type_name, Span::call_site());
    let activation = match group.activation.alpha {
        Some(alpha) => {
            let alpha = lit_f64(alpha);
            quote!(::nn::activation::#activation_type { alpha: #alpha })
        }
        None => quote!(::nn::activation::#activation_type),
    };
    let optimizer = optimizer_expression(&group.optimizer);
    let field = group.field.to_string();
    let init = group.init.map(|(variant, argument)| {
        let variant = Ident::new(variant, Span::call_site());
        match argument {
            Some(value) => {
                let value = lit_f64(value);
                quote!(.with_init(::nn::Init::#variant(#value)))
            }
            None => quote!(.with_init(::nn::Init::#variant)),
        }
    });
    quote! {
        ::nn::DenseGroup::new(#outputs, #activation, #optimizer).named(#field) #init
    }
}

fn optimizer_expression(optimizer: &Optimizer) -> TokenStream {
    let type_name = Ident::new(optimizer.type_name, Span::call_site());
    let Some(lr) = optimizer.lr else {
        return quote!(::nn::optim::#type_name);
    };
    let lr = lit_f64(lr);
    if optimizer.settings.is_empty() {
        return quote!(::nn::optim::#type_name::new(#lr));
    }
    let assignments = optimizer.settings.iter().map(|(key, setting)| {
        let key = format_ident!("{}", key);
        let value = match setting {
            Setting::Number(v) => {
                let v = lit_f64(*v);
                quote!(#v)
            }
            Setting::Bool(b) => quote!(#b),
        };
        quote!(optimizer.#key = #value;)
    });
    quote! {{
        let mut optimizer = ::nn::optim::#type_name::new(#lr);
        #(#assignments)*
        optimizer
    }}
}

fn mask_expression(mask: &MaskPlan, outputs: usize, inputs: usize) -> TokenStream {
    let rows = lit_usize(outputs);
    let cols = lit_usize(inputs);
    let pairs = |pairs: &[(usize, usize)]| {
        let items = pairs.iter().map(|&(o, i)| {
            let (o, i) = (lit_usize(o), lit_usize(i));
            quote!((#o, #i))
        });
        quote!(&[#(#items),*])
    };
    match mask {
        MaskPlan::Rows(matrix) => {
            let rows = matrix.iter().map(|row| {
                let bytes = proc_macro2::Literal::byte_string(row);
                quote!(&#bytes[..])
            });
            quote!(::nn::Mask::from_rows(&[#(#rows),*])?)
        }
        MaskPlan::Cut(list) => {
            let list = pairs(list);
            quote!(::nn::Mask::cut(#rows, #cols, #list)?)
        }
        MaskPlan::Keep(list) => {
            let list = pairs(list);
            quote!(::nn::Mask::keep(#rows, #cols, #list)?)
        }
        MaskPlan::Random { density, seed } => {
            let density = lit_f64(*density);
            let seed = Literal::u64_suffixed(*seed);
            quote!(::nn::Mask::random(#rows, #cols, #density, #seed)?)
        }
        MaskPlan::BlockDiagonal { blocks } => {
            let blocks = lit_usize(*blocks);
            quote!(::nn::Mask::block_diagonal(#rows, #cols, #blocks)?)
        }
        MaskPlan::Banded { width } => {
            let width = lit_usize(*width);
            quote!(::nn::Mask::banded(#rows, #cols, #width))
        }
    }
}

fn forward_chain(layers: &[Layer]) -> TokenStream {
    let mut code = TokenStream::new();
    let mut previous = format_ident!("input");
    for (index, layer) in layers.iter().enumerate() {
        let name = &layer.name;
        let output = format_ident!("output_{}", index);
        code.extend(quote!(let #output = self.#name.forward(#previous)?;));
        previous = output;
    }
    code.extend(quote!(::core::result::Result::Ok(#previous)));
    code
}

// Last layer first: layer k writes dL/dy of layer k - 1 into that layer's
// delta buffer, and the first layer computes no input gradient.
fn backward_chain(layers: &[Layer]) -> TokenStream {
    let mut code = TokenStream::new();
    for pair in layers.windows(2).rev() {
        let (before, layer) = (&pair[0].name, &pair[1].name);
        code.extend(quote! {
            {
                let (previous_output, previous_grad) = self.#before.output_and_delta();
                self.#layer.backward(previous_output, ::core::option::Option::Some(previous_grad))?;
            }
        });
    }
    let first = &layers[0].name;
    code.extend(quote!(self.#first.backward(input, ::core::option::Option::None)));
    code
}

fn lit_usize(value: usize) -> Literal {
    Literal::usize_suffixed(value)
}

fn lit_f64(value: f64) -> Literal {
    Literal::f64_suffixed(value)
}
