#!/usr/bin/env python3
"""The module dependency graph of the server crate, from its sources.

    python3 scripts/modgraph.py [SRC_DIR] [--dot]

Reads every `crate::…` path in the code (comments skipped), resolves it to
the file that defines it, and prints:
- the edges between top-level modules with their counts, each marked `UP`
  when it runs against the layers of docs/architecture.md;
- the import cycles between files (strongly connected components);
- with --dot, the top-level graph in Graphviz form instead.

To see the graph of an older commit:
    git archive COMMIT src | tar -x -C /tmp/old && python3 scripts/modgraph.py /tmp/old/src
"""

import os
import re
import sys

# Rank of each top-level module: an edge from a lower rank to a higher one
# runs upwards. Front ends and assembly 3, shared plumbing 2, the domain 1,
# storage and foundations 0.
RANK = {
    "api": 3, "file_send": 3, "pages": 3, "transfer": 3, "server": 3,
    "cli": 3, "client_cli": 3, "ops": 3, "background": 3, "main": 3,
    "http": 2, "state": 2, "error": 2, "abuse": 2,
    "library": 1, "accounts": 1, "mail": 1,
    "db": 0, "blobs": 0, "clamd": 0, "config": 0, "secrets": 0, "lib": 0,
}

PATH = re.compile(r"crate::((?:[a-z_][a-z0-9_]*)(?:::[a-z_][a-z0-9_]*)*)")
SUPER = re.compile(r"(?<![a-z_:])super::((?:[a-z_][a-z0-9_]*)(?:::[a-z_][a-z0-9_]*)*)")
GROUP = re.compile(r"crate::\{")


def code_of(text):
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def group_paths(code):
    """`crate::{a::b, c}` → ["a::b", "c"] (nested groups flattened to their head)."""
    out = []
    for m in GROUP.finditer(code):
        depth, item, i = 1, "", m.end()
        while i < len(code) and depth:
            c = code[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            if depth == 1 and c == ",":
                out.append(item.strip())
                item = ""
            elif depth == 1 and c not in "{}":
                item += c
            elif depth == 2 and c == "{":
                pass
            i += 1
        if item.strip():
            out.append(item.strip())
    return [re.sub(r"\s+", "", p).rstrip(":") for p in out if p.strip()]


def module_files(src):
    files = {}
    for root, _, names in os.walk(src):
        for n in names:
            if n.endswith(".rs"):
                p = os.path.join(root, n)
                rel = os.path.relpath(p, src).replace(os.sep, "/")
                parts = rel[:-3].split("/")
                if parts[-1] == "mod":
                    parts = parts[:-1]
                files[tuple(parts)] = rel
    return files


def resolve(path, files):
    parts = tuple(p for p in path.split("::") if p and p != "self")
    while parts:
        if parts in files:
            return files[parts]
        parts = parts[:-1]
    return None


def tarjan(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


LAYER_NAMES = {3: "front ends", 2: "shared HTTP plumbing", 1: "domain", 0: "storage"}
LAYER_COLORS = {3: "#dbeafe", 2: "#ede9fe", 1: "#dcfce7", 0: "#fef3c7"}


def dot(top):
    """The top-level graph, one row per layer; edges against the layers in red."""
    # config and secrets are used from every layer: left out to keep the
    # picture readable (the text listing has them).
    hidden = {"lib", "main", "config", "secrets", "client_cli"}
    names = sorted({m for edge in top for m in edge} - hidden)
    lines = [
        "digraph modules {",
        '  rankdir=TB; newrank=true; nodesep=0.25; ranksep=0.6;',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        '  edge [color="#94a3b8", arrowsize=0.6];',
    ]
    for rank in sorted(LAYER_NAMES, reverse=True):
        members = [n for n in names if RANK.get(n, 3) == rank]
        if not members:
            continue
        lines.append(f"  subgraph cluster_{rank} {{")
        lines.append(f'    label="{LAYER_NAMES[rank]}"; fontname="Helvetica"; fontsize=11; '
                     f'style="rounded"; color="#cbd5e1";')
        lines.append("    rank=same;")
        for n in members:
            lines.append(f'    "{n}" [fillcolor="{LAYER_COLORS[rank]}"];')
        lines.append("  }")
    for (a, b), n in sorted(top.items()):
        if a in hidden or b in hidden:
            continue
        up = RANK.get(a, 3) < RANK.get(b, 3)
        style = ' [color="#dc2626", penwidth=2, constraint=false]' if up else ""
        lines.append(f'  "{a}" -> "{b}"{style};')
    lines.append("}")
    return "\n".join(lines)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    src = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "src")
    files = module_files(src)
    graph, top = {}, {}
    for parts, rel in files.items():
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            code = code_of(f.read())
        paths = PATH.findall(code) + group_paths(code)
        # `super::x` names a sibling of this module (of a child of its parent).
        parent = "::".join(parts[:-1])
        for p in SUPER.findall(code):
            paths.append(f"{parent}::{p}" if parent else p)
        for p in paths:
            target = resolve(p, files)
            if not target or target == rel:
                continue
            graph.setdefault(rel, set()).add(target)
            a = rel.split("/")[0].removesuffix(".rs")
            b = target.split("/")[0].removesuffix(".rs")
            if a != b:
                top[(a, b)] = top.get((a, b), 0) + 1
        graph.setdefault(rel, set())
    if "--dot" in sys.argv:
        print(dot(top))
        return
    up_edges = 0
    print("module edges (from -> to: references)")
    for (a, b), n in sorted(top.items()):
        up = RANK.get(a, 3) < RANK.get(b, 3)
        up_edges += n if up else 0
        print(f"  {a:11} -> {b:11} {n:3}{'  UP' if up else ''}")
    cycles = [sorted(c) for c in tarjan(graph) if len(c) > 1]
    cycles.sort(key=len, reverse=True)
    print(f"\nfiles: {len(files)}; references against the layers: {up_edges}")
    print(f"import cycles between files: {len(cycles)}"
          + (f"; largest has {len(cycles[0])} files" if cycles else ""))
    for c in cycles:
        print(f"  {len(c)} files: " + " ".join(c))


if __name__ == "__main__":
    main()
