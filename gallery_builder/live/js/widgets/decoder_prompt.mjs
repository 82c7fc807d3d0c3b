// The decoder's "your prompt" box: SmolLM2's top-10 next tokens (with a temperature slider that
// recomputes the probabilities from the logits, no second run) and the logit lens grid of the
// prompt (layers x tokens, top-1 token and its probability). The export computes the lens inside
// its graph (outputs logits, lens_ids, lens_probs). The reader's text and every token are set with
// textContent only.

const STYLE = `
.gallery-live__figure .dp-section { margin: 0.6em 0; }
.gallery-live__figure .dp-caption { font-weight: 700; margin: 0.2em 0; }
.gallery-live__figure .dp-temp { display: flex; gap: 0.5em; align-items: center; flex-wrap: wrap; }
.gallery-live__figure .dp-bars { display: grid; grid-template-columns: minmax(4em, max-content) 1fr 4em;
  gap: 0.15em 0.5em; align-items: center; font-size: 0.75rem; }
.gallery-live__figure .dp-token { font-family: var(--md-code-font-family, monospace); white-space: pre; }
.gallery-live__figure .dp-bar { height: 1em; background: #21918c; min-width: 1px; }
.gallery-live__figure .dp-scroll { overflow: auto; max-height: 32em; max-width: 100%;
  border: 1px solid var(--md-default-fg-color--lightest); }
.gallery-live__figure table.dp-lens { border-collapse: collapse; font-size: 0.7rem; margin: 0; }
.gallery-live__figure table.dp-lens th, .gallery-live__figure table.dp-lens td { padding: 0.15em 0.35em;
  border: 1px solid var(--md-default-bg-color, #fff); white-space: pre; text-align: center; }
.gallery-live__figure table.dp-lens th { position: sticky; background: var(--md-default-bg-color, #fff);
  color: var(--md-default-fg-color, #000); font-family: var(--md-code-font-family, monospace); }
.gallery-live__figure table.dp-lens thead th { top: 0; }
.gallery-live__figure table.dp-lens tbody th { left: 0; font-family: inherit; }
.gallery-live__figure .dp-p { display: block; font-size: 0.6rem; }
`;

function addStyle() {
  if (document.getElementById("gallery-live-decoder-prompt")) return;
  const style = document.createElement("style");
  style.id = "gallery-live-decoder-prompt";
  style.textContent = STYLE;
  document.head.append(style);
}

// A token as the page shows it: a leading space becomes "␣", a newline "\n".
function shown(model, id) {
  return model.tokenizer.decode([id]).replace(/ /g, "␣").replace(/\n/g, "\\n");
}

// Prompt ids as the Python tokenizer makes them; past max_tokens only the last tokens are kept,
// since they decide the next token.
export function encode(model, text) {
  const ids = Array.from(model.tokenizer.encode(text));
  const max = model.manifest.max_tokens;
  const kept = ids.length > max ? ids.slice(ids.length - max) : ids;
  return { ids: kept, truncated: ids.length > max, total: ids.length };
}

// One run of the export: the last position's logits and the lens's top-10 per layer and token.
export async function run(model, ids) {
  const { ort, session } = model;
  const n = ids.length;
  const tensor = (values) => new ort.Tensor("int64", BigInt64Array.from(values, BigInt), [1, n]);
  const started = performance.now();
  const out = await session.run({ input_ids: tensor(ids), attention_mask: tensor(ids.map(() => 1)) });
  const ms = performance.now() - started;
  const [layers, , k] = out.lens_ids.dims;
  return { logits: out.logits.data, lensIds: out.lens_ids.data, lensProbs: out.lens_probs.data, layers, k, n, ms };
}

// Top-10 of the logits and their probabilities at temperature t (softmax over the whole vocabulary).
export function topTokens(logits, t, count = 10) {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (const v of logits) sum += Math.exp((v - max) / t);
  const order = [];
  for (let i = 0; i < logits.length; i++) {
    if (order.length < count || logits[i] > logits[order[order.length - 1]]) {
      order.push(i);
      order.sort((a, b) => logits[b] - logits[a]);
      if (order.length > count) order.pop();
    }
  }
  return order.map((id) => ({ id, p: Math.exp((logits[id] - max) / t) / sum }));
}

