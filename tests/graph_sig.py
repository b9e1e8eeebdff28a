"""The whole backward graph of a tensor as plain data, the same for ember and torch.

``graph_signature(t, leaves)`` walks ``t.grad_fn`` depth first in ``next_functions`` order and
lists every node once: its class name and its edges, each as ``(node number, output_nr)`` or
``None`` for a ``(None, 0)`` edge; an ``AccumulateGrad`` names which of ``leaves`` it feeds.
Two graphs are equal node for node (class names, edge order, ``None`` edges, shared nodes)
exactly when their signatures are equal.
"""
from __future__ import annotations


def graph_signature(t, leaves=()):
    return node_signature(t.grad_fn, leaves)


def node_signature(root, leaves=()):
    """The graph below node ``root`` (see graph_signature)."""
    if root is None:
        return None
    leaf_ids = {id(v): i for i, v in enumerate(leaves)}
    number = {root: 0}
    order = [root]
    rows = []
    k = 0
    while k < len(order):
        node = order[k]
        k += 1
        name = type(node).__name__
        if name == "AccumulateGrad":
            rows.append((name, leaf_ids.get(id(node.variable), "?")))
            continue
        edges = []
        for nxt, nr in node.next_functions:
            if nxt is None:
                edges.append(None)
                continue
            if nxt not in number:
                number[nxt] = len(order)
                order.append(nxt)
            edges.append((number[nxt], nr))
        rows.append((name, tuple(edges)))
    return rows


def format_signature(rows):
    if rows is None:
        return "<no grad_fn>"
    return "\n".join(f"{i}: {name} {edges}" for i, (name, edges) in enumerate(rows))
