"""Start and stop a local Azurite (Table + Queue storage emulator) for tests and the demo.

Azurite comes from npm (``azurite@3.35.0``, installed by ``make`` into
``node_modules``). It runs in memory on loopback with telemetry off; it is
stopped by its process id. The account name and key below are Azurite's
well-known development credentials (public, not a secret).
"""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AZURITE = ROOT / "node_modules" / ".bin" / "azurite"
ACCOUNT = "devstoreaccount1"
# Azurite's documented, public development key.
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Azurite:
    """A running Azurite process and its endpoints."""

    process: subprocess.Popen[bytes]
    table_port: int
    queue_port: int
    blob_port: int

    @property
    def connection_string(self) -> str:
        """Connection string for the table, queue and blob clients."""
        base = f"http://127.0.0.1:{{}}/{ACCOUNT}"
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={DEV_KEY};"
            f"TableEndpoint={base.format(self.table_port)};"
            f"QueueEndpoint={base.format(self.queue_port)};"
            f"BlobEndpoint={base.format(self.blob_port)};"
        )

    def stop(self) -> None:
        """Stop the process (by its PID) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wait_for(port: int, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"azurite exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"azurite did not listen on port {port} within {seconds} s")


def start(timeout: float = 30.0) -> Azurite:
    """Start Azurite in memory on free loopback ports; raise with a hint when it is not installed."""
    if not AZURITE.exists():
        raise RuntimeError(f"{AZURITE} not found: run `make test` or `npm ci` first")
    table, queue, blob = free_port(), free_port(), free_port()
    process = subprocess.Popen(
        [
            str(AZURITE),
            "--inMemoryPersistence",
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--silent",
            "--tableHost",
            "127.0.0.1",
            "--tablePort",
            str(table),
            "--queueHost",
            "127.0.0.1",
            "--queuePort",
            str(queue),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(blob),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Azurite(process, table, queue, blob)
    try:
        for port in (table, queue, blob):
            _wait_for(port, process, timeout)
    except Exception:
        server.stop()
        raise
    return server
