"""``inspect`` and ``access`` list each quota with its line, and each limit not enforced as a warning."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .test_quotas import SNAKE

DOCBASE = str(Path(sys.executable).with_name("docbase"))


def _run(tmp_path: Path, *args: str, toml: str = "") -> subprocess.CompletedProcess:
    doc = tmp_path / "design.md"
    doc.write_text(SNAKE)
    if toml:
        (tmp_path / "docbase.toml").write_text(toml)
    return subprocess.run([DOCBASE, *args, str(doc)], cwd=tmp_path, capture_output=True, text=True, timeout=60)


def test_inspect_lists_quotas_as_located_notes(tmp_path):
    done = _run(tmp_path, "inspect")
    assert done.returncode == 0, done.stderr
    path = str(tmp_path / "design.md")
    assert (
        f"{path}:4: note: quota: at most plan_limits.max_monitors rows of monitors per organizations "
        "(through monitors.organization_id; plan found by organizations.subscription_plan = plan_limits.plan; "
        "no plan or a NULL limit: unlimited)"
    ) in done.stdout.splitlines()
    assert any(
        line.startswith(f"{path}:5: warning: plan_limits.max_organizations looks like a plan limit")
        for line in done.stdout.splitlines()
    )


def test_access_json_carries_the_rules_and_docbase_toml_switches_them_off(tmp_path):
    on = json.loads(_run(tmp_path, "access", "--json").stdout)["rules"]
    assert [q["table"] for q in on["quotas"]] == ["monitors", "projects"]  # plan table column order
    off = json.loads(_run(tmp_path, "access", "--json", toml="[rules.monitors]\nquota = false\n").stdout)["rules"]
    assert [q["table"] for q in off["quotas"]] == ["projects"]
    assert any("switched off" in n["why"] for n in off["not_enforced"])


def test_inspect_lists_a_ledger_with_its_rpc(tmp_path):
    from .test_ledgers import SNAKE as LEDGER

    doc = tmp_path / "ledger.md"
    doc.write_text(LEDGER)
    done = subprocess.run([DOCBASE, "inspect", str(doc)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (
        f"{doc}:17: note: ledger: credit_transactions is a ledger of organizations.credit_balance (never below "
        "zero): rpc/post_credit_transaction moves the balance and writes balance_after in one transaction"
    ) in done.stdout.splitlines()
