"""The Microsoft Teams channel: council and health staff ask Signpost in Teams.

``channel`` is the Rasa input/output channel (the only module that imports
Rasa); ``cards`` builds the Adaptive Cards, ``activities`` reads and addresses
Bot Framework activities, ``auth`` checks and obtains Bot Framework tokens and
``connector`` posts the replies. See README.md for deployment.
"""
