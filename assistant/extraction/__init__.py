"""Free-text pre-fill: which facts a professional's message clearly states.

Pure Python, no Rasa. Phrasings live in pathways/phrasings.yaml so a guidance
author can teach a new way of saying something without a developer.
"""
from assistant.extraction.extract import Extracted, answer_when_asked, extract_facts
from assistant.extraction.phrasings import Phrasings, PhrasingsError, load_phrasings, parse_phrasings

__all__ = ["Extracted", "answer_when_asked", "extract_facts", "Phrasings", "PhrasingsError", "load_phrasings",
           "parse_phrasings"]
