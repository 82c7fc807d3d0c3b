// The "your own text" boxes of a page (made by page/render.py for `# gallery_live = "<widget>"`).
// Nothing is downloaded until the reader presses Run or Enter; a link with #text=... fills the
// box but runs nothing. The reader's text is only ever a value: tokens reach the view as JSON
// data, and every message here is set with textContent.

const boxes = Array.from(document.querySelectorAll(".gallery-live"));

// #text=... (and &pair=... for a sentence pair): only ever read back as input values.
function fragmentTexts() {
  const match = /^#text=([^&]*)(?:&pair=([^&]*))?$/s.exec(location.hash);
  if (!match) return null;
  try { return [decodeURIComponent(match[1]), decodeURIComponent(match[2] || "")]; } catch { return null; }
}

function fragment(texts) {
  return `#text=${encodeURIComponent(texts[0])}` + (texts.length > 1 ? `&pair=${encodeURIComponent(texts[1])}` : "");
}

function megabytes(bytes) { return (bytes / 2 ** 20).toFixed(1); }

async function run(box) {
  const inputs = Array.from(box.querySelectorAll(".gallery-live__input"));
  const status = box.querySelector(".gallery-live__status");
  const button = box.querySelector("button");
  const texts = inputs.map((input) => input.value);
  if (texts.some((text) => !text.trim())) {
    status.textContent = inputs.length > 1 ? "Type both sentences first." : "Type a sentence first.";
    return;
  }
  history.replaceState(null, "", fragment(texts));
  button.disabled = true;
  try {
    const core = await import("./live-core.mjs");
    const urls = { live: new URL(box.dataset.live, location.href), vendor: new URL(box.dataset.vendor, location.href) };
    const model = await core.loadModel(urls, box.dataset.model, (done, total) => {
      status.textContent = `Downloading the model: ${megabytes(done)} of ${megabytes(total)} MB ` +
        `(${Math.floor((100 * done) / total)}%)`;
    });
    const widget = box.dataset.widget;
    if (widget === "decoder_prompt") {  // a decoder: next tokens and the logit lens, drawn by the widget
      const decoder = await import("./widgets/decoder_prompt.mjs");
      const encoded = decoder.encode(model, texts[0]);
      const result = await decoder.run(model, encoded.ids);
      status.textContent = decoder.draw(box.querySelector(".gallery-live__figure"), model, encoded, result);
      box.dataset.ran = String((Number(box.dataset.ran) || 0) + 1);
      return;
    }
    const encoded = widget === "sentence_pair" ? core.encodePair(model, texts[0], texts[1]) : core.encode(model, texts[0]);
    const { attention, ms } = await core.attentions(model, encoded.ids, encoded.typeIds);
    if (box.querySelector(".gallery-live__figure")) {
      const drawing = await import(`./widgets/${widget}.mjs`);
      drawing.draw(box.querySelector(".gallery-live__figure"), { tokens: encoded.tokens, attention });
    } else {
      redrawView(box, { tokens: encoded.tokens, attention, bStart: encoded.bStart });
    }
    const parity = model.manifest.parity;
    status.textContent = `Ran in ${Math.round(ms)} ms on ${encoded.ids.length} tokens` +
      (encoded.truncated ? ` (your text has ${encoded.total} tokens; it was cut to the model's limit of ` +
        `${model.manifest.max_tokens})` : "") +
      `. Attention computed in your browser; the build checked it against PyTorch to within ` +
      `${parity.attention_tolerance} (largest difference ${parity.attention_max_abs.toFixed(4)}).`;
    box.dataset.ran = String((Number(box.dataset.ran) || 0) + 1);
  } catch (error) {
    status.textContent = `Could not run the model: ${error && error.message ? error.message : error}`;
  } finally {
    button.disabled = false;
  }
}

// bertviz's views draw from params in their own document: the frame reads the reader's tokens
// and attention from its window.name as it loads (templates/view_frame.js).
function redrawView(box, live) {
  const frame = document.querySelector(`iframe[src="${box.dataset.view}"]`);
  if (!frame || !frame.contentWindow) throw new Error("the view is missing");
  frame.contentWindow.name = JSON.stringify({ galleryLive: live });
  frame.contentWindow.location.reload();
}

const shared = fragmentTexts();
for (const box of boxes) {
  const form = box.querySelector("form");
  if (shared !== null) box.querySelectorAll(".gallery-live__input").forEach((input, i) => { input.value = shared[i]; });
  form.addEventListener("submit", (event) => { event.preventDefault(); run(box); });
}
