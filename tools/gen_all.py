"""Write ember/__init__.py's __all__: every public name it binds (imports, defs, assignments),
plus its lazy names, minus helper aliases. Rerun after adding a name (ruff's F401 then flags
any import missing from __all__)."""
import ast
import re
import sys
import textwrap
path = sys.argv[1] if len(sys.argv) > 1 else "ember/__init__.py"
src = open(path).read()
tree = ast.parse(src)
names = []
skip = {"builtins_bool", "builtins_int", "annotations"}
for node in tree.body:
    if isinstance(node, ast.ImportFrom) and node.module != "__future__":
        for a in node.names:
            if a.name != "*":  # a star import brings its module's __all__, added separately
                names.append(a.asname or a.name)
    elif isinstance(node, ast.Import):
        for a in node.names:
            names.append((a.asname or a.name).split(".")[0])
    elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        names.append(node.name)
    elif isinstance(node, ast.Assign):
        for t in node.targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    names.append(n.id)
lazy = re.search(r'_LAZY_NAMES = \(([^)]*)\)', src).group(1)
names += re.findall(r'"(\w+)"', lazy)
pub = []
for n in names:
    if not n.startswith("_") and n not in skip and n not in pub:
        pub.append(n)
body = ", ".join(f'"{n}"' for n in pub)
wrapped = textwrap.fill(body, 99, initial_indent="    ", subsequent_indent="    ")
block = "__all__ = [\n" + wrapped + ",\n]\n"
if "__all__ = [" in src:
    src = re.sub(r"__all__ = \[\n.*?\n\]\n", block, src, flags=re.S)
else:
    anchor = "\n\n# names imported on first use"
    head = "\n\n# the public names (tools/gen_all.py writes this list)\n"
    src = src.replace(anchor, head + block + anchor, 1)
open(path, "w").write(src)
print(len(pub), "names")
