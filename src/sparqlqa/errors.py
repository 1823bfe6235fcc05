"""The one exception tree of sparqlqa.

Every error the project raises on purpose derives from :class:`SparqlqaError`, so callers
(the CLI, the HTTP service) can catch one base and show its message. The tree::

    SparqlqaError
    ├── ConfigError            bad settings or arguments (a missing file, an unknown option)
    │   └── DatasetError       a dataset file is malformed (names the file and the record)
    ├── TemplateError          a bad question/query template; names its file and line or id
    ├── StoreError             an embedded store cannot be built or opened
    ├── QueryError             something is wrong with one query
    │   ├── QueryRefused       the guard refused it (update, SERVICE, too long); says why
    │   │   └── QueryTooComplex    over a bound checked before parsing (nesting depth,
    │   │                          tokens, literal length) or too costly to plan; names it
    │   ├── QuerySyntaxError   it does not parse (with the parser's position)
    │   ├── QueryFailed        the engine could not run it (an unsupported function, a type
    │   │                      error) or its worker process died (names the signal)
    │   └── QueryTimeout       it ran past its time limit and was stopped
    ├── Overloaded             no query worker became free within the queue deadline
    │   └── TooManyQueries     one client has too many queries running at once
    ├── EndpointError          a remote endpoint failed; names the URL and the HTTP status
    │   └── EndpointUnreachable    no connection could be made (names the URL)
    ├── TargetError            a query cannot be written as a model target, or a target
    │                          cannot be decoded (unknown slot or prefix)
    ├── CheckpointError        a model folder is missing, incomplete or of another format
    ├── UnknownGraph           a request names a graph or dataset that is not served
    └── NotReady               the graph cannot answer questions yet (e.g. no model)

The service maps them to HTTP status codes in one place (``service``); the CLI prints the
message and exits non-zero.
"""

from __future__ import annotations


class SparqlqaError(Exception):
    """Base of every error sparqlqa raises on purpose."""


class ConfigError(SparqlqaError):
    """Bad settings or arguments."""


class TemplateError(SparqlqaError):
    """A question/query template is malformed or cannot be used; the message names it."""


class DatasetError(ConfigError):
    """A dataset file is malformed; the message names the file and the record."""


class StoreError(SparqlqaError):
    """An embedded store cannot be built or opened."""


class QueryError(SparqlqaError):
    """Something is wrong with one query."""


class QueryRefused(QueryError):
    """The query guard refused the query; the message says why."""


class QueryTooComplex(QueryRefused):
    """The query is over a bound checked before it is parsed, or too costly to plan; the
    message names the limit."""


class QueryFailed(QueryError):
    """The engine could not run the query (an unsupported function, a type error), or the
    worker process running it died; the message names the function or the reason."""


class Overloaded(SparqlqaError):
    """No capacity within the queue deadline: try again in ``retry_after_s`` seconds."""

    def __init__(self, message: str, *, retry_after_s: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TooManyQueries(Overloaded):
    """One client already has as many queries running as it may."""


class QuerySyntaxError(QueryError):
    """The query does not parse."""


class QueryTimeout(QueryError):
    """The query ran past its time limit and was stopped."""


class EndpointError(SparqlqaError):
    """A remote SPARQL endpoint failed."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class EndpointUnreachable(EndpointError):
    """No connection to the endpoint could be made."""


class TargetError(SparqlqaError):
    """A query cannot be written as a model target, or a target cannot be decoded."""


class CheckpointError(SparqlqaError):
    """A model folder is missing, incomplete or written in another format."""


class UnknownGraph(SparqlqaError):
    """A request names a graph or TEXT2SPARQL dataset that is not served; names the known ones."""


class NotReady(SparqlqaError):
    """The graph cannot answer questions (yet): the message says what is missing."""