// viridis at a few stops, for the lens cells (dark at low probability, yellow at high).
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function viridis(x) {
  const s = Math.min(Math.max(x, 0), 1) * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(s), VIRIDIS.length - 2), f = s - i;
  const c = VIRIDIS[i].map((a, j) => Math.round(a + f * (VIRIDIS[i + 1][j] - a)));
  return `rgb(${c.join(",")})`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function drawBars(bars, model, logits, t) {
  bars.replaceChildren();
  for (const { id, p } of topTokens(logits, t)) {
    const token = element("span", "dp-token", shown(model, id));
    const bar = element("div", "dp-bar");
    bar.style.width = `${(100 * p).toFixed(1)}%`;
    bars.append(token, element("div", "dp-track"), element("span", "dp-prob", p.toFixed(3)));
    bars.children[bars.children.length - 2].append(bar);
  }
}

function drawLens(model, ids, result) {
  const { layers, k, n, lensIds, lensProbs } = result;
  const table = element("table", "dp-lens");
  const head = table.createTHead().insertRow();
  head.append(element("th", "", "layer"));
  for (const id of ids) head.append(element("th", "", shown(model, id)));
  const body = table.createTBody();
  for (let layer = layers - 1; layer >= 0; layer--) {
    const row = body.insertRow();
    row.append(element("th", "", `${layer}`));
    for (let j = 0; j < n; j++) {
      const at = (layer * n + j) * k;
      const p = lensProbs[at];
      const cell = row.insertCell();
      cell.className = "dp-cell";
      cell.style.background = viridis(p);
      cell.style.color = p > 0.6 ? "#000" : "#fff";
      cell.append(element("span", "dp-top", shown(model, Number(lensIds[at]))), element("span", "dp-p", p.toFixed(2)));
    }
  }
  return table;
}

// Draws both views into the box's figure; returns a summary line for the status.
export function draw(figure, model, encoded, result) {
  addStyle();
  const ids = encoded.ids;
  const next = element("div", "dp-section dp-next");
  next.append(element("p", "dp-caption", "Top-10 next tokens (␣ = a leading space)"));
  const label = element("label", "dp-temp");
  const slider = element("input", "dp-temperature");
  Object.assign(slider, { type: "range", min: "0.1", max: "2", step: "0.1", value: "1" });
  slider.setAttribute("aria-label", "temperature");
  const value = element("span", "dp-temp-value", "temperature 1.0");
  label.append(value, slider);
  const bars = element("div", "dp-bars");
  slider.addEventListener("input", () => {
    value.textContent = `temperature ${Number(slider.value).toFixed(1)}`;
    drawBars(bars, model, result.logits, Number(slider.value));
  });
  drawBars(bars, model, result.logits, 1);
  next.append(label, bars);
  const lens = element("div", "dp-section dp-lens-box");
  lens.append(element("p", "dp-caption",
    "Logit lens: each layer's top-1 next token and its probability (rows: layers, last on top; " +
    "columns: your prompt's tokens)"));
  const scroll = element("div", "dp-scroll");
  scroll.tabIndex = 0;
  scroll.append(drawLens(model, ids, result));
  lens.append(scroll);
  figure.replaceChildren(next, lens);
  const m = model.manifest, parity = m.parity || {};
  return `Ran in ${Math.round(result.ms)} ms on ${ids.length} tokens` +
    (encoded.truncated ? ` (your prompt has ${encoded.total} tokens; only its last ${m.max_tokens} were kept)` : "") +
    `. The ONNX export (weights: ${m.weights}) matched PyTorch in the build: attention within ` +
    `${parity.attention_tolerance} (largest difference ${Number(parity.attention_max_abs).toExponential(1)}), ` +
    `top-10 ${parity.top10_same ? "the same" : "not the same"}, lens top-1 agreement ` +
    `${Math.round(100 * Number(parity.lens_top1_agreement))}%.`;
}
