"""Write PyTorch reference values for nn-core's golden tests.

Builds `6 -> hidden(3 relu | 2 tanh | 2 sigmoid, masked) -> output(4 identity)`
in float64, each group a row slice of one nn.Linear, and records the forward
output, the losses, every gradient, and the parameters after 3 steps of SGD
with momentum and after 3 steps of Adam. The output is deterministic for a
given torch version, which the JSON records.

Run from the repository root:
    /tmp/peers-venv/bin/python scripts/golden/generate.py
"""

import json
import pathlib

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import prune

SEED = 0
BATCH = 5
INPUTS = 6
# (activation, outputs) of the hidden layer's groups, in row order.
HIDDEN_GROUPS = [("relu", 3), ("tanh", 2), ("sigmoid", 2)]
OUTPUTS = 4
# Rows are hidden outputs, columns are inputs, as in PyTorch's `weight_mask`.
# Every group loses some connections, and the last row keeps all of them.
HIDDEN_MASK = [
    [1, 0, 1, 1, 0, 1],
    [0, 1, 1, 0, 1, 1],
    [1, 1, 0, 1, 1, 0],
    [1, 1, 1, 0, 0, 1],
    [0, 1, 0, 1, 1, 1],
    [1, 0, 1, 0, 1, 0],
    [1, 1, 1, 1, 1, 1],
]
STEPS = 3
SGD = {"lr": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 1e-2}
ADAM = {"lr": 1e-2, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0}

OUTPUT_FILE = (
    pathlib.Path(__file__).resolve().parents[2]
    / "nn-core"
    / "tests"
    / "golden"
    / "grouped_masked.json"
)

ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


class GroupedNet(nn.Module):
    """Two nn.Linear layers; the hidden one applies one activation per row slice."""

    def __init__(self):
        super().__init__()
        hidden_outputs = sum(size for _, size in HIDDEN_GROUPS)
        self.hidden = nn.Linear(INPUTS, hidden_outputs, dtype=torch.float64)
        self.output = nn.Linear(hidden_outputs, OUTPUTS, dtype=torch.float64)

    def forward(self, x):
        z = self.hidden(x)
        blocks = []
        start = 0
        for activation, size in HIDDEN_GROUPS:
            blocks.append(ACTIVATIONS[activation](z[:, start : start + size]))
            start += size
        return self.output(torch.cat(blocks, dim=1))


def build_network(initial, mask):
    """Build a network from the state dict `initial`, pruning its hidden layer by `mask`."""
    net = GroupedNet()
    net.load_state_dict(initial)
    # custom_from_mask turns `weight` into `weight_orig * weight_mask` before every
    # forward, so `weight_orig` receives the masked gradient, as nn-core's does.
    prune.custom_from_mask(net.hidden, "weight", mask)
    return net


def masked(weight, mask):
    """Return `weight` with removed connections at +0.0 (`weight * mask` can give -0.0)."""
    return torch.where(mask != 0, weight, torch.zeros_like(weight))


def effective_parameters(net):
    """Return each layer's weight as the forward pass uses it, and its bias."""
    return {
        "hidden": {
            "weight": masked(net.hidden.weight_orig, net.hidden.weight_mask).tolist(),
            "bias": net.hidden.bias.tolist(),
        },
        "output": {
            "weight": net.output.weight.tolist(),
            "bias": net.output.bias.tolist(),
        },
    }


def gradients(net):
    """Return the gradient of every trained parameter, in nn.Linear layout."""
    return {
        "hidden": {
            "weight": net.hidden.weight_orig.grad.tolist(),
            "bias": net.hidden.bias.grad.tolist(),
        },
        "output": {
            "weight": net.output.weight.grad.tolist(),
            "bias": net.output.bias.grad.tolist(),
        },
    }


def loss_and_gradients(initial, mask, inputs, loss_fn):
    """Return the output, the loss and the gradients of one forward/backward pass."""
    net = build_network(initial, mask)
    output = net(inputs)
    loss = loss_fn(output)
    loss.backward()
    return {"output": output.tolist(), "loss": loss.item(), "grad": gradients(net)}


