// An attention heatmap drawn in the page as SVG: one row per query token, one column per key
// token, viridis colours (readable on the light and the dark page), a labelled colour scale.
// Tokens are text nodes (textContent), never markup. Sizes are CSS pixels, so labels stay
// readable on a phone: a long sentence scrolls sideways inside its own box instead.

const SVG = "http://www.w3.org/2000/svg";
// matplotlib's viridis at 0, 1/8, ..., 1.
const VIRIDIS = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

export function colour(value) {
  const x = Math.min(1, Math.max(0, value)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const t = x - i;
  const rgb = VIRIDIS[i].map((c, k) => Math.round(c + t * (VIRIDIS[i + 1][k] - c)));
  return `rgb(${rgb.join(",")})`;
}

function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function label(token) {
  return token.length > 12 ? `${token.slice(0, 11)}…` : token;
}

// The side of a cell: as large as `width` allows (up to 32 px), never under 16 px.
export function cellSize(width, n) {
  return Math.max(16, Math.min(32, Math.floor((width - 220) / n)));
}

// A heatmap of `matrix` (n x n) with the tokens on both axes, titled `title`, on a 0..`top` scale.
export function heatmap(matrix, tokens, title, top = 1, cell = 16) {
  const n = tokens.length;
  const font = 11, side = 8 + Math.min(12, Math.max(...tokens.map((t) => label(t).length))) * 6.6;
  const left = side + 22, topMargin = 24, grid = n * cell;
  const scaleWidth = 70;
  const width = left + grid + scaleWidth, height = topMargin + grid + side + 24;
  const svg = element("svg", {
    class: "gallery-live__heatmap", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "font-size": font, fill: "currentColor",
  });
  svg.append(element("title", {}, title));
  svg.append(element("text", { x: left, y: 15, "font-weight": 700 }, title));
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const value = matrix[q][k];
      const rect = element("rect", {
        x: left + k * cell, y: topMargin + q * cell, width: cell, height: cell, fill: colour(value / top),
      });
      rect.append(element("title", {}, `${tokens[q]} → ${tokens[k]}: ${value.toFixed(3)}`));
      svg.append(rect);
    }
    const y = topMargin + q * cell + cell / 2 + font / 3;
    svg.append(element("text", { x: left - 4, y, "text-anchor": "end" }, label(tokens[q])));
  }
  for (let k = 0; k < n; k++) {
    const x = left + k * cell + cell / 2 + font / 3, y = topMargin + grid + 4;
    svg.append(element("text", {
      x, y, "text-anchor": "end", transform: `rotate(-90 ${x} ${y})`,
    }, label(tokens[k])));
  }
  const yMid = topMargin + grid / 2;
  svg.append(element("text", {
    x: 11, y: yMid, "text-anchor": "middle", transform: `rotate(-90 11 ${yMid})`,
  }, "query token (attending)"));
  svg.append(element("text", {
    x: left + grid / 2, y: height - 6, "text-anchor": "middle",
  }, "key token (attended to)"));
  svg.append(scale(left + grid + 14, topMargin, Math.max(grid, 80), top));
  return svg;
}

// The colour scale: a vertical bar from 0 to `top`, with its ticks and label.
function scale(x, y, length, top) {
  const group = element("g", {});
  const steps = 32;
  for (let i = 0; i < steps; i++) {
    group.append(element("rect", {
      x, y: y + (length * i) / steps, width: 12, height: length / steps + 0.5, fill: colour(1 - i / steps),
    }));
  }
  for (const fraction of [0, 0.5, 1]) {
    group.append(element("text", { x: x + 16, y: y + length * (1 - fraction) + 4 },
      (top * fraction).toFixed(2)));
  }
  const mid = y + length / 2;
  group.append(element("text", {
    x: x + 52, y: mid, "text-anchor": "middle", transform: `rotate(-90 ${x + 52} ${mid})`,
  }, "attention weight"));
  return group;
}

// A <select> of 0..count-1, named by `name` ("layer" or "head"); options are numbers only.
export function picker(name, count, selected, onChange) {
  const wrap = document.createElement("label");
  wrap.className = "gallery-live__pick";
  wrap.append(document.createTextNode(`${name} `));
  const select = document.createElement("select");
  for (let i = 0; i < count; i++) {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = String(i);
    select.append(option);
  }
  select.value = String(selected);
  select.addEventListener("change", () => onChange(Number(select.value)));
  wrap.append(select);
  return wrap;
}

// A box that scrolls sideways when the heatmap is wider than the page.
export function scroller(child) {
  const div = document.createElement("div");
  div.className = "gallery-live__scroll";
  div.append(child);
  return div;
}
