"""The embedding model's word table taken out of its ONNX graph, read at the protobuf wire level.

The pinned model (all-MiniLM-L6-v2, int8) stores each weight as int8 with a float scale, and
its graph turns every weight back into float on every run: `Cast` then `Mul`, then the word
embeddings are a `Gather` of the token ids from the whole float table (30,522 × 384: 47 MB as
float, cast then scaled, ~94 MB at once in each run). `split_word_table` removes those three
nodes and the table's initializers and makes the `Gather`'s output an input of the graph;
`WordTable.lookup` computes that input with numpy from the int8 table: only the rows of the
batch's tokens, cast and scaled with the same float32 products as the graph (the same bits).

No `onnx` package: the few messages touched are read and written with the protobuf wire
format (field numbers from onnx.proto3). A graph of another shape is left as it is (`None`).
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

# onnx.proto3 field numbers
_MODEL_GRAPH = 7
_GRAPH_NODE, _GRAPH_INITIALIZER, _GRAPH_INPUT, _GRAPH_VALUE_INFO = 1, 5, 11, 13
_NODE_INPUT, _NODE_OUTPUT, _NODE_OP_TYPE = 1, 2, 4
_TENSOR_DIMS, _TENSOR_DATA_TYPE, _TENSOR_NAME, _TENSOR_RAW_DATA = 1, 2, 8, 9
_VALUE_NAME, _VALUE_TYPE = 1, 2
_INT8, _FLOAT = 3, 1
_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


@dataclass(frozen=True)
class _Field:
    number: int
    wire: int
    value: int | memoryview  # a varint's value, else the payload (a view: nothing copied)
    raw: memoryview  # the whole field as written: tag, length and payload


@dataclass(frozen=True)
class _Node:
    op_type: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


@dataclass(frozen=True)
class WordTable:
    """The word embeddings as the model stores them: int8 rows and one float scale a row."""

    rows: npt.NDArray[np.int8]  # (vocabulary, width)
    scales: npt.NDArray[np.float32]  # (vocabulary, 1)
    input_name: str  # the graph's input that takes the looked-up rows

    def lookup(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """The rows of `ids` (batch, sequence) as float: the graph's `Cast`, `Mul` and
        `Gather`, in numpy, on those rows only."""
        looked: npt.NDArray[np.float32] = self.rows[ids].astype(np.float32) * self.scales[ids]
        return looked


def split_model_file(source: Path, dest: Path) -> WordTable | None:
    """Write to `dest` the model of `source` without its word table's dequantize-and-gather;
    return that table, or `None` (nothing written) when the graph is not the shape this
    expects. The source is mapped, not read, and the new model written piece by piece: no
    large buffer is allocated then freed (glibc would then keep later ones in its heap)."""
    with source.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        view = memoryview(m)
        try:
            return _write_split(view, dest)
        finally:
            view.release()  # every view into the mapping is gone with `_write_split`'s frame


def _write_split(model: memoryview, dest: Path) -> WordTable | None:
    found = split_word_table(model)
    if found is None:
        return None
    parts, table = found
    with dest.open("wb") as out:
        out.writelines(parts)
    return table


def split_word_table(
    model: memoryview, ids_input: str = "input_ids"
) -> tuple[list[bytes | memoryview], WordTable] | None:
    """The model (as pieces to write one after the other) without its word table's
    dequantize-and-gather, and that table; `None` when the graph is not the shape this
    expects (then the model runs as it is)."""
    fields = list(_read(model))
    graph_fields = [f for f in fields if f.number == _MODEL_GRAPH and f.wire == _LEN]
    if len(graph_fields) != 1:
        return None
    graph = list(_read(_payload(graph_fields[0])))
    nodes = {i: _node(_payload(f)) for i, f in enumerate(graph) if f.number == _GRAPH_NODE}
    found = _find_chain(nodes, ids_input)
    if found is None:
        return None
    drop_nodes, quantized, scale, looked_up = found
    tensors = {
        i: _tensor(_payload(f)) for i, f in enumerate(graph) if f.number == _GRAPH_INITIALIZER
    }
    by_name = {t.name: (i, t) for i, t in tensors.items() if t.name in (quantized, scale)}
    if set(by_name) != {quantized, scale}:
        return None
    table = _word_table(by_name[quantized][1], by_name[scale][1], looked_up)
    if table is None:
        return None
    if _used_elsewhere(nodes, drop_nodes, (quantized, scale)):
        return None
    width = int(table.rows.shape[1])
    drop = set(drop_nodes) | {by_name[quantized][0], by_name[scale][0]}
    kept: list[bytes | memoryview] = [
        f.raw
        for i, f in enumerate(graph)
        if i not in drop and not (f.number == _GRAPH_VALUE_INFO and _value_name(f) == looked_up)
    ]
    kept.append(_len_field(_GRAPH_INPUT, _float_input(looked_up, width)))
    header = _encode_varint(_MODEL_GRAPH << 3 | _LEN) + _encode_varint(sum(map(len, kept)))
    parts: list[bytes | memoryview] = []
    for f in fields:
        parts.extend([header, *kept] if f is graph_fields[0] else [f.raw])
    return parts, table


def _find_chain(
    nodes: dict[int, _Node], ids_input: str
) -> tuple[tuple[int, ...], str, str, str] | None:
    """(the Cast, Mul and Gather nodes' positions, the int8 table's name, the scale's name,
    the Gather's output) of the one Gather of `ids_input` from a dequantized table."""
    producers = {out: i for i, n in nodes.items() for out in n.outputs}
    gathers = [
        i
        for i, n in nodes.items()
        if n.op_type == "Gather" and len(n.inputs) == 2 and n.inputs[1] == ids_input
    ]
    if len(gathers) != 1:
        return None
    gather = nodes[gathers[0]]
    mul_at = producers.get(gather.inputs[0])
    if mul_at is None or nodes[mul_at].op_type != "Mul" or len(nodes[mul_at].inputs) != 2:
        return None
    cast_output, scale = nodes[mul_at].inputs
    cast_at = producers.get(cast_output)
    if cast_at is None or nodes[cast_at].op_type != "Cast" or len(nodes[cast_at].inputs) != 1:
        return None
    quantized = nodes[cast_at].inputs[0]
    if quantized in producers or scale in producers or len(gather.outputs) != 1:
        return None
    return (cast_at, mul_at, gathers[0]), quantized, scale, gather.outputs[0]


def _used_elsewhere(
    nodes: dict[int, _Node], dropped: tuple[int, ...], names: tuple[str, ...]
) -> bool:
    """Whether a node kept reads the initializers removed or the float table (the Cast's and
    the Mul's outputs); the Gather's output stays, as an input of the graph."""
    gone = set(names) | {out for i in dropped[:2] for out in nodes[i].outputs}
    return any(name in gone for i, n in nodes.items() if i not in dropped for name in n.inputs)


def _word_table(quantized: _Tensor, scale: _Tensor, looked_up: str) -> WordTable | None:
    if quantized.data_type != _INT8 or scale.data_type != _FLOAT:
        return None
    if len(quantized.dims) != 2 or scale.dims != (quantized.dims[0], 1):
        return None
    rows_count, width = quantized.dims
    if len(quantized.raw) != rows_count * width or len(scale.raw) != rows_count * 4:
        return None
    rows = np.frombuffer(quantized.raw, dtype=np.int8).reshape(rows_count, width).copy()
    scales = np.frombuffer(scale.raw, dtype="<f4").astype(np.float32).reshape(rows_count, 1)
    return WordTable(rows, scales, looked_up)


@dataclass(frozen=True)
class _Tensor:
    name: str
    data_type: int
    dims: tuple[int, ...]
    raw: memoryview


def _tensor(payload: memoryview) -> _Tensor:
    name, data_type, raw = "", 0, memoryview(b"")
    dims: list[int] = []
    for f in _read(payload):
        if f.number == _TENSOR_NAME and isinstance(f.value, memoryview):
            name = str(f.value, "utf-8")
        elif f.number == _TENSOR_DATA_TYPE and isinstance(f.value, int):
            data_type = f.value
        elif f.number == _TENSOR_RAW_DATA and isinstance(f.value, memoryview):
            raw = f.value
        elif f.number == _TENSOR_DIMS:
            dims.extend(_varints(f))
    return _Tensor(name, data_type, tuple(dims), raw)


def _node(payload: memoryview) -> _Node:
    op_type, inputs, outputs = "", [], []
    for f in _read(payload):
        if not isinstance(f.value, memoryview):
            continue
        if f.number == _NODE_OP_TYPE:
            op_type = str(f.value, "utf-8")
        elif f.number == _NODE_INPUT:
            inputs.append(str(f.value, "utf-8"))
        elif f.number == _NODE_OUTPUT:
            outputs.append(str(f.value, "utf-8"))
    return _Node(op_type, tuple(inputs), tuple(outputs))


def _value_name(field: _Field) -> str:
    for f in _read(_payload(field)):
        if f.number == _VALUE_NAME and isinstance(f.value, memoryview):
            return str(f.value, "utf-8")
    return ""


def _float_input(name: str, width: int) -> bytes:
    """A ValueInfoProto: `name`, float tensor of shape (batch, sequence, width)."""
    dims = (
        _len_field(1, _len_field(2, b"batch"))
        + _len_field(1, _len_field(2, b"sequence"))
        + _len_field(1, _varint_field(1, width))
    )
    tensor_type = _varint_field(1, _FLOAT) + _len_field(2, dims)
    return _len_field(_VALUE_NAME, name.encode("utf-8")) + _len_field(
        _VALUE_TYPE, _len_field(1, tensor_type)
    )


# --- the wire format ---------------------------------------------------------------------


def _read(buf: memoryview) -> Iterator[_Field]:
    """The fields of one message, in order; raises ValueError on a malformed one."""
    pos, end = 0, len(buf)
    while pos < end:
        start = pos
        tag, pos = _varint(buf, pos)
        number, wire = tag >> 3, tag & 7
        value: int | memoryview
        if wire == _VARINT:
            value, pos = _varint(buf, pos)
        elif wire == _LEN:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        elif wire == _I64:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == _I32:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos > end:
            raise ValueError("truncated protobuf message")
        yield _Field(number, wire, value, buf[start:pos])


def _varint(buf: memoryview, pos: int) -> tuple[int, int]:
    result, shift = 0, 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _varints(field: _Field) -> list[int]:
    """A repeated integer field's values: one varint, or a packed run of them."""
    if isinstance(field.value, int):
        return [field.value]
    values, pos = [], 0
    while pos < len(field.value):
        value, pos = _varint(field.value, pos)
        values.append(value)
    return values


def _payload(field: _Field) -> memoryview:
    if not isinstance(field.value, memoryview):
        raise ValueError(f"field {field.number} is not length-delimited")
    return field.value


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _varint_field(number: int, value: int) -> bytes:
    return _encode_varint(number << 3 | _VARINT) + _encode_varint(value)


def _len_field(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | _LEN) + _encode_varint(len(payload)) + payload
