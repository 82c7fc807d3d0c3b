"""How the exported graphs store their weights: fp16 storage with fp32 compute, and 4-bit
weight-only MatMuls (onnxruntime's MatMulNBits, block 32, float zero points)."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SMALL = 1024  # initializers with fewer values stay float32 (norm weights, biases)


def fp16_storage(model: onnx.ModelProto) -> int:
    """Store every large float32 initializer as float16, cast back to float32 where it is read,
    so the arithmetic stays float32. Returns how many initializers were converted."""
    graph = model.graph
    kept, casts, converted = [], [], 0
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT or int(np.prod(init.dims)) < SMALL:
            kept.append(init)
            continue
        values = numpy_helper.to_array(init).astype(np.float16)
        stored = numpy_helper.from_array(values, init.name + "__fp16")
        kept.append(stored)
        casts.append(helper.make_node("Cast", [stored.name], [init.name], to=TensorProto.FLOAT,
                                      name=init.name + "__cast"))
        converted += 1
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    return converted


BLOCK = 32


def _grid(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """4-bit codes, scales and float zero points that give back `blocks` [rows, nblocks, 32]:
    value = (code - zero) * scale. Weights dequantized from GGUF's Q4_1 (block 32, a scale and
    a minimum) lie on such a grid, so they come back exactly (up to float rounding)."""
    low = blocks.min(axis=-1, keepdims=True)
    high = blocks.max(axis=-1, keepdims=True)
    scale = (high - low) / 15.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    codes = np.clip(np.rint((blocks - low) / scale), 0, 15).astype(np.uint8)
    zero = (-low / scale).astype(np.float32)
    return codes, scale[..., 0], zero[..., 0]


def matmul_4bit(model: onnx.ModelProto) -> tuple[onnx.ModelProto, float]:
    """Replace each MatMul by a constant [K, N] weight with onnxruntime's MatMulNBits: 4-bit
    codes in blocks of 32 along K, a float32 scale and a float32 zero point per block.
    Returns the model and the largest weight error it introduced."""
    graph = model.graph
    inits = {init.name: init for init in graph.initializer}
    worst = 0.0
    nodes = []
    for node in graph.node:
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if weight is None or len(weight.dims) != 2 or weight.dims[0] % BLOCK:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weight).astype(np.float32)
        k, n = w.shape
        blocks = w.T.reshape(n, k // BLOCK, BLOCK)
        codes, scale, zero = _grid(blocks)
        back = (codes.astype(np.float32) - zero[..., None]) * scale[..., None]
        worst = max(worst, float(np.abs(back - blocks).max()))
        packed = (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)  # low nibble first
        base = node.name or weight.name
        new_inits = [
            numpy_helper.from_array(packed, base + "__q4"),
            numpy_helper.from_array(scale.reshape(-1), base + "__scales"),
            numpy_helper.from_array(zero.reshape(-1), base + "__zeros"),
        ]
        graph.initializer.extend(new_inits)
        nodes.append(helper.make_node(
            "MatMulNBits", [node.input[0], *(i.name for i in new_inits)], list(node.output),
            name=base + "__nbits", domain="com.microsoft", K=k, N=n, bits=4, block_size=BLOCK,
        ))
    used = {name for node in nodes for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.node[:]
    graph.node.extend(nodes)
    if not any(op.domain == "com.microsoft" for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model, worst


def tied_embedding_8bit(model: onnx.ModelProto, name: str) -> float:
    """Store the tied embedding `name` [vocab, d] once, as 8-bit codes in blocks of 32 with a
    float32 scale per block (GGUF's Q8_0 layout, which the decoder's embedding came in, so the
    values come back exactly): the unembedding becomes MatMulNBits (8 bits, default zero point
    128) and the token lookup gathers codes and scales and multiplies them out. Returns the
    largest weight error introduced."""
    graph = model.graph
    inits = {init.name: init for init in graph.initializer}
    weight = numpy_helper.to_array(inits[name]).astype(np.float32)
    vocab, dim = weight.shape
    blocks = weight.reshape(vocab, dim // BLOCK, BLOCK)
    scale = np.abs(blocks).max(axis=-1) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    codes = (np.clip(np.rint(blocks / scale[..., None]), -127, 127) + 128).astype(np.uint8)
    worst = float(np.abs((codes.astype(np.float32) - 128) * scale[..., None] - blocks).max())
    graph.initializer.extend([
        numpy_helper.from_array(codes, name + "__q8"),
        numpy_helper.from_array(scale.reshape(-1), name + "__scales"),
        numpy_helper.from_array(np.array([0, 0, dim], np.int64), name + "__row_shape"),
        numpy_helper.from_array(np.array([vocab, dim // BLOCK], np.int64), name + "__scale_shape"),
        numpy_helper.from_array(np.array(128.0, np.float32), name + "__zero"),
        numpy_helper.from_array(np.array([-1], np.int64), name + "__last_axis"),
    ])
    transposed = {n.output[0] for n in graph.node if n.op_type == "Transpose" and n.input[0] == name}
    nodes = []
    for node in graph.node:
        if node.op_type == "Transpose" and node.input[0] == name:
            continue
        if node.op_type == "MatMul" and node.input[1] in transposed:
            nodes.append(helper.make_node(
                "MatMulNBits", [node.input[0], name + "__q8", name + "__scales"], list(node.output),
                name=name + "__unembed", domain="com.microsoft", K=dim, N=vocab, bits=8,
                block_size=BLOCK,
            ))
        elif node.op_type == "Gather" and node.input[0] == name:
            p = name + "__lookup_"
            nodes += [
                helper.make_node("Gather", [name + "__q8", node.input[1]], [p + "codes"], axis=0),
                helper.make_node("Cast", [p + "codes"], [p + "float"], to=TensorProto.FLOAT),
                helper.make_node("Sub", [p + "float", name + "__zero"], [p + "centred"]),
                helper.make_node("Reshape", [name + "__scales", name + "__scale_shape"], [p + "table"]),
                helper.make_node("Gather", [p + "table", node.input[1]], [p + "scales"], axis=0),
                helper.make_node("Unsqueeze", [p + "scales", name + "__last_axis"], [p + "scale"]),
                helper.make_node("Mul", [p + "centred", p + "scale"], [p + "blocks"]),
                helper.make_node("Reshape", [p + "blocks", name + "__row_shape"], list(node.output)),
            ]
        else:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    kept = [init for init in graph.initializer if init.name != name]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return worst


def serialized(model: onnx.ModelProto) -> bytes:
    """One self-contained ONNX file (weights inside); protobuf's 2 GB limit is far away."""
    return model.SerializeToString()  # type: ignore[no-any-return]
