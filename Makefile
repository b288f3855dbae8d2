# Signpost. `make install`, then `make test`; `make run` to talk to it.
SHELL := /bin/bash
BIN := .venv/bin
# Nothing may download model weights at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install lint test test-fast run shell bench validate

install:
	bash scripts/install.sh

# Lint and types gate every test run (CI runs `make test`).
LINTED := assistant channels bench scripts tests
lint:
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy assistant channels

# Every lane, one process: the stack tests share one Rasa stack per session
# (a worker each would start, and train for, a stack each on a two-core host).
test: lint
	$(BIN)/python -m pytest -q

# The unit lane only: pure Python, no servers, no browser (under a minute on two
# cores). Workers from pytest-xdist, one per core (at most 4); --dist loadgroup
# keeps the tests of one costly fixture (the knowledge index, the stopping walks)
# on one worker so it is built once (tests/conftest.py). The knowledge tests'
# vectors are kept in .cache/test-embeddings, so later runs do not recompute them.
# SIGNPOST_FAST_PROPERTIES=1: each Hypothesis property tries a quarter of its
# examples (at least 25; tests/support/examples.py); `make test` tries them all.
# TEST_FAST_WORKERS=0 runs it in one process (quicker when other work already fills the cores).
TEST_FAST_WORKERS ?= auto
test-fast:
	SIGNPOST_FAST_PROPERTIES=1 $(BIN)/python -m pytest -q -m unit -n $(TEST_FAST_WORKERS) --maxprocesses=4 --dist loadgroup

run:
	$(BIN)/python scripts/run_stack.py

shell:
	$(BIN)/python scripts/run_stack.py --shell

bench:
	$(BIN)/python -m bench

validate:
	$(BIN)/signpost validate pathways/

# The authors' workspace (issue 14) on http://localhost:8090 (SIGNPOST_WORKSPACE_PORT);
# add an account first: .venv/bin/signpost authors add NAME --role reviewer
.PHONY: workspace
workspace:
	$(BIN)/python -m assistant.workspace --pathways pathways --knowledge knowledge

# The Teams app package an admin uploads (channels/teams/README.md): settings from
# channels/teams/app/package.yml (or TEAMS_PACKAGE_CONFIG) and the environment
# (TEAMS_APP_ID, TEAMS_PACKAGE_*); the manifest is checked against Microsoft's schema.
TEAMS_PACKAGE_OUT ?= build/signpost-teams.zip
.PHONY: teams-package
teams-package:
	$(BIN)/python -m channels.teams.package --out $(TEAMS_PACKAGE_OUT)
