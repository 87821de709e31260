"""Reading typed keys out of config.json dicts, every problem named by the file and key."""

from __future__ import annotations

from errors import OracleError

SUPPORTED_ACTS = ("silu", "swish", "gelu", "quick_gelu", "gelu_pytorch_tanh", "gelu_new", "relu")


class Fields:
    """Looks keys up in dicts in order, then in defaults; type errors name the file and key."""

    def __init__(self, path: str, scopes: list[tuple[str, dict]], defaults: dict[str, object]) -> None:
        self.path = path
        self.scopes = scopes
        self.defaults = defaults

    def raw(self, key: str) -> tuple[object, str]:
        for prefix, scope in self.scopes:
            if key in scope and scope[key] is not None:
                return scope[key], prefix + key
        if key in self.defaults:
            return self.defaults[key], f"{key} (default)"
        raise OracleError(f"{self.path}: '{key}' is missing")

    def get_int(self, key: str, minimum: int = 1) -> int:
        value, where = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise OracleError(f"{self.path}: '{where}' must be an integer >= {minimum}, got {value!r}")
        return value

    def get_float(self, key: str) -> float:
        value, where = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise OracleError(f"{self.path}: '{where}' must be a positive number, got {value!r}")
        return float(value)

    def get_bool(self, key: str) -> bool:
        value, where = self.raw(key)
        if not isinstance(value, bool):
            raise OracleError(f"{self.path}: '{where}' must be true or false, got {value!r}")
        return value

    def get_act(self, key: str) -> str:
        value, where = self.raw(key)
        if value not in SUPPORTED_ACTS:
            raise OracleError(f"{self.path}: '{where}' is {value!r}; the oracle knows {', '.join(SUPPORTED_ACTS)}")
        return str(value)

    def get_int_list(self, key: str) -> tuple[int, ...]:
        value, where = self.raw(key)
        if not isinstance(value, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in value
        ):
            raise OracleError(f"{self.path}: '{where}' must be a list of non-negative integers, got {value!r}")
        return tuple(value)


def sub_dict(path: str, data: dict, key: str) -> dict:
    """data[key] as a dict ({} when absent or null)."""
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OracleError(f"{path}: '{key}' must be an object")
    return value
