"""The one error type the oracle reports: bad input, named by file, field or tensor."""


class OracleError(Exception):
    """A request, config or checkpoint the oracle cannot use; the message names what is wrong."""
