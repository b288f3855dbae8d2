"""Posting raw requests to a running stack's channel, and searching what it wrote."""
from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

# Made-up details, in the shapes people type them; none is a real person's.
NAME = "Quentin Farrowdale"
PHONE = "07700 900461"
POSTCODE = "L20 7QZ"
NHS = "943 476 5919"
EMAIL = "q.farrowdale@example.org"
DETAILS = f"{NAME}, {PHONE}, {POSTCODE}, NHS {NHS}, {EMAIL}"
# What must never be found: each detail, also without its spaces.
NEEDLES = ["Farrowdale", "farrowdale", "Quentin", "07700 900461", "07700900461", "L20 7QZ", "L207QZ",
           "943 476 5919", "9434765919"]


def post(url: str, body: bytes | str, timeout: float = 60.0) -> tuple[int, Any]:
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")


def found_in(tracker_db: Path, log_files: list[Path]) -> list[str]:
    """Every needle found, with where: the store's rows and each log file."""
    hits = []
    rows = sqlite3.connect(tracker_db).execute("select data from events").fetchall()
    haystacks = {str(tracker_db): " ".join(row[0] for row in rows)}
    for path in log_files:
        haystacks[str(path)] = path.read_text(errors="replace")
    for where, text in haystacks.items():
        hits += [f"{needle!r} in {where}" for needle in NEEDLES if needle in text]
    return hits
