"""A measured speed-up inside the Rasa server, with Rasa's behaviour unchanged.

Rasa 3.6 checks every action server response with ``jsonschema.validate(result,
schema)``, which first re-validates the (constant) schema itself against the
JSON Schema meta-schema. Profiling Signpost under load (py-spy, issue 12) put
49 % of the Rasa server's busy time in that meta-schema check and 3 % in the
response check proper. Here the validator is built once and the response is
still checked in full, raising the same error ``jsonschema.validate`` would
(its best match) with Rasa's own message added.

Installed by the module every Signpost Rasa server loads (the redacting
tracker store); importing this module needs Rasa, so the action server never
imports it.
"""
from __future__ import annotations

import functools
from typing import Any

_installed = False


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)   # once, as jsonschema.validate would on every call
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error: ValidationError | None = best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    """Idempotent: replaces RemoteAction's response check with the cached-validator one."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result
    _installed = True
