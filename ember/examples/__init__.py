"""Runnable examples.

The tutorial scripts, each named for what it teaches, are the code samples of the seed
documents (Chinese blog notes about PyTorch autograd, in ``shared/seeds/``), in the
documents' order, typos fixed.  Each starts with
``import ember as torch``: replace ``ember`` by ``torch`` and it is the PyTorch program, printing
the same thing.  Run one with ``python -m ember.examples.<name>``, list them with
``python -m ember.examples`` and run them all with ``python -m ember.examples all``.

(The main demo, ``python -m ember.examples.digits``, its DDP form ``ddp_digits`` and ``jvp``
(forward vs reverse mode on the tutorials' Jacobian) live here too but are not seed examples.)
"""

# (module name, seed document, what it shows), in the order of the documents
SEED_EXAMPLES = [
    ("bce_net_graph", "000", "one-layer BCE net: grad_fn, backward, no_grad, detach"),
    ("vector_jacobian_product", "000", "vector-Jacobian product, accumulation, zeroing"),
    ("manual_training", "001", "two-layer net trained by hand with Variable and .data"),
    ("custom_module", "001", "the same net as an nn.Module with a custom forward"),
    ("sequential_adam", "001", "nn.Sequential, nn.MSELoss and optim.Adam"),
    ("gradient_of_square", "002", "y = x**2 at x = 2: the gradient 4, no_grad"),
    ("linear_regression", "002", "nn.Linear regression, MSELoss, one SGD step"),
    ("chain_rule_by_hand", "002", "the three-layer chain-rule walkthrough, by hand vs autograd"),
    ("zero_grad_loop", "002", "a training loop with optimizer.zero_grad()"),
    ("retain_grad_leaves", "003", "retain_grad, grad_fn, is_leaf"),
    ("grad_tensors_higher_order", "003", "autograd.backward with grad_tensors, second derivative"),
    ("accumulation_inplace", "003", "gradient accumulation, requires_grad spread, in-place"),
    ("grad_fn_detach", "004", "the tutorial's one-layer net: grad_fn, backward, detach"),
    ("jacobian_eye", "004", "the tutorial's Jacobian product on eye(5)"),
]

SEED_EXAMPLE_NAMES = [name for name, _, _ in SEED_EXAMPLES]

__all__ = ["SEED_EXAMPLES", "SEED_EXAMPLE_NAMES", "run"]


def run(name):
    """Import the example module ``name`` and run its ``main()``."""
    import importlib

    if name not in SEED_EXAMPLE_NAMES:
        raise ValueError(f"unknown example {name!r}; known: {', '.join(SEED_EXAMPLE_NAMES)}")
    importlib.import_module(f"{__name__}.{name}").main()
