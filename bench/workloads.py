"""The five workloads, written out in each contender's URL dialect from the same ids.

Every dialect gets the same ids in the same order, so the contenders do the
same work: read a task by key, list 20 tasks of one organization and status
newest first, read a task with its comments, insert a task, update a task's
priority. Writes ask for the written row back, as supabase-js ``.select()``
and PocketBase do by default.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from .dataset import STATUSES, Dataset

WORKLOADS = ("by_id", "list", "embed", "insert", "update")
Line = tuple[str, str, str]  # method, path, body


def _new_task(data: Dataset, i: int) -> dict:
    project = data.project_ids[i % len(data.project_ids)]
    return {"organization_id": data.org_id, "project_id": project, "title": f"bench task {i}", "priority": i % 5}


def postgrest(data: Dataset, workload: str) -> list[Line]:
    ids = data.task_ids
    if workload == "by_id":
        return [("GET", f"/rest/v1/tasks?id=eq.{i}", "") for i in ids]
    if workload == "list":
        return [
            ("GET", f"/rest/v1/tasks?organization_id=eq.{data.org_id}&status=eq.{s}&order=created_at.desc&limit=20", "")
            for s in STATUSES
        ]
    if workload == "embed":
        return [("GET", f"/rest/v1/tasks?id=eq.{i}&select=*,comments(*)", "") for i in ids]
    if workload == "insert":
        return [("POST", "/rest/v1/tasks", json.dumps(_new_task(data, n))) for n in range(500)]
    return [("PATCH", f"/rest/v1/tasks?id=eq.{i}", json.dumps({"priority": n % 5})) for n, i in enumerate(ids)]


def plain_rest(data: Dataset, workload: str) -> list[Line]:
    """The hand-written FastAPI app's routes: /tasks/{id}, /tasks?..., /tasks/{id}/comments-included."""
    ids = data.task_ids
    if workload == "by_id":
        return [("GET", f"/tasks/{i}", "") for i in ids]
    if workload == "list":
        return [("GET", f"/tasks?organization_id={data.org_id}&status={s}&limit=20", "") for s in STATUSES]
    if workload == "embed":
        return [("GET", f"/tasks/{i}?with_comments=true", "") for i in ids]
    if workload == "insert":
        return [("POST", "/tasks", json.dumps(_new_task(data, n))) for n in range(500)]
    return [("PATCH", f"/tasks/{i}", json.dumps({"priority": n % 5})) for n, i in enumerate(ids)]


def pocketbase(data: Dataset, workload: str, pb_id: Callable[[str], str]) -> list[Line]:
    """PocketBase's record API; ``pb_id`` maps a UUID to the 15-character id it was imported under."""
    base = "/api/collections/tasks/records"
    ids = [pb_id(i) for i in data.task_ids]
    if workload == "by_id":
        return [("GET", f"{base}/{i}", "") for i in ids]
    if workload == "list":
        org = pb_id(data.org_id)
        filters = [quote(f"organization='{org}'&&status='{s}'") for s in STATUSES]
        return [("GET", f"{base}?filter={f}&sort=-created_at&perPage=20&skipTotal=1", "") for f in filters]
    if workload == "embed":
        return [("GET", f"{base}/{i}?expand=comments_via_task", "") for i in ids]
    if workload == "insert":
        rows = []
        for n in range(500):
            task = _new_task(data, n)
            task = {
                **task,
                "organization": pb_id(task.pop("organization_id")),
                "project": pb_id(task.pop("project_id")),
            }
            rows.append(("POST", base, json.dumps({**task, "status": "todo"})))
        return rows
    return [("PATCH", f"{base}/{i}", json.dumps({"priority": n % 5})) for n, i in enumerate(ids)]


def floor(data: Dataset, workload: str) -> list[Line]:
    """The HTTP floor: same methods and bodies, one path per workload, canned answers."""
    return [(method, f"/{workload}", body) for method, _, body in postgrest(data, workload)]


def write(lines: list[Line], headers: dict[str, str], folder: Path, stem: str) -> tuple[Path, Path]:
    """The requests and headers files rotate.lua reads."""
    folder.mkdir(parents=True, exist_ok=True)
    requests = folder / f"{stem}.requests"
    requests.write_text("".join(f"{m}\t{p}\t{b}\n" for m, p, b in lines))
    head = folder / f"{stem}.headers"
    head.write_text("".join(f"{k}: {v}\n" for k, v in headers.items()))
    return requests, head
