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
    │   ├── QuerySyntaxError   it does not parse (with the parser's position)
    │   └── QueryTimeout       it ran past its time limit and was stopped
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
