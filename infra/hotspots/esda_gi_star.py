"""Gi* by PySAL's esda for the fixtures the hotspots' cross-check sends.

Reads one JSON object per line on stdin: {"name", "values": [...], "neighbours": [[j, ...], ...]}
(neighbour lists by index, the unit itself included or not), and writes one JSON object per
line: {"name", "z": [...], "p_norm": [...], "diagonal": [...]} with NaN written as null. The
weights are libpysal's W built from the same lists, binary ('B'), star=True (esda then sets
the diagonal to 1); "diagonal" is the w_ii esda used, read back from its weights.
"""
import json
import math
import sys
import warnings

import numpy as np
from esda.getisord import G_Local
from libpysal.weights import W

warnings.simplefilter("ignore")


def finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


for line in sys.stdin:
    if not line.strip():
        continue
    case = json.loads(line)
    n = len(case["values"])
    neighbours = {i: [j for j in case["neighbours"][i]] for i in range(n)}
    weights = {i: [1.0] * len(neighbours[i]) for i in range(n)}
    w = W(neighbours, weights, silence_warnings=True)
    y = np.asarray(case["values"], dtype=float)
    g = G_Local(y, w, transform="B", star=True, permutations=0)
    diagonal = g.w.sparse.diagonal()
    print(
        json.dumps(
            {
                "name": case["name"],
                "z": [finite_or_none(z) for z in np.asarray(g.Zs).ravel()],
                "p_norm": [finite_or_none(p) for p in np.asarray(g.p_norm).ravel()],
                "diagonal": [float(d) for d in diagonal],
            }
        ),
        flush=True,
    )
