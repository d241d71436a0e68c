"""Reading progress: on stderr, only when asked or on a terminal, never mixed into the diagnostics."""

from __future__ import annotations

import io
import re
from pathlib import Path

from typer.testing import CliRunner

from docbase import cli
from docbase.cli import ReadProgress, app

runner = CliRunner()

DOC = """# Shop

```sql
CREATE TABLE customers (id uuid PRIMARY KEY, email text);
CREATE TABLE orders (id uuid PRIMARY KEY, customer_id uuid REFERENCES customers(id), total numeric);
```

## Items

| Column | Type |
|---|---|
| id | uuid PK |
| order_id | uuid FK -> ordrs.id |
| sku | text |
"""

DIAGNOSTIC = re.compile(r"^[^:]+:\d+: (error|warning|info): ")


class Clock:
    """A clock the test moves by hand: the display depends on elapsed time, the test must not."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_shown_for_a_short_read():
    out, clock = io.StringIO(), Clock()
    show = ReadProgress("doc.md", out, tty=False, clock=clock)
    clock.now += 0.4
    show(1, 2)
    show(2, 2)
    assert out.getvalue() == ""


def test_a_log_gets_a_line_at_most_every_two_seconds_and_the_last():
    out, clock = io.StringIO(), Clock()
    show = ReadProgress("doc.md", out, tty=False, clock=clock)
    for done in range(1, 101):
        clock.now += 0.25  # 25 s in all
        show(done, 100)
    lines = out.getvalue().splitlines()
    assert lines[0] == "docbase: reading doc.md: 2/100 blocks (2%)"
    assert lines[-1] == "docbase: reading doc.md: 100/100 blocks (100%)"
    assert len(lines) == 14  # at 0.5 s, 2.5, ... 24.5 and the end
    assert not any(DIAGNOSTIC.match(line) for line in lines)


def test_a_terminal_line_is_redrawn_in_place_and_wiped_at_the_end():
    out, clock = io.StringIO(), Clock()
    show = ReadProgress("doc.md", out, tty=True, clock=clock)
    for done in range(1, 11):
        clock.now += 0.25
        show(done, 10)
    text = out.getvalue()
    assert "\n" not in text
    assert text.count("\r\x1b[K") == 9  # every 0.25 s from 0.5 s on, and the wipe
    assert text.endswith("docbase: reading doc.md: 9/10 blocks (90%)\r\x1b[K")


def test_cli_progress_flag_writes_progress_apart_from_the_diagnostics(tmp_path: Path, monkeypatch):
    path = tmp_path / "shop.md"
    path.write_text(DOC)
    migrate = ["migrate", str(path), "--dry-run", "--db", f"sqlite:///{tmp_path / 'shop.db'}"]
    quiet = runner.invoke(app, migrate)
    monkeypatch.setattr(ReadProgress, "DELAY", 0.0)  # show from the first block: the document is small
    shown = runner.invoke(app, ["--progress", *migrate])
    off = runner.invoke(app, ["--no-progress", *migrate])
    assert quiet.exit_code == shown.exit_code == off.exit_code == 0, shown.output
    progress = [ln for ln in shown.stderr.splitlines() if ln.startswith("docbase: reading ")]
    assert progress and progress[0].startswith(f"docbase: reading {path}: 1/")
    rest = [ln for ln in shown.stderr.splitlines() if not ln.startswith("docbase: reading ")]
    assert rest == quiet.stderr.splitlines() == off.stderr.splitlines()  # diagnostics untouched
    assert any(DIAGNOSTIC.match(ln) and "ordrs" in ln for ln in rest)
    assert "docbase: reading" not in quiet.stderr + off.stderr + shown.stdout  # not a terminal: off by default
    assert cli._options["progress"] is False
