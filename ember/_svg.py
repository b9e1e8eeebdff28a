"""A small layered-graph SVG writer: ember's fallback when Graphviz's ``dot`` is absent.

It draws what ``dot -Tsvg`` draws for ``make_dot``'s graphs, in the same units (points), font
(monospace 10), box sizes, colours (Graphviz's X11 names such as ``darkolivegreen1``, which SVG
does not know, are translated) and arrowheads, with a simplified version of dot's layout
(Sugiyama's method, all of it iterative):

1. ranks: longest path from the sources, then each node slides within the room its edges
   leave towards the side where it has more edges (ties slide down), so a leaf and its
   ``AccumulateGrad`` sit just above the node that uses them and saved tensors just below
   theirs (what dot's network simplex gives on these graphs);
2. edges spanning several ranks get a virtual node on each rank in between, so that they are
   routed between boxes instead of through them;
3. order within ranks: barycenter sweeps down and up, keeping the order with fewest crossings;
4. x positions: each node pulled towards its neighbours' mean (edges between virtual nodes
   pull hardest, to keep long edges straight), the minimum separations kept exactly by an
   isotonic (pool-adjacent-violators) fit per rank;
5. edges: clipped at the boxes' borders, smooth curves through their virtual nodes, a filled
   arrowhead unless ``dir=none``; ``style=dotted/dashed`` as dash patterns.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

# dot's geometry in points for fontsize 10 monospace (measured on dot's own SVG output)
_CHAR_W, _LINE_H, _MARGIN_X, _MARGIN_Y = 6.0, 11.0, 8.0, 4.0
_MIN_W, _MIN_H = 54.0, 19.0        # dot's minimum box: 0.75in wide, rounded-up 0.2in high
_RANK_SEP, _NODE_SEP, _PAD = 36.0, 18.0, 4.0
_ARROW_LEN, _ARROW_HALF = 10.0, 3.5
_DUMMY_W = 10.0

# the X11 colour names make_dot uses (Graphviz knows them, SVG does not)
X11_COLORS = {
    "darkolivegreen1": "#caff70", "darkolivegreen2": "#bcee68", "darkolivegreen3": "#a2cd5a",
    "darkolivegreen4": "#6e8b3d", "lightblue": "#add8e6", "lightblue1": "#bfefff",
    "orange": "#ffa500", "orange1": "#ffa500", "lightgrey": "#d3d3d3", "lightgray": "#d3d3d3",
    "grey": "#c0c0c0", "gray": "#c0c0c0", "white": "#ffffff", "black": "#000000",
    "red": "#ff0000", "green": "#00ff00", "blue": "#0000ff", "yellow": "#ffff00",
}


def svg_color(name, default="#d3d3d3") -> str:
    """An SVG colour for a Graphviz colour name (hex, SVG names and X11 numbered names)."""
    if not name:
        return default
    name = str(name).strip()
    if name.startswith("#"):
        return name
    return X11_COLORS.get(name.lower(), name)


def _text(line: str) -> str:
    # SVG collapses runs of spaces; dot keeps them as no-break spaces after the first
    out, prev_space = [], False
    for ch in escape(line):
        if ch == " ":
            out.append("&#160;" if prev_space else " ")
            prev_space = True
        else:
            out.append(ch)
            prev_space = False
    return "".join(out)


def _box(label: str):
    lines = str(label).split("\n")
    w = max(max(len(s) for s in lines) * _CHAR_W + 2 * _MARGIN_X, _MIN_W)
    h = max(len(lines) * _LINE_H + 2 * _MARGIN_Y, _MIN_H)
    return lines, w, h


# ------------------------------------------------------------------------------ 1. ranks
def _topo(n, succ, pred):
    indeg = [len(p) for p in pred]
    ready = [v for v in range(n) if indeg[v] == 0][::-1]
    order, placed = [], [False] * n
    while len(order) < n:
        if not ready:  # a cycle (not in a backward graph): break it at the first node left
            v = next(v for v in range(n) if not placed[v])
            indeg[v] = 0
            ready.append(v)
        v = ready.pop()
        if placed[v]:
            continue
        placed[v] = True
        order.append(v)
        for s in reversed(succ[v]):
            indeg[s] -= 1
            if indeg[s] == 0 and not placed[s]:
                ready.append(s)
    return order


def _ranks(n, succ, pred, order):
    pos = {v: i for i, v in enumerate(order)}
    rank = [0] * n
    for v in order:
        for s in succ[v]:
            if pos[s] > pos[v]:
                rank[s] = max(rank[s], rank[v] + 1)
    for _ in range(4):  # slide nodes where they shorten their edges
        moved = False
        for seq in (reversed(order), order):
            for v in seq:
                ps = [rank[p] for p in pred[v] if pos[p] < pos[v]]
                ss = [rank[s] for s in succ[v] if pos[s] > pos[v]]
                lo = max(ps) + 1 if ps else None
                hi = min(ss) - 1 if ss else None
                if len(ss) >= len(ps) and hi is not None and hi > rank[v]:
                    rank[v], moved = hi, True
                elif len(ps) > len(ss) and lo is not None and lo < rank[v]:
                    rank[v], moved = lo, True
        if not moved:
            break
    low = min(rank) if rank else 0
    return [r - low for r in rank]


# ------------------------------------------------------------------------------ 3. order
def _crossings(layers, down):
    total = 0
    for r in range(len(layers) - 1):
        where = {v: i for i, v in enumerate(layers[r + 1])}
        pairs = sorted((i, where[s]) for i, v in enumerate(layers[r]) for s in down[v]
                       if s in where)
        tree = [0] * (len(layers[r + 1]) + 1)  # Fenwick tree: inversions of the heads
        for k, (_, j) in enumerate(pairs):
            i, seen = j + 1, 0
            while i > 0:
                seen += tree[i]
                i -= i & -i
            total += k - seen
            i = j + 1
            while i < len(tree):
                tree[i] += 1
                i += i & -i
    return total


def _order(layers, up, down, sweeps=8):
    best, best_c = [list(layer) for layer in layers], _crossings(layers, down)
    for it in range(sweeps):
        if best_c == 0:
            break
        going_down = it % 2 == 0
        rng = range(1, len(layers)) if going_down else range(len(layers) - 2, -1, -1)
        for r in rng:
            ref = layers[r - 1] if going_down else layers[r + 1]
            where = {v: i for i, v in enumerate(ref)}
            nbrs = up if going_down else down
            keyed = []
            for i, v in enumerate(layers[r]):
                ps = [where[u] for u in nbrs[v] if u in where]
                keyed.append((sum(ps) / len(ps) if ps else i * len(ref) / max(len(layers[r]), 1),
                              i, v))
            keyed.sort()
            layers[r] = [v for _, _, v in keyed]
        c = _crossings(layers, down)
        if c < best_c:
            best, best_c = [list(layer) for layer in layers], c
    return best


# ------------------------------------------------------------------------------ 4. x positions
def _fit(desired, seps):
    """x minimising sum (x_i - desired_i)^2 with x_{i+1} - x_i >= seps[i] (isotonic fit)."""
    offs = [0.0]
    for s in seps:
        offs.append(offs[-1] + s)
    blocks = []  # [mean, count]
    for d, o in zip(desired, offs):
        blocks.append([d - o, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks[-1]
            blocks[-1] = [(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2]
    ys = []
    for m, c in blocks:
        ys.extend([m] * c)
    return [y + o for y, o in zip(ys, offs)]


def _xpos(layers, width, up, down, dummy, iters=12):
    x = {}
    for layer in layers:
        cur = 0.0
        for k, v in enumerate(layer):
            if k:
                cur += (width[layer[k - 1]] + width[v]) / 2 + _NODE_SEP
            x[v] = cur
    for it in range(iters):
        going_down = it % 2 == 0
        rng = range(len(layers)) if going_down else range(len(layers) - 1, -1, -1)
        for r in rng:
            layer = layers[r]
            desired = []
            for v in layer:
                tot = wsum = 0.0
                for nb in (up[v], down[v]):
                    for u in nb:
                        w = 8.0 if dummy[u] and dummy[v] else 2.0 if dummy[u] or dummy[v] else 1.0
                        tot += w * x[u]
                        wsum += w
                desired.append(tot / wsum if wsum else x[v])
            seps = [(width[a] + width[b]) / 2 + _NODE_SEP for a, b in zip(layer, layer[1:])]
            for v, xv in zip(layer, _fit(desired, seps)):
                x[v] = xv
    return x


# ------------------------------------------------------------------------------ 5. edges
def _clip(cx, cy, w, h, px, py):
    """Where the segment from the box centre (cx, cy) to (px, py) leaves the box."""
    dx, dy = px - cx, py - cy
    if dx == 0 and dy == 0:
        return cx, cy
    tx = (w / 2) / abs(dx) if dx else float("inf")
    ty = (h / 2) / abs(dy) if dy else float("inf")
    t = min(tx, ty, 1.0)
    return cx + dx * t, cy + dy * t


def _path(pts):
    """A smooth curve through ``pts`` (Catmull-Rom as cubic Beziers); a line for two points."""
    d = f"M{pts[0][0]:.2f},{pts[0][1]:.2f}"
    if len(pts) == 2:
        return d + f"L{pts[1][0]:.2f},{pts[1][1]:.2f}"
    for i in range(len(pts) - 1):
        p0 = pts[i - 1] if i else pts[i]
        p1, p2 = pts[i], pts[i + 1]
        p3 = pts[i + 2] if i + 2 < len(pts) else p2
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        d += f"C{c1[0]:.2f},{c1[1]:.2f} {c2[0]:.2f},{c2[1]:.2f} {p2[0]:.2f},{p2[1]:.2f}"
    return d


_DASH = {"dotted": "1,5", "dashed": "5,2"}


def _dash(style) -> str:
    for part in str(style or "").replace(" ", "").split(","):
        if part in _DASH:
            return f' stroke-dasharray="{_DASH[part]}"'
    return ""


def layered_svg(nodes, edges, title="ember graph"):
    """SVG text for ``nodes`` (``(name, label, fillcolor)`` or ``(name, label, attrs)``, attrs a
    dict of DOT node attributes) and ``edges`` (``(tail, head)`` or ``(tail, head, attrs)``)."""
    names, labels, nattrs = [], [], []
    for item in nodes:
        name, label, extra = item
        names.append(str(name))
        labels.append(label)
        nattrs.append(extra if isinstance(extra, dict) else {"fillcolor": extra})
    index = {n: i for i, n in enumerate(names)}
    n_real = len(names)
    elist = []
    for e in edges:
        a, b = str(e[0]), str(e[1])
        if a in index and b in index and a != b:
            elist.append((index[a], index[b], e[2] if len(e) > 2 and e[2] else {}))
    succ = [[] for _ in range(n_real)]
    pred = [[] for _ in range(n_real)]
    for a, b, _ in elist:
        succ[a].append(b)
        pred[b].append(a)
    order = _topo(n_real, succ, pred)
    rank = _ranks(n_real, succ, pred, order) if n_real else []
    boxes = [_box(lab) for lab in labels]
    width = [w for _, w, _ in boxes]
    height = [h for _, _, h in boxes]

    # 2. virtual nodes on long edges; routes[k] lists the nodes edge k passes through
    dummy = [False] * n_real
    up = [[] for _ in range(n_real)]
    down = [[] for _ in range(n_real)]
    routes = []
    # virtual nodes cost a node per rank spanned: within a budget linear in the graph's size,
    # the shortest edges get them; longer ones (a tensor reused across thousands of ops) are
    # drawn straight
    budget, spans = 2 * n_real + 200, sorted(rank[b] - rank[a] - 1 for a, b, _ in elist)
    max_span = 0
    for sp in spans:
        if sp > budget:
            break
        budget -= max(sp, 0)
        max_span = sp
    for a, b, _ in elist:
        if rank[b] <= rank[a] or rank[b] - rank[a] - 1 > max_span:
            routes.append([a, b])  # (a cycle's back edge, or over the budget: straight)
            continue
        route, prev = [a], a
        for r in range(rank[a] + 1, rank[b]):
            v = len(rank)
            rank.append(r)
            dummy.append(True)
            width.append(_DUMMY_W)
            height.append(0.0)
            up.append([])
            down.append([])
            down[prev].append(v)
            up[v].append(prev)
            route.append(v)
            prev = v
        down[prev].append(b)
        up[b].append(prev)
        route.append(b)
        routes.append(route)

    # 3. initial order: depth first from the sources in the given order, then sweeps
    n_all = len(rank)
    layers = [[] for _ in range(max(rank) + 1 if rank else 0)]
    seen = [False] * n_all
    for root in list(range(n_real)):
        if seen[root] or up[root] and any(not dummy[u] for u in up[root]):
            continue
        stack = [root]
        while stack:
            v = stack.pop()
            if seen[v]:
                continue
            seen[v] = True
            layers[rank[v]].append(v)
            stack.extend(reversed(down[v]))
    for v in range(n_all):
        if not seen[v]:
            layers[rank[v]].append(v)
    work = max(n_all + len(elist), 1)  # big graphs get fewer sweeps (each is linear)
    layers = _order(layers, up, down, sweeps=max(2, min(8, 40000 // work)))
    x = _xpos(layers, width, up, down, dummy, iters=max(2, min(12, 40000 // work)))

    # y: each rank as tall as its tallest box, boxes centred on the rank's line
    y, top = {}, _PAD
    for layer in layers:
        h = max((height[v] for v in layer), default=0.0)
        for v in layer:
            y[v] = top + h / 2
        top += h + _RANK_SEP
    left = min((x[v] - width[v] / 2 for v in range(n_all)), default=0.0) - _PAD
    right = max((x[v] + width[v] / 2 for v in range(n_all)), default=0.0) + _PAD
    W, H = right - left, max(top - _RANK_SEP + _PAD, 2 * _PAD)
    for v in x:
        x[v] -= left

    out = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
           '<!-- Generated by ember.viz (layout without Graphviz) -->',
           f'<svg width="{W:.0f}pt" height="{H:.0f}pt" viewBox="0.00 0.00 {W:.2f} {H:.2f}" '
           'xmlns="http://www.w3.org/2000/svg">',
           '<g id="graph0" class="graph">',
           f"<title>{escape(title)}</title>",
           f'<polygon fill="white" stroke="transparent" points="0,0 {W:.2f},0 {W:.2f},{H:.2f} '
           f'0,{H:.2f} 0,0"/>']
    for k, ((a, b, attrs), route) in enumerate(zip(elist, routes)):
        pts = [(x[v], y[v]) for v in route]
        pts[0] = _clip(x[a], y[a], width[a], height[a], *pts[1])
        pts[-1] = _clip(x[b], y[b], width[b], height[b], *pts[-2])
        arrow = attrs.get("dir", "forward") not in ("none", "back")
        head = ""
        if arrow:
            (px, py), (tx, ty) = pts[-2], pts[-1]
            dx, dy = tx - px, ty - py
            norm = (dx * dx + dy * dy) ** 0.5 or 1.0
            ux, uy = dx / norm, dy / norm
            bx, by = tx - ux * _ARROW_LEN, ty - uy * _ARROW_LEN
            pts[-1] = (bx, by)
            head = (f'<polygon fill="black" stroke="black" points="{bx - uy * _ARROW_HALF:.2f},'
                    f'{by + ux * _ARROW_HALF:.2f} {tx:.2f},{ty:.2f} '
                    f'{bx + uy * _ARROW_HALF:.2f},{by - ux * _ARROW_HALF:.2f} '
                    f'{bx - uy * _ARROW_HALF:.2f},{by + ux * _ARROW_HALF:.2f}"/>')
        out.append(f'<g id="edge{k + 1}" class="edge"><title>{escape(names[a])}&#45;&gt;'
                   f'{escape(names[b])}</title>')
        out.append(f'<path fill="none" stroke="black"{_dash(attrs.get("style"))} '
                   f'd="{_path(pts)}"/>{head}</g>')
    for v in range(n_real):
        lines, w, h = boxes[v]
        attrs = nattrs[v]
        cx, cy = x[v], y[v]
        style = str(attrs.get("style") or "filled")
        fill = svg_color(attrs.get("fillcolor") or attrs.get("color")) \
            if "filled" in style else "none"
        out.append(f'<g id="node{v + 1}" class="node"><title>{escape(names[v])}</title>')
        out.append(f'<rect x="{cx - w / 2:.2f}" y="{cy - h / 2:.2f}" width="{w:.2f}" '
                   f'height="{h:.2f}" fill="{escape(fill)}" stroke="black"{_dash(style)}/>')
        first = cy - len(lines) * _LINE_H / 2 + _LINE_H - 2.5
        for i, line in enumerate(lines):
            if line.strip():
                out.append(f'<text text-anchor="middle" x="{cx:.2f}" y="{first + i * _LINE_H:.2f}"'
                           f' font-family="monospace" font-size="10.00">{_text(line)}</text>')
        out.append("</g>")
    out.append("</g>\n</svg>")
    return "\n".join(out) + "\n"
