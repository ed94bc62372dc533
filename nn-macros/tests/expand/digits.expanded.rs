/// A digits classifier: a random mask, named groups, a frozen group, a
/// network-wide optimizer, hyper-parameters and an explicit initialiser.
pub struct Digits {
    /// Layer `hidden`: 64 -> 80.
    pub hidden: ::nn::Dense<f32, DigitsHidden>,
    /// Layer `output`: 80 -> 10.
    pub output: ::nn::Dense<f32, DigitsOutput>,
}
/// The groups of layer `hidden` of [`Digits`], in output order.
#[derive(Clone, Debug)]
pub struct DigitsHidden {
    /// 48 neurons; activation `Relu`, optimizer `AdamW`.
    pub fast: ::nn::DenseGroup<f32, ::nn::activation::Relu, ::nn::optim::AdamW>,
    /// 24 neurons; activation `Tanh`, optimizer `Sgd`.
    pub tanh: ::nn::DenseGroup<f32, ::nn::activation::Tanh, ::nn::optim::Sgd>,
    /// 8 neurons; activation `Sigmoid`, optimizer `Frozen`.
    pub sigmoid: ::nn::DenseGroup<f32, ::nn::activation::Sigmoid, ::nn::optim::Frozen>,
}
impl ::nn::GroupSet<f32> for DigitsHidden {
    fn visit<V: ::nn::GroupVisitor<f32>>(&self, visitor: &mut V) {
        visitor.visit(&self.fast);
        visitor.visit(&self.tanh);
        visitor.visit(&self.sigmoid);
    }
    fn visit_mut<V: ::nn::GroupVisitorMut<f32>>(&mut self, visitor: &mut V) {
        visitor.visit_mut(&mut self.fast);
        visitor.visit_mut(&mut self.tanh);
        visitor.visit_mut(&mut self.sigmoid);
    }
}
/// The groups of layer `output` of [`Digits`], in output order.
#[derive(Clone, Debug)]
pub struct DigitsOutput {
    /// 10 neurons; activation `Identity`, optimizer `AdamW`.
    pub identity: ::nn::DenseGroup<f32, ::nn::activation::Identity, ::nn::optim::AdamW>,
}
impl ::nn::GroupSet<f32> for DigitsOutput {
    fn visit<V: ::nn::GroupVisitor<f32>>(&self, visitor: &mut V) {
        visitor.visit(&self.identity);
    }
    fn visit_mut<V: ::nn::GroupVisitorMut<f32>>(&mut self, visitor: &mut V) {
        visitor.visit_mut(&mut self.identity);
    }
}
impl Digits {
    /// Features per input sample.
    pub const INPUT: usize = 64usize;
    /// Values per output sample.
    pub const OUTPUT: usize = 10usize;
    /// Builds the network, drawing every group's weights from `seed`.
    ///
    /// **Errors** only if a runtime check disagrees with the compile-time
    /// validation, which would be a bug in `network!`.
    pub fn try_new(seed: u64) -> ::nn::Result<Self> {
        let layer_hidden = ::nn::Dense::new(
            "hidden",
            64usize,
            DigitsHidden {
                fast: ::nn::DenseGroup::new(
                        48usize,
                        ::nn::activation::Relu,
                        {
                            let mut optimizer = ::nn::optim::AdamW::new(0.002f64);
                            optimizer.weight_decay = 0.0001f64;
                            optimizer
                        },
                    )
                    .named("fast")
                    .with_init(::nn::Init::HeNormal),
                tanh: ::nn::DenseGroup::new(
                        24usize,
                        ::nn::activation::Tanh,
                        {
                            let mut optimizer = ::nn::optim::Sgd::new(0.05f64);
                            optimizer.momentum = 0.9f64;
                            optimizer.nesterov = true;
                            optimizer
                        },
                    )
                    .named("tanh")
                    .with_init(::nn::Init::HeNormal),
                sigmoid: ::nn::DenseGroup::new(
                        8usize,
                        ::nn::activation::Sigmoid,
                        ::nn::optim::Frozen,
                    )
                    .named("sigmoid")
                    .with_init(::nn::Init::HeNormal),
            },
            ::nn::derive_seed(seed, 0usize),
        )?;
        let layer_hidden = layer_hidden
            .with_mask(::nn::Mask::random(80usize, 64usize, 0.5f64, 7u64)?)?;
        let layer_output = ::nn::Dense::new(
            "output",
            80usize,
            DigitsOutput {
                identity: ::nn::DenseGroup::new(
                        10usize,
                        ::nn::activation::Identity,
                        {
                            let mut optimizer = ::nn::optim::AdamW::new(0.002f64);
                            optimizer.weight_decay = 0.0001f64;
                            optimizer
                        },
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
                    ::core::stringify!(Digits), error
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
impl ::nn::Network<f32> for Digits {
    fn input_width(&self) -> usize {
        Self::INPUT
    }
    fn output_width(&self) -> usize {
        Self::OUTPUT
    }
    fn loss(&self) -> ::core::option::Option<::nn::Loss> {
        ::core::option::Option::Some(::nn::Loss::SoftmaxCrossEntropy)
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
