"""
# The KV cache: generating one token at a time

Generate one token at a time with the key/value cache: what it stores, how it grows, and a check that it changes no result.

The page also shows how grouped-query attention shrinks the cache, and checks that the cache changes nothing but the
amount of work. A decoder predicts one token, appends it, and predicts again. Recomputing the whole sequence at every step would
repeat almost all of the work, so the model keeps each layer's keys and values for the tokens it has already seen
(the *KV cache*) and only runs the newest token through the network. This page opens the cache that transformers
returns, runs a greedy decoding loop by hand, and compares it with recomputing from scratch and with
`model.generate`.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## Load the model
#
# The cache stores one key and one value vector per *key/value* head, so its size depends on
# `num_key_value_heads`, not on the number of query heads.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
# eager: attention weights
model = AutoModelForCausalLM.from_pretrained(
    MODEL_NAME, attn_implementation="eager"
)
model.eval()

config = model.config
n_layers = config.num_hidden_layers
n_heads = config.num_attention_heads
n_kv_heads = config.num_key_value_heads
head_dim = model.model.layers[0].self_attn.head_dim
print(
    f"{n_layers} layers, {n_heads} query heads, {n_kv_heads} key/value heads, "
    f"head_dim {head_dim}"
)


def label(token_id):
    """Readable token text: a leading space becomes '␣', a newline becomes
    '\\n'."""
    return tokenizer.decode([token_id]).replace(" ", "␣").replace("\n", "\\n")


# %%
# ## Prefill: run the prompt once and keep the cache
#
# With `use_cache=True` the output carries a `cache` object (a `DynamicCache`) with one entry per layer. Each entry
# holds keys and values shaped (batch, key/value heads, positions, head_dim). Note the second number: the key/value
# heads, not the query heads. The keys are stored *after* the rotary position embedding has been applied, so each
# one already has its position baked in.

prompt = "The capital of France is"
inputs = tokenizer(prompt, return_tensors="pt")
prompt_ids = inputs["input_ids"]

with torch.no_grad():
    outputs = model(**inputs, use_cache=True)
cache = outputs.cache

print("tokens:", " ".join(label(i) for i in prompt_ids[0].tolist()))
print(
    f"cache: {type(cache).__name__} with {len(cache.layers)} layers, "
    f"{cache.get_seq_length()} positions"
)
print(
    "layer 0 keys:  ",
    tuple(cache.layers[0].keys.shape),
    " (batch, key/value heads, positions, head_dim)",
)
print("layer 0 values:", tuple(cache.layers[0].values.shape))


def cache_bytes(cache):
    return sum(
        layer.keys.nbytes + layer.values.nbytes for layer in cache.layers
    )


# %%
# ## Decode: one new token per step
#
# Each step feeds only the newest token, together with the cache. The model attends from that single query to all
# cached keys, appends the new token's keys and values, and returns logits for one position. For comparison we also
# recompute every step from scratch on the full sequence (`logits_to_keep=1`: logits for the last position only),
# and check that both give the same logits (up to float rounding) and the same greedy token. (After " Paris." the
# text wanders off: this is an instruct model, and we feed it raw text instead of its chat template.)

max_new_tokens = 16
next_id = outputs.logits[0, -1].argmax()
sequence = prompt_ids
steps = []
# token positions pushed through the model: the work each way costs
positions_cached = positions_full = 0
with torch.no_grad():
    for step in range(max_new_tokens):
        sequence = torch.cat([sequence, next_id.view(1, 1)], dim=1)

        cached_logits = model(
            input_ids=next_id.view(1, 1), cache=cache, use_cache=True
        ).logits[0, -1]
        positions_cached += 1

        full_logits = model(input_ids=sequence, logits_to_keep=1).logits[0, -1]
        positions_full += sequence.shape[1]

        steps.append(
            {
                "token": label(next_id.item()),
                "positions": cache.get_seq_length(),
                "bytes": cache_bytes(cache),
                "difference": (cached_logits - full_logits).abs().max().item(),
                "same choice": cached_logits.argmax().item()
                == full_logits.argmax().item(),
            }
        )
        next_id = cached_logits.argmax()
        if next_id.item() == tokenizer.eos_token_id:
            break

print("generated:", repr(tokenizer.decode(sequence[0, prompt_ids.shape[1] :])))
print(
    "largest logit difference, cached vs recomputed: "
    f"{max(s['difference'] for s in steps):.1e}"
)
print("same greedy token at every step:", all(s["same choice"] for s in steps))
assert tokenizer.decode(sequence[0, prompt_ids.shape[1] :]).startswith(
    " Paris."
)
assert max(s["difference"] for s in steps) < 1e-3  # float rounding only
assert all(s["same choice"] for s in steps)
print(
    f"token positions computed over {len(steps)} steps: {positions_cached} "
    "with the cache, "
    f"{positions_full} recomputing the whole sequence each time"
)

# %%
# ## The same text from `model.generate`
#
# `generate` with `do_sample=False` runs this loop for us (greedy decoding, with the cache). The tokens match.

with torch.no_grad():
    generated = model.generate(
        **inputs, max_new_tokens=len(steps), do_sample=False
    )
print("generate:", repr(tokenizer.decode(generated[0, prompt_ids.shape[1] :])))
print(
    "identical to the hand-written loop:",
    torch.equal(generated[0, : sequence.shape[1]], sequence[0]),
)
assert torch.equal(generated[0, : sequence.shape[1]], sequence[0])

# %%
# ## How big does the cache get?
#
# Every token adds one key and one value vector per key/value head in every layer:
# 2 × layers × key/value heads × head_dim numbers. The left panel plots the measured size of the cache after each
# step of the loop above, and what it would be if every query head had its own keys and values (classic multi-head
# attention). The ratio is `num_attention_heads / num_key_value_heads`. The right panel extrapolates both lines to
# the model's maximum context length.

positions = np.array([s["positions"] for s in steps])
measured_kb = np.array([s["bytes"] for s in steps]) / 1024
bytes_per_number = cache.layers[0].keys.element_size()
per_token = 2 * n_layers * n_kv_heads * head_dim * bytes_per_number
# the formula matches the real tensors
assert np.allclose(measured_kb * 1024, positions * per_token)
mha_factor = n_heads / n_kv_heads

fig, (left, right) = plt.subplots(
    1, 2, figsize=(6.8, 4.0), constrained_layout=True
)
left.plot(positions, measured_kb, "o-")  # measured
# what multi-head attention would store
left.plot(positions, measured_kb * mha_factor, "--")
left.set_xlim(0, positions[-1] + 1)
left.set_ylim(0, None)
left.xaxis.get_major_locator().set_params(integer=True)
left.set_xlabel("positions in the cache")
left.set_ylabel("cache size (KiB)")
left.set_title("Cache size during the loop\n(dots: measured)", fontsize=11)

max_len = config.max_position_embeddings
lengths = np.linspace(0, max_len, 50)
right.plot(
    lengths,
    lengths * per_token / 2**20,
    label=f"grouped-query ({n_kv_heads} key/value heads)",
)
right.plot(
    lengths,
    lengths * per_token * mha_factor / 2**20,
    "--",
    label=f"multi-head ({n_heads} key/value heads)",
)
right.set_xlabel("context length (tokens)")
right.set_ylabel("cache size (MiB), batch of 1")
right.set_title(f"Up to the maximum context\n({max_len} tokens)", fontsize=11)
fig.legend(loc="outside lower center", ncol=2, fontsize=9)
plt.show()

print(
    f"{per_token / 1024:.1f} KiB per token in {cache.layers[0].keys.dtype}; "
    f"at {max_len} tokens: "
    f"{max_len * per_token / 2**20:.0f} MiB (multi-head would need "
    f"{max_len * per_token * mha_factor / 2**20:.0f} MiB)"
)

# %%
# ## Caveats
#
# * **The saving is in memory and work, not in results.** Cached and recomputed logits differ only by float
#   rounding; the greedy choices are the same.
# * **The cache grows without bound.** Its size is linear in the number of tokens, which is why long-context serving
#   evicts or compresses it. Evicting the *first* tokens is the one thing not to do: they are the attention sink
#   (see the first page of this section), which is why StreamingLLM keeps them.
# * **Positions are baked in.** Keys are stored after the rotary embedding, so dropping tokens from the middle of the
#   cache leaves the remaining keys with their original positions.
# * **Timings depend on the machine.** For a prompt this short, the recomputation is cheap too; the gap grows with
#   the length of the sequence.
