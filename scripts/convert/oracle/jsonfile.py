"""Reading a JSON object from a file, every failure named by the file."""

from __future__ import annotations

import json

from errors import OracleError


def read_json_object(path: str, what: str) -> dict:
    """The object in path; what says what the file is for the messages ("the request", "config")."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise OracleError(f"{path}: cannot read {what} ({e.strerror})") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise OracleError(f"{path}: {what} is not valid JSON ({e})") from e
    if not isinstance(data, dict):
        raise OracleError(f"{path}: {what} must be a JSON object")
    return data
