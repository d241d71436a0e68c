"""``docbase types typescript``: supabase-js programs type-check against the types (``tsc --strict``), and run.

The compiler is the judge: a program using every part of the ``Database``
type (rows, inserts, updates, embeds, enums, rpc, the helpers) must compile
cleanly, and a program with deliberate mistakes must be refused at the
right lines, so a type that accepted anything would fail here. The good
program is then run under node against a live ``docbase serve`` on both
databases: the runtime values are what the types said they would be.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from docbase.pipeline import load_schema
from docbase.typegen import generate

from ..clients.js import ensure_installed
from ..conftest import SEEDS
from .conftest import TASKS

GOOD = """\
import { createClient } from "@supabase/supabase-js"
import type { Database, Enums, Tables, TablesInsert, TablesUpdate } from "./database.types.js"
import { Constants } from "./database.types.js"
// @ts-ignore: ws ships no type declarations (node 20 has no WebSocket of its own)
import WebSocket from "ws"

declare const process: { env: Record<string, string>; stdout: { write(text: string): void } }
const supabase = createClient<Database>(process.env.DOCBASE_URL, process.env.DOCBASE_KEY, {
  auth: { persistSession: false, autoRefreshToken: false },
  realtime: { transport: WebSocket },
})

async function main() {
  const project: TablesInsert<"projects"> = { name: "Launch", settings: { color: "red" } }
  const created = await supabase.from("projects").insert(project).select("id").single()
  if (created.error) throw new Error(created.error.message)
  const projectId: number = created.data.id
  const task: TablesInsert<"tasks"> = { project_id: projectId, title: "Write docs", labels: ["docs"] }
  const inserted = await supabase.from("tasks").insert(task)
  if (inserted.error) throw new Error(inserted.error.message)
  const { data, error } = await supabase.from("tasks").select("id, title, status, estimate, labels, projects(name)")
  if (error) throw new Error(error.message)
  const title: string = data[0].title
  const estimate: number | null = data[0].estimate
  const status: Enums<"task_status"> = data[0].status
  const labels: string[] | null = data[0].labels
  const name: string | undefined = data[0].projects?.name
  const patch: TablesUpdate<"tasks"> = { status: "done", estimate: 3 }
  const updated = await supabase.from("tasks").update(patch).eq("project_id", projectId).select().single()
  if (updated.error) throw new Error(updated.error.message)
  const row: Tables<"tasks"> = updated.data
  const open = await supabase.rpc("open_tasks", { p_project: projectId })
  const openTitles: string[] | undefined = open.data?.map((t) => t.title)
  const values: readonly string[] = Constants.public.Enums.task_status
  return { projectId, title, estimate, status, labels, name, row, openTitles, values }
}

main().then(
  (value) => process.stdout.write(JSON.stringify(value)),
  (err) => { throw err },
)
"""

# Each line is a mistake tsc must report, at that line of the program (1-based, after the 4 header lines).
BAD = """\
import { createClient } from "@supabase/supabase-js"
import type { Database } from "./database.types"
const supabase = createClient<Database>("http://127.0.0.1:1", "key")
export async function main() {
  const { data } = await supabase.from("tasks").select("title, estimate").single()
  const wrong: number = data!.title
  await supabase.from("tasks").insert({ title: "a task without its project" })
  await supabase.from("tasks").update({ status: "closed" }).eq("id", "x")
  await supabase.from("projects").insert({ name: "x", owner: "nobody" })
  return wrong
}
"""
BAD_LINES = {6, 7, 8, 9}


def _tsc(folder: Path, *files: str, emit: bool = False) -> subprocess.CompletedProcess[str]:
    modules = ensure_installed()
    link = folder / "node_modules"
    if not link.exists():
        link.symlink_to(modules)
    (folder / "package.json").write_text('{"type": "module"}\n')
    flags = ["--strict", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler"]
    flags += ["--skipLibCheck", "--outDir", str(folder / "out")] if emit else ["--skipLibCheck", "--noEmit"]
    return subprocess.run(
        [str(modules / ".bin" / "tsc"), *flags, *files], cwd=folder, capture_output=True, text=True, timeout=300
    )


def _write_types(folder: Path, text: str, name: str = "design.md") -> Path:
    doc = folder / name
    doc.write_text(text)
    types, _ = generate(load_schema(doc), "typescript")
    (folder / "database.types.ts").write_text(types)
    return doc


def test_a_supabase_js_program_compiles_against_the_types(tmp_path):
    _write_types(tmp_path, TASKS)
    (tmp_path / "main.ts").write_text(GOOD)
    done = _tsc(tmp_path, "main.ts")
    assert done.returncode == 0, done.stdout + done.stderr


def test_type_errors_are_reported_at_their_lines(tmp_path):
    _write_types(tmp_path, TASKS)
    (tmp_path / "bad.ts").write_text(BAD)
    done = _tsc(tmp_path, "bad.ts")
    assert done.returncode != 0
    lines = {int(line.split("(", 1)[1].split(",", 1)[0]) for line in done.stdout.splitlines() if "error TS" in line}
    assert lines == BAD_LINES, done.stdout


def test_every_seed_types_compile(tmp_path):
    """The types of each seed document compile, and each table's Row is what a select of it returns."""
    files = []
    for seed in SEEDS:
        folder = tmp_path / seed.stem
        folder.mkdir()
        schema = load_schema(seed)
        types, _ = generate(schema, "typescript")
        (folder / "database.types.ts").write_text(types)
        uses = "\n".join(
            f"  const r{i}: Tables<{json.dumps(t.name)}>[] | null = (await supabase.from({json.dumps(t.name)})"
            f'.select("*")).data'
            for i, t in enumerate(schema.tables)
        )
        (folder / "main.ts").write_text(
            'import { createClient } from "@supabase/supabase-js"\n'
            'import type { Database, Tables } from "./database.types"\n'
            'const supabase = createClient<Database>("http://127.0.0.1:1", "key")\n'
            f"export async function main() {{\n{uses}\n}}\n"
        )
        files.append(f"{seed.stem}/main.ts")
    done = _tsc(tmp_path, *files)
    assert done.returncode == 0, done.stdout[-4000:]


@pytest.mark.slow
def test_the_program_runs_as_typed(tmp_path, db_url):
    from ..api.test_serve import Server

    folder = tmp_path / "ts"
    folder.mkdir()
    _write_types(folder, TASKS)
    (folder / "main.ts").write_text(GOOD)
    done = _tsc(folder, "main.ts", emit=True)
    assert done.returncode == 0, done.stdout
    server = Server(tmp_path, db_url, document=TASKS)
    server.start()
    try:
        run = subprocess.run(
            ["node", str(folder / "out" / "main.js")],
            cwd=folder,
            env={**os.environ, "DOCBASE_URL": server.base, "DOCBASE_KEY": server.service_key},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.stop()
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout)
    assert isinstance(out["projectId"], int) and out["title"] == "Write docs" and out["estimate"] is None
    assert out["status"] == "todo" and out["labels"] == ["docs"] and out["name"] == "Launch"
    assert out["row"]["status"] == "done" and out["row"]["estimate"] == 3 and isinstance(out["row"]["created_at"], str)
    assert out["values"] == ["todo", "doing", "done"]
    assert out["openTitles"] == []  # the only task is done (SQLite runs the SQL function's translated body)
