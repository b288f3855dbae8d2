"""Signpost: where to refer a domestic abuse disclosure.

Pure domain logic lives in ``assistant.guidance`` (pathways/ YAML and the
decision engine), ``assistant.extraction`` (free-text pre-fill) and
``assistant.knowledge`` (question answering). None of them imports Rasa;
``assistant.actions`` holds the thin Rasa adapters over them.
"""
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# SIGNPOST_PATHWAYS_DIR points the bot at another guidance folder (the authors'
# workspace publishes into one; its tests run the bot on a temporary copy).
PATHWAYS_DIR = Path(os.environ.get("SIGNPOST_PATHWAYS_DIR") or PROJECT_ROOT / "pathways")
# SIGNPOST_KNOWLEDGE_DIR likewise for the knowledge articles (the workspace publishes articles too).
KNOWLEDGE_DIR = Path(os.environ.get("SIGNPOST_KNOWLEDGE_DIR") or PROJECT_ROOT / "knowledge")
