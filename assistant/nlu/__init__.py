"""Custom Rasa NLU components.

``sentence_vectors`` is pure (no Rasa import) and decides what the classifier
sees; ``sentence_featurizer`` is the thin Rasa GraphComponent over it.
"""
