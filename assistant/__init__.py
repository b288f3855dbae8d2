"""Signpost: where to refer a domestic abuse disclosure.

Pure domain logic lives in ``assistant.guidance`` (pathways/ YAML and the
decision engine), ``assistant.extraction`` (free-text pre-fill) and
``assistant.knowledge`` (question answering). None of them imports Rasa;
``assistant.actions`` holds the thin Rasa adapters over them.
"""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PATHWAYS_DIR = PROJECT_ROOT / "pathways"
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
