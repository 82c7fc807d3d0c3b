// `# gallery_live = "layer_heads"`: every head of one layer for the reader's sentence, on one
// shared colour scale (the largest weight in the layer), with a picker for the layer.
import { heatmap, picker, scroller } from "./heatmap.mjs";

export function draw(container, { tokens, attention }) {
  const state = { layer: Number(container.dataset.layer) || 0 };
  const render = () => {
    container.dataset.layer = String(state.layer);
    const controls = document.createElement("div");
    controls.className = "gallery-live__controls";
    controls.append(picker("Layer", attention.length, state.layer, (v) => { state.layer = v; render(); }));
    const heads = attention[state.layer];
    const top = Math.max(...heads.flat(2));
    const grid = document.createElement("div");
    grid.className = "gallery-live__grid";
    heads.forEach((matrix, h) => grid.append(scroller(heatmap(matrix, tokens, `Layer ${state.layer}, head ${h}`, top))));
    container.replaceChildren(controls, grid);
  };
  render();
}
