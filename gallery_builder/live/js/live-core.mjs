// Running a live model in the reader's browser: its parts downloaded once (with progress) and
// checked, its own tokenizer, and one onnxruntime-web session (WebAssembly, one thread: GitHub
// Pages is not cross-origin isolated). Loaded by live-page.mjs when the reader first presses Run.

const loaded = new Map();

export function loadModel(urls, name, onProgress) {
  if (!loaded.has(name)) {
    const promise = open(urls, name, onProgress);
    promise.catch(() => loaded.delete(name));  // a failed download may be tried again
    loaded.set(name, promise);
  }
  return loaded.get(name);
}

async function open(urls, name, onProgress) {
  const base = new URL(`${name}/`, urls.live);
  const manifest = await fetchJSON(new URL("manifest.json", base));
  const [ort, { TokenizerLoader }, tokenizerJSON, tokenizerConfig, bytes] = await Promise.all([
    import(new URL("onnxruntime-web-1.30.0/ort.wasm.min.mjs", urls.vendor).href),
    import(new URL("lenml-tokenizers-3.7.2/main.mjs", urls.vendor).href),
    fetchJSON(new URL(manifest.tokenizer, base)),
    fetchJSON(new URL(manifest.tokenizer_config, base)),
    fetchParts(base, manifest, onProgress),
  ]);
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = new URL("onnxruntime-web-1.30.0/", urls.vendor).href;
  const started = performance.now();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  const tokenizer = TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
  return { manifest, ort, session, tokenizer, startMs: performance.now() - started };
}

async function fetchJSON(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  return response.json();
}

// The parts, streamed so that progress counts bytes, joined, and checked against the manifest.
async function fetchParts(base, manifest, onProgress) {
  const whole = new Uint8Array(manifest.bytes);
  let offset = 0;
  for (const part of manifest.parts) {
    const response = await fetch(new URL(part.name, base));
    if (!response.ok || !response.body) throw new Error(`${part.name}: HTTP ${response.status}`);
    const start = offset;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      whole.set(value, offset);
      offset += value.length;
      onProgress(offset, manifest.bytes);
    }
    if (offset - start !== part.bytes) throw new Error(`${part.name}: ${offset - start} bytes, expected ${part.bytes}`);
    if (crypto.subtle) {  // only in secure contexts (https, localhost)
      const digest = hex(await crypto.subtle.digest("SHA-256", whole.subarray(start, offset)));
      if (digest !== part.sha256) throw new Error(`${part.name}: checksum mismatch`);
    }
  }
  return whole;
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Token ids as the Python tokenizer makes them with truncation=True, max_length=max_tokens:
// the first tokens, then the closing special token.
export function encode(model, text) {
  const ids = Array.from(model.tokenizer.encode(text));
  const max = model.manifest.max_tokens;
  const truncated = ids.length > max;
  const kept = truncated ? [...ids.slice(0, max - 1), ids[ids.length - 1]] : ids;
  return { ids: kept, tokens: model.tokenizer.model.convert_ids_to_tokens(kept), truncated, total: ids.length };
}

// A sentence pair as tokenizer(a, b, truncation=True, max_length=max_tokens) makes it: [CLS] A
// [SEP] B [SEP], the longer of A and B shortened first; typeIds are 0 for A's part, 1 for B's.
export function encodePair(model, a, b) {
  const plain = (text) => Array.from(model.tokenizer.encode(text, { add_special_tokens: false }));
  const [cls, sep] = Array.from(model.tokenizer.encode(""));
  const first = plain(a), second = plain(b);
  const total = first.length + second.length + 3;
  let na = first.length, nb = second.length;
  while (na + nb + 3 > model.manifest.max_tokens) {
    if (na >= nb) na--; else nb--;  // as the tokenizers library: a tie shortens A
  }
  const ids = [cls, ...first.slice(0, na), sep, ...second.slice(0, nb), sep];
  const typeIds = ids.map((_, i) => (i < na + 2 ? 0 : 1));
  const tokens = model.tokenizer.model.convert_ids_to_tokens(ids);
  return { ids, typeIds, tokens, bStart: na + 2, truncated: total > ids.length, total };
}

// Every layer's attention for one sequence: nested arrays [layer][head][query][key].
export async function attentions(model, ids, typeIds = null) {
  const { ort, session } = model;
  const n = ids.length;
  const tensor = (values) => new ort.Tensor("int64", BigInt64Array.from(values, BigInt), [1, n]);
  const feeds = {
    input_ids: tensor(ids),
    attention_mask: tensor(ids.map(() => 1)),
    token_type_ids: tensor(typeIds || ids.map(() => 0)),
  };
  const started = performance.now();
  const { attentions: output } = await session.run(feeds);
  const ms = performance.now() - started;
  const [layers, heads] = output.dims;
  const data = output.data;
  const nested = [];
  for (let l = 0; l < layers; l++) {
    const layer = [];
    for (let h = 0; h < heads; h++) {
      const head = [];
      for (let q = 0; q < n; q++) {
        const offset = ((l * heads + h) * n + q) * n;
        head.push(Array.from(data.subarray(offset, offset + n), (v) => Math.round(v * 1e5) / 1e5));
      }
      layer.push(head);
    }
    nested.push(layer);
  }
  return { attention: nested, ms };
}