def train(initial, mask, inputs, classes, make_optimizer):
    """Take STEPS optimizer steps on the cross-entropy of one batch.

    Returns the loss before each step and the parameters after the last one.
    """
    net = build_network(initial, mask)
    optimizer = make_optimizer(net.parameters())
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = F.cross_entropy(net(inputs), classes)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    # weight_orig starts at 0 at removed connections and its gradient is 0 there,
    # so weight decay and momentum must leave it at 0.
    removed = net.hidden.weight_mask == 0
    assert torch.all(net.hidden.weight_orig[removed] == 0), "removed weight moved"
    return {"losses": losses, "params": effective_parameters(net)}


def check_gradients_away_from_zero(grad, mask):
    """Raise unless every gradient entry is exactly 0 or clearly away from it.

    Adam divides by the gradient's magnitude, so an entry that is 0 up to rounding
    would give an update whose sign depends on the summation order.
    """
    for layer, params in grad.items():
        for name, values in params.items():
            flat = torch.tensor(values).flatten()
            tiny = (flat != 0) & (flat.abs() < 1e-6)
            assert not torch.any(tiny), f"{layer}.{name} has a gradient near 0: {flat}"
    hidden = torch.tensor(grad["hidden"]["weight"])
    assert torch.all(hidden[mask == 0] == 0), "gradient at a removed connection"


def format_json(value, indent=0):
    """Format `value` as JSON with one matrix row per line, to keep diffs readable."""
    pad = " " * indent
    if isinstance(value, dict):
        items = [
            f'{pad}  "{key}": {format_json(item, indent + 2)}'
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value and isinstance(value[0], list):
        rows = [f"{pad}  {json.dumps(row)}" for row in value]
        return "[\n" + ",\n".join(rows) + f"\n{pad}]"
    return json.dumps(value)


def main():
    torch.manual_seed(SEED)
    # One thread fixes the summation order of the matrix products.
    torch.set_num_threads(1)

    initial_net = GroupedNet()
    mask = torch.tensor(HIDDEN_MASK, dtype=torch.float64)
    with torch.no_grad():
        initial_net.hidden.weight.copy_(masked(initial_net.hidden.weight, mask))
    initial = {key: value.clone() for key, value in initial_net.state_dict().items()}

    inputs = torch.randn(BATCH, INPUTS, dtype=torch.float64)
    classes = torch.randint(0, OUTPUTS, (BATCH,))
    values = torch.randn(BATCH, OUTPUTS, dtype=torch.float64)

    cross_entropy = loss_and_gradients(
        initial, mask, inputs, lambda output: F.cross_entropy(output, classes)
    )
    mse = loss_and_gradients(
        initial, mask, inputs, lambda output: F.mse_loss(output, values)
    )
    check_gradients_away_from_zero(cross_entropy["grad"], mask)
    check_gradients_away_from_zero(mse["grad"], mask)
    # Both passes see the same network and batch, so the file keeps one output.
    output = cross_entropy.pop("output")
    assert mse.pop("output") == output, "the two forward passes differ"

    sgd = train(
        initial,
        mask,
        inputs,
        classes,
        lambda params: torch.optim.SGD(
            params,
            lr=SGD["lr"],
            momentum=SGD["momentum"],
            nesterov=SGD["nesterov"],
            weight_decay=SGD["weight_decay"],
        ),
    )
    adam = train(
        initial,
        mask,
        inputs,
        classes,
        lambda params: torch.optim.Adam(
            params,
            lr=ADAM["lr"],
            betas=tuple(ADAM["betas"]),
            eps=ADAM["eps"],
            weight_decay=ADAM["weight_decay"],
        ),
    )

    golden = {
        "torch_version": torch.__version__,
        "dtype": "float64",
        "seed": SEED,
        "hidden_groups": [
            {"activation": activation, "outputs": size}
            for activation, size in HIDDEN_GROUPS
        ],
        "mask": HIDDEN_MASK,
        "inputs": inputs.tolist(),
        "classes": classes.tolist(),
        "values": values.tolist(),
        "initial": {
            "hidden": {
                "weight": initial["hidden.weight"].tolist(),
                "bias": initial["hidden.bias"].tolist(),
            },
            "output": {
                "weight": initial["output.weight"].tolist(),
                "bias": initial["output.bias"].tolist(),
            },
        },
        "output": output,
        "cross_entropy": cross_entropy,
        "mse": mse,
        "sgd": {"config": SGD, "steps": STEPS, **sgd},
        "adam": {"config": ADAM, "steps": STEPS, **adam},
    }
    OUTPUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT_FILE.write_text(format_json(golden) + "\n")
    print(f"wrote {OUTPUT_FILE} ({OUTPUT_FILE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
