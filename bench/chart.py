"""The PNG chart of requests/s per workload and contender (matplotlib, installed at bench time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .workloads import WORKLOADS


def draw(results: dict, path: Path) -> Path | None:
    try:
        import matplotlib
    except ImportError:
        print("bench: installing matplotlib for the chart ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "matplotlib"], check=True)
        import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    contenders = [c for c in results["contenders"] if c.get("workloads")]
    if not contenders:
        return None
    width = 0.8 / len(contenders)
    fig, ax = plt.subplots(figsize=(12, 5.5))
    for i, c in enumerate(contenders):
        values = [c["workloads"].get(w, {}).get("requests_per_second") or 0 for w in WORKLOADS]
        ax.bar([x + i * width for x in range(len(WORKLOADS))], values, width, label=c["name"])
    ax.set_xticks([x + width * (len(contenders) - 1) / 2 for x in range(len(WORKLOADS))], WORKLOADS)
    ax.set_ylabel("requests / s (higher is better)")
    ax.set_yscale("log")
    ax.set_title(f"docbase vs alternatives, {results['config']['rows']:,} rows per table, signed-in user")
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
