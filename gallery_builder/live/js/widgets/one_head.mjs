// `# gallery_live = "one_head"`: one head's attention for the reader's sentence, with pickers for
// the layer and the head (the first layer's first head by default, as the page's first figure).
import { cellSize, heatmap, picker, scroller } from "./heatmap.mjs";

export function draw(container, { tokens, attention }) {
  const state = { layer: Number(container.dataset.layer) || 0, head: Number(container.dataset.head) || 0 };
  const render = () => {
    container.dataset.layer = String(state.layer);
    container.dataset.head = String(state.head);
    const controls = document.createElement("div");
    controls.className = "gallery-live__controls";
    controls.append(
      picker("Layer", attention.length, state.layer, (v) => { state.layer = v; render(); }),
      picker("Head", attention[0].length, state.head, (v) => { state.head = v; render(); }),
    );
    const matrix = attention[state.layer][state.head];
    const cell = cellSize(container.clientWidth, tokens.length);
    const title = `Layer ${state.layer}, head ${state.head}`;
    container.replaceChildren(controls, scroller(heatmap(matrix, tokens, title, 1, cell)));
  };
  render();
}
