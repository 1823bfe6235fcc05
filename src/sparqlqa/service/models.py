"""Request and response models of the API (they make the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class AskRequest(BaseModel):
    question: str = Field(min_length=1, description="The question, in English, German or Spanish.")
    language: Literal["en", "de", "es"] | None = Field(
        None, description="Language of the question (en, de, es); detected when absent."
    )
    k: int | None = Field(None, ge=1, description="Candidate queries to try (default 5).")
    graph: str | None = Field(
        None, description="Graph name or TEXT2SPARQL dataset id; default: the first graph."
    )


class AnswerItem(BaseModel):
    value: str
    type: str
    label: str | None = None


class EntityOut(BaseModel):
    iri: str
    label: str
    start: int
    end: int
    score: float
    class_iri: str | None = None
    class_label: str | None = None


class CandidateOut(BaseModel):
    target: str = Field(description="What the model wrote (entity slots, prefixed names).")
    query: str | None = Field(description="The executable query decoded from it.")
    score: float = Field(
        description="Mean log-probability per token of the model (a proposal: log of its prior)."
    )
    confidence: float | None = Field(
        None, description="exp(score) weighted by whether it ran and fit (qa.abstain)."
    )
    accepted: bool
    rejected_because: str | None = None
    origin: str = Field(
        "beam", description="Where it came from: the translator's beam, or a proposer's name."
    )
    rank_score: float | None = Field(
        None,
        description="The graph's ranker's score of it (higher is better; the confidence is "
        "its sigmoid); absent when the graph has no ranker or the candidate did not fit.",
    )
    form_problem: str | None = Field(
        None,
        description="What keeps it from the form the question asks for (no ordering for "
        "'the cheapest', no AVG for 'the average', an answer that repeats what the question "
        "names): such a candidate is chosen only when every fitting one has such a problem.",
    )
    reached_through: str | None = Field(
        None,
        description="The number property its query was extended by because its own answers "
        "were value nodes (a price node rather than its amount); absent otherwise.",
    )


class AskResponse(BaseModel):
    question: str
    graph: str
    answered: bool = Field(description="Whether a candidate returned an answer of the right kind.")
    query: str | None = Field(description="The chosen query, or the best candidate when none fit.")
    answers: list[AnswerItem] = Field(description="The answers as a flat list, with labels.")
    result: dict[str, Any] | None = Field(description="The SPARQL 1.1 JSON results of the query.")
    entities: list[EntityOut]
    schema_used: list[str] = Field(description="IRIs of the schema terms shown to the model.")
    candidates: list[CandidateOut]
    reason: str | None = Field(None, description="Why nothing was answered, if so.")
    confidence: float | None = Field(
        None, description="Confidence of the chosen query (or of the best candidate)."
    )
    best_candidate: CandidateOut | None = Field(
        None, description="The best candidate (query and score), also when not answered."
    )
    timings_ms: dict[str, float]
    language: str = Field(description="The language the question was read in (given or detected).")


class Text2SparqlResponse(BaseModel):
    dataset: str
    question: str
    query: str


class GraphStatus(BaseModel):
    name: str
    datasets: list[str]
    store: str
    answers_questions: bool
    problem: str | None = None


class ReadyResponse(BaseModel):
    ready: bool
    graphs: list[GraphStatus]


class Example(BaseModel):
    question: str
    shape: str = Field(description="The kind of question: lookup, count, ask, superlative, ...")


class ExamplesResponse(BaseModel):
    graph: str
    examples: list[Example] = Field(
        description="Questions of the graph's generated test split, one per template at most."
    )


class ErrorBody(BaseModel):
    """Every error response: the error's kind and what went wrong."""

    error: str = Field(description="The error's kind, e.g. QueryTooComplex.")
    message: str = Field(description="What went wrong, naming the limit or reason.")


def error_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route for OpenAPI: each status code with its description and
    the :class:`ErrorBody` every error response carries (``service/errors.py``)."""
    return {code: {"model": ErrorBody, "description": text} for code, text in descriptions.items()}


#: The error responses of the question routes (/ask, /text2sparql, / with a question).
QUESTION_ERRORS = error_responses(
    {
        400: "The body is not JSON.",
        404: "UnknownGraph: no served graph of that name or dataset id.",
        413: "BodyTooLarge: the body is over max_body_bytes.",
        422: "InvalidRequest: a missing or empty question, one over max_question_chars, "
        "k over max_k, an unknown language.",
        429: "RateLimited: over rate_limit_per_minute for this address; see Retry-After.",
        503: "NotReady (the graph has no translator model) or Overloaded; see Retry-After.",
    }
)
