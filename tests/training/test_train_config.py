"""The training configuration: files, flags, validation; and record → example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparqlqa.errors import ConfigError
from sparqlqa.kg.store import SparqlStore
from sparqlqa.training.config import TrainConfig, build_parser, from_dict, parse_args
from sparqlqa.training.examples import PromptBuilder, read_records, schema_source


def test_yaml_file_then_flags_override(tmp_path: Path) -> None:
    config_file = tmp_path / "train.yaml"
    config_file.write_text(
        "data: pairs/\n"
        "schema: store/\n"  # one path is read as a list of one
        "output_dir: runs/a\n"
        "learning_rate: 5e-4\n"  # YAML 1.1 reads this as a string
        "freeze_encoder: true\n"
        "max_steps: 100\n"
    )
    config = parse_args(["--config", str(config_file), "--max-steps", "7", "--seed", "9"])
    assert config.data == "pairs/"
    assert config.schema == ["store/"]
    assert config.learning_rate == 5e-4
    assert config.freeze_encoder is True
    assert (config.max_steps, config.seed) == (7, 9)
    assert parse_args(["--no-freeze-encoder", "--config", str(config_file)]).freeze_encoder is False


def test_json_file(tmp_path: Path) -> None:
    config_file = tmp_path / "train.json"
    config_file.write_text(json.dumps({"model": "tiny-codegen", "schema": ["a.ttl", "b.ttl"]}))
    config = parse_args(["--config", str(config_file)])
    assert (config.model, config.schema) == ("tiny-codegen", ["a.ttl", "b.ttl"])


@pytest.mark.parametrize(
    ("text", "message", "names_file"),
    [
        pytest.param(
            "learning_rat: 0.1\n", "unknown settings learning_rat", True, id="unknown-key"
        ),
        pytest.param("- a\n- b\n", "expected a mapping", True, id="not-a-mapping"),
        pytest.param("max_steps: many\n", "setting max_steps", False, id="bad-int"),
        pytest.param("resume: 3\n", "setting resume", False, id="bad-bool"),
        pytest.param("batch_size: 0\n", "batch_size", False, id="invalid-value"),
        pytest.param("lr_scheduler: step\n", "lr_scheduler 'step'", False, id="invalid-choice"),
    ],
)
def test_bad_config_files_are_refused(
    tmp_path: Path, text: str, message: str, names_file: bool
) -> None:
    config_file = tmp_path / "bad.yaml"
    config_file.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        parse_args(["--config", str(config_file)])
    assert (str(config_file) in str(info.value)) == names_file


def test_missing_paths_and_file() -> None:
    with pytest.raises(ConfigError, match="missing: data, output_dir, schema"):
        TrainConfig().check_paths()
    with pytest.raises(ConfigError, match="does not exist"):
        parse_args(["--config", "/nonexistent/train.yaml"])
    with pytest.raises(ConfigError, match="unknown settings nope"):
        from_dict({"nope": 1})


def test_graph_folders_and_a_kept_adapter_are_checked(tmp_path: Path) -> None:
    # Graph folders stand in for data and schema, but each must hold generated pairs.
    (tmp_path / "alpha" / "pairs").mkdir(parents=True)
    config = TrainConfig(graphs=[str(tmp_path / "alpha")], output_dir=str(tmp_path / "out"))
    config.check_paths()
    assert config.sources() == [(tmp_path / "alpha" / "pairs", [])]
    (tmp_path / "alpha" / "schema.json").write_text("{}")
    assert config.sources()[0][1] == [tmp_path / "alpha" / "schema.json"]
    config = TrainConfig(graphs=[str(tmp_path)], output_dir=str(tmp_path / "out"))
    with pytest.raises(ConfigError, match="not a graph folder with generated pairs"):
        config.check_paths()
    with pytest.raises(ConfigError, match="missing: schema"):
        TrainConfig(data="pairs", graphs=[str(tmp_path / "alpha")], output_dir="o").check_paths()
    # An adapter kept apart needs LoRA and a base that is a model folder, not a preset.
    with pytest.raises(ConfigError, match="give lora_r > 0"):
        TrainConfig(merge_adapter=False)
    kept = TrainConfig(
        graphs=[str(tmp_path / "alpha")],
        output_dir=str(tmp_path / "out"),
        model="tiny-seq2seq",
        lora_r=4,
        merge_adapter=False,
    )
    with pytest.raises(ConfigError, match="must be a local model folder"):
        kept.check_paths()
    assert parse_args(["--graphs", "a", "b"]).graphs == ["a", "b"]


def test_every_field_has_help_and_a_flag() -> None:
    text = build_parser().format_help()
    for name, field in TrainConfig.__dataclass_fields__.items():
        assert field.metadata.get("help"), name
        assert "--" + name.replace("_", "-") in text


def test_examples_put_entities_in_question_order_and_gold_terms_in_the_block(
    tmp_path: Path, corporate_store_path: Path, corporate_store: SparqlStore
) -> None:
    pv = "http://ld.company.org/prod-vocab/"
    emp = "http://ld.company.org/prod-instances/empl-Liese.Adam%40company.org"
    hw = "http://ld.company.org/prod-instances/hw-J731-7469427"
    question = "Is Liese Adam the product manager of J731-7469427 - Transformer Compensator?"
    record = {
        "id": "r1",
        "question": question,
        "query": f"ASK {{ <{hw}> <{pv}hasProductManager> <{emp}> }}",
        "answers": ["false"],
        "shape": "ask",
        # listed out of order on purpose: slots follow the question
        "entities": [
            {
                "slot": "A",
                "iri": hw,
                "label": "J731-7469427 - Transformer Compensator",
                "start": question.index("J731"),
                "end": len(question) - 1,
            },
            {"slot": "B", "iri": emp, "label": "Liese Adam", "start": 3, "end": 13},
        ],
    }
    source = schema_source([corporate_store_path])
    builder = PromptBuilder(source, schema_items=6, seed=1)
    example = builder.examples([record])[0]
    assert example.target == "ASK { ENT1 pv:hasProductManager ENT0 }"
    assert example.slot_iris == {"ENT0": emp, "ENT1": hw}
    assert "ENT0 = Liese Adam (Employee) ; ENT1 = J731-7469427 - Transformer Compensator" in (
        example.prompt
    )
    schema_line = next(x for x in example.prompt.splitlines() if x.startswith("schema: "))
    assert "pv:hasProductManager = " in schema_line
    assert schema_line.count(" | ") == 5  # 6 items: the gold property and 5 distractors
    again = PromptBuilder(source, schema_items=6, seed=1).examples([record])[0]
    other_seed = PromptBuilder(source, schema_items=6, seed=2).examples([record])[0]
    assert again.prompt == example.prompt
    assert other_seed.prompt != example.prompt
    assert example.prompt.endswith("\nsparql:")


def test_bad_records_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text('{"id": "a", "question": "q", "query": "ASK {}", "entities": []}\n{oops\n')
    with pytest.raises(ConfigError, match=r"train.jsonl:2: not valid JSON"):
        list(read_records(path))
    path.write_text('{"id": "a", "question": "q"}\n')
    with pytest.raises(ConfigError, match=r"train.jsonl:1: record lacks entities, query"):
        list(read_records(path))
