"""A small layered-graph SVG writer: ember's fallback when Graphviz's ``dot`` is absent.

Nodes are placed in rows by longest path from the sources (so the backward graph reads from
leaves at the top to the output at the bottom), ordered within a row by the mean position of
their predecessors; edges are straight lines with arrowheads.  Iterative throughout.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

_CHAR_W, _LINE_H, _PAD, _ROW_GAP, _COL_GAP = 7.0, 14.0, 8.0, 46.0, 18.0


def _ranks(names, edges):
    preds = {n: [] for n in names}
    succs = {n: [] for n in names}
    indeg = {n: 0 for n in names}
    for a, b in edges:
        if a in preds and b in preds:
            succs[a].append(b)
            preds[b].append(a)
            indeg[b] += 1
    rank = {n: 0 for n in names}
    ready = [n for n in names if indeg[n] == 0]
    seen = 0
    while ready:
        n = ready.pop()
        seen += 1
        for m in succs[n]:
            rank[m] = max(rank[m], rank[n] + 1)
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    return rank, preds


def layered_svg(nodes, edges, title="ember graph"):
    """``nodes``: list of (name, label, fillcolor); ``edges``: list of (tail, head)."""
    names = [n for n, _, _ in nodes]
    info = {n: (label, color) for n, label, color in nodes}
    rank, preds = _ranks(names, edges)
    rows = {}
    for n in names:
        rows.setdefault(rank[n], []).append(n)
    size = {}
    for n in names:
        lines = str(info[n][0]).split("\n")
        size[n] = (max(len(s) for s in lines) * _CHAR_W + 2 * _PAD,
                   len(lines) * _LINE_H + 2 * _PAD)
    pos = {}
    y = 20.0
    width = 0.0
    for r in sorted(rows):
        row = rows[r]
        if r > 0:
            row.sort(key=lambda n: (sum(pos[p][0] for p in preds[n] if p in pos) /
                                    max(1, sum(1 for p in preds[n] if p in pos))))
        x = 20.0
        h = max(size[n][1] for n in row)
        for n in row:
            w = size[n][0]
            pos[n] = (x + w / 2, y + size[n][1] / 2)
            x += w + _COL_GAP
        width = max(width, x)
        y += h + _ROW_GAP
    height = y
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="monospace" font-size="11">',
           f"<title>{escape(title)}</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/>'
           "</marker></defs>"]
    for a, b in edges:
        if a in pos and b in pos:
            (x1, y1), (x2, y2) = pos[a], pos[b]
            y1 += size[a][1] / 2
            y2 -= size[b][1] / 2
            out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                       'stroke="#555" stroke-width="1" marker-end="url(#arrow)"/>')
    for n in names:
        (cx, cy), (w, h) = pos[n], size[n]
        label, color = info[n]
        out.append(f'<rect x="{cx - w / 2:.1f}" y="{cy - h / 2:.1f}" width="{w:.1f}" '
                   f'height="{h:.1f}" rx="3" fill="{escape(color or "lightgrey")}" '
                   'stroke="#333"/>')
        lines = str(label).split("\n")
        for k, line in enumerate(lines):
            ty = cy - h / 2 + _PAD + _LINE_H * (k + 0.8)
            out.append(f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="middle">'
                       f"{escape(line)}</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
