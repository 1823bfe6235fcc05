"""The translator quantized to int8: the same best candidates as float32 on the tiny trained
model, the ``quantize`` setting reaches the graph's translator, and a bad value is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from pydantic import ValidationError

from sparqlqa.errors import ConfigError
from sparqlqa.qa.graphs import GraphSettings, open_graph
from sparqlqa.service.settings import Settings
from sparqlqa.training.translate import Translator

QUESTIONS = [
    "Which department does Wolfgang Martin work in?",
    "What is the e-mail address of Wolfgang Martin?",
    "Who is the manager of Liese Adam?",
]


def _quantized_layers(model: torch.nn.Module) -> int:
    return sum(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in model.modules())


def _graph_translator(graph: object) -> Translator:
    # QAPipeline -> BatchingTranslator -> ModelTranslator -> training.translate.Translator
    return graph.pipeline.translator.translator.translator  # type: ignore[attr-defined]


def test_int8_gives_the_same_best_candidate_as_float32(
    model_graph: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARQLQA_QUANTIZE", "none")
    graph = open_graph(model_graph, Settings(warm_up=False))
    try:
        assert graph.pipeline is not None, graph.problem
        fp32 = _graph_translator(graph)  # the setting is honoured: no int8 layer
        assert fp32.quantize == "none" and _quantized_layers(fp32.bundle.model) == 0
        int8 = Translator(model_graph / "model", device="cpu", quantize="int8")
        assert _quantized_layers(int8.bundle.model) > 0
        for question in QUESTIONS:
            prompt = graph.pipeline.prepare(question)[0]
            for k in (1, 4):  # greedy and beam search
                want = fp32.translate([prompt], k)[0]
                got = int8.translate([prompt], k)[0]
                assert got[0].target == want[0].target, (question, k)
                assert got[0].score == pytest.approx(want[0].score, abs=0.05)
    finally:
        graph.close()


def test_the_default_is_int8_without_early_stopping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPARQLQA_QUANTIZE", raising=False)
    monkeypatch.delenv("SPARQLQA_BEAM_EARLY_STOPPING", raising=False)
    settings = GraphSettings()
    assert settings.quantize == "int8"
    assert settings.beam_early_stopping is False
    monkeypatch.setenv("SPARQLQA_QUANTIZE", "INT8 ")  # spelling is forgiven, not the value
    assert GraphSettings().quantize == "int8"


@pytest.mark.parametrize("value", ["int4", "fp16", ""])
def test_a_bad_quantize_value_is_refused_clearly(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARQLQA_QUANTIZE", value)
    with pytest.raises(ValidationError, match=r"unknown quantization .*use one of none, int8"):
        Settings()
    with pytest.raises(ConfigError, match="use one of none, int8"):
        # Checked before the model loads: the folder is not even looked at.
        Translator(Path("/nonexistent"), device="cpu", quantize=value)
