/// The network of the README: two layers, one masked with two groups.
pub struct Net {
    /// Layer `hidden`: 10 -> 10.
    pub hidden: ::nn::Dense<f32, NetHidden>,
    /// Layer `output`: 10 -> 1.
    pub output: ::nn::Dense<f32, NetOutput>,
}
/// The groups of layer `hidden` of [`Net`], in output order.
#[derive(Clone, Debug)]
pub struct NetHidden {
    /// 5 neurons; activation `Relu`, optimizer `Adam`.
    pub relu: ::nn::DenseGroup<f32, ::nn::activation::Relu, ::nn::optim::Adam>,
    /// 5 neurons; activation `Sigmoid`, optimizer `Sgd`.
    pub sigmoid: ::nn::DenseGroup<f32, ::nn::activation::Sigmoid, ::nn::optim::Sgd>,
}
impl ::nn::GroupSet<f32> for NetHidden {
    fn visit<V: ::nn::GroupVisitor<f32>>(&self, visitor: &mut V) {
        visitor.visit(&self.relu);
        visitor.visit(&self.sigmoid);
    }
    fn visit_mut<V: ::nn::GroupVisitorMut<f32>>(&mut self, visitor: &mut V) {
        visitor.visit_mut(&mut self.relu);
        visitor.visit_mut(&mut self.sigmoid);
    }
}
/// The groups of layer `output` of [`Net`], in output order.
#[derive(Clone, Debug)]
pub struct NetOutput {
    /// 1 neuron; activation `Identity`, optimizer `Adam`.
    pub identity: ::nn::DenseGroup<f32, ::nn::activation::Identity, ::nn::optim::Adam>,
}
impl ::nn::GroupSet<f32> for NetOutput {
    fn visit<V: ::nn::GroupVisitor<f32>>(&self, visitor: &mut V) {
        visitor.visit(&self.identity);
    }
    fn visit_mut<V: ::nn::GroupVisitorMut<f32>>(&mut self, visitor: &mut V) {
        visitor.visit_mut(&mut self.identity);
    }
}
impl Net {
    /// Features per input sample.
    pub const INPUT: usize = 10usize;
    /// Values per output sample.
    pub const OUTPUT: usize = 1usize;
    /// Builds the network, drawing every group's weights from `seed`.
    ///
    /// **Errors** only if a runtime check disagrees with the compile-time
    /// validation, which would be a bug in `network!`.
    pub fn try_new(seed: u64) -> ::nn::Result<Self> {
        let layer_hidden = ::nn::Dense::new(
            "hidden",
            10usize,
            NetHidden {
                relu: ::nn::DenseGroup::new(
                        5usize,
                        ::nn::activation::Relu,
                        ::nn::optim::Adam::new(0.001f64),
                    )
                    .named("relu"),
                sigmoid: ::nn::DenseGroup::new(
                        5usize,
                        ::nn::activation::Sigmoid,
                        ::nn::optim::Sgd::new(0.01f64),
                    )
                    .named("sigmoid"),
            },
            ::nn::derive_seed(seed, 0usize),
        )?;
        let layer_hidden = layer_hidden
            .with_mask(
                ::nn::Mask::cut(10usize, 10usize, &[(0usize, 3usize), (4usize, 9usize)])?,
            )?;
        let layer_output = ::nn::Dense::new(
            "output",
            10usize,
            NetOutput {
                identity: ::nn::DenseGroup::new(
                        1usize,
                        ::nn::activation::Identity,
                        ::nn::optim::Adam::new(0.001f64),
                    )
                    .named("identity"),
            },
            ::nn::derive_seed(seed, 1usize),
        )?;
        ::core::result::Result::Ok(Self {
            hidden: layer_hidden,
            output: layer_output,
        })
    }
    /// Builds the network, drawing every group's weights from `seed`.
    ///
    /// **Panics** only where [`try_new`](Self::try_new) would return an
    /// error, which `network!` rules out at compile time.
    pub fn new(seed: u64) -> Self {
        match Self::try_new(seed) {
            ::core::result::Result::Ok(network) => network,
            ::core::result::Result::Err(error) => {
                ::core::panic!(
                    "network `{}` passed compile-time validation but failed to build: {}",
                    ::core::stringify!(Net), error
                )
            }
        }
    }
    /// A table of every layer and group: neurons, activation, optimizer
    /// and live/total connections.
    pub fn summary(&self) -> ::nn::Summary {
        ::nn::Summary::of::<f32, Self>(self)
    }
}
impl ::nn::Network<f32> for Net {
    fn input_width(&self) -> usize {
        Self::INPUT
    }
    fn output_width(&self) -> usize {
        Self::OUTPUT
    }
    fn loss(&self) -> ::core::option::Option<::nn::Loss> {
        ::core::option::Option::Some(::nn::Loss::Mse)
    }
    fn forward(
        &mut self,
        input: ::nn::ndarray::ArrayView2<'_, f32>,
    ) -> ::nn::Result<::nn::ndarray::ArrayView2<'_, f32>> {
        ::nn::check_input("hidden", Self::INPUT, input)?;
        let output_0 = self.hidden.forward(input)?;
        let output_1 = self.output.forward(output_0)?;
        ::core::result::Result::Ok(output_1)
    }
    fn output_and_grad(
        &mut self,
    ) -> (::nn::ndarray::ArrayView2<'_, f32>, ::nn::ndarray::ArrayViewMut2<'_, f32>) {
        self.output.output_and_delta()
    }
    fn backward(
        &mut self,
        input: ::nn::ndarray::ArrayView2<'_, f32>,
    ) -> ::nn::Result<()> {
        {
            let (previous_output, previous_grad) = self.hidden.output_and_delta();
            self.output
                .backward(previous_output, ::core::option::Option::Some(previous_grad))?;
        }
        self.hidden.backward(input, ::core::option::Option::None)
    }
    fn step(&mut self) {
        self.hidden.step();
        self.output.step();
    }
    fn visit_layers<V: ::nn::LayerVisitor<f32>>(&self, visitor: &mut V) {
        visitor.visit_layer(&self.hidden);
        visitor.visit_layer(&self.output);
    }
    fn visit_layers_mut<V: ::nn::LayerVisitorMut<f32>>(&mut self, visitor: &mut V) {
        visitor.visit_layer_mut(&mut self.hidden);
        visitor.visit_layer_mut(&mut self.output);
    }
}
