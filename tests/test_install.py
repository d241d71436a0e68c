"""docbase installs like a Python tool: the built wheel alone, in a fresh virtual environment, runs.

The wheel is built from this checkout (pip fetches the build backend, as any
user's pip does), installed without the source tree on the path, and its
console script runs ``--version`` and ``inspect`` on the example document:
a module or data file (grammar, SQL, header synonyms, console pages) left out
of the wheel fails here. The runtime dependencies are borrowed from the test
environment's site-packages through a ``.pth`` line, so the test checks the
wheel, not PyPI.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_built_wheel_runs_in_a_fresh_environment(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("DOCBASE_")}
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = dist.glob("docbase-*.whl")

    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        env=clean,  # with the checkout's src on PYTHONPATH, pip would think docbase is installed already
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    fresh_site = subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True, env=clean
    ).strip()
    Path(fresh_site, "docbase-test-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")

    docbase = env_dir / "bin" / "docbase"
    version = subprocess.run([str(docbase), "--version"], capture_output=True, text=True, cwd=tmp_path, env=clean)
    assert version.returncode == 0 and version.stdout.strip() == "docbase 0.1.0"
    where = subprocess.check_output(
        [str(python), "-c", "import docbase; print(docbase.__file__)"], text=True, cwd=tmp_path, env=clean
    )
    assert where.startswith(fresh_site), where  # the wheel's copy, not this checkout's
    inspect = subprocess.run(
        [str(docbase), "inspect", str(ROOT / "examples" / "blog.md")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
    )
    assert inspect.returncode == 0, inspect.stderr
    assert "examples/blog.md: 5 table(s)" in inspect.stdout
