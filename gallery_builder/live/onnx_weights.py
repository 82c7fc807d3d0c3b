"""How the exported graphs store their weights: fp16 storage with fp32 compute, and 4-bit
weight-only MatMuls (onnxruntime's MatMulNBits, asymmetric, block 32)."""

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


def matmul_4bit(model: onnx.ModelProto) -> onnx.ModelProto:
    """Replace the MatMuls with constant weights by MatMulNBits (4-bit, asymmetric, block 32)."""
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    quantizer = MatMulNBitsQuantizer(model, bits=4, block_size=32, is_symmetric=False)
    quantizer.process()
    return quantizer.model.model  # type: ignore[no-any-return]


def serialized(model: onnx.ModelProto) -> bytes:
    """One self-contained ONNX file (weights inside); protobuf's 2 GB limit is far away."""
    return model.SerializeToString()  # type: ignore[no-any-return]
