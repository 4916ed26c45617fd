/**
 * Draws the app icons (a rounded green square with a white open book) and
 * writes them as PNG files into public/icons/. Node only: the PNG encoder is
 * the few lines below over node:zlib, so no image tooling is needed.
 * Run with `npm run icons`; the PNGs are committed.
 */
import { deflateSync } from "node:zlib";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "icons");
const GREEN = [31, 122, 77]; // #1f7a4d, the theme colour
const WHITE = [255, 255, 255];
const SAMPLES = 4; // supersampling per axis, for smooth edges

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function inPolygon(x, y, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inRoundedSquare(x, y, radius) {
  const cx = Math.min(Math.max(x, radius), 1 - radius);
  const cy = Math.min(Math.max(y, radius), 1 - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

/** The book, in unit coordinates around (0.5, 0.5), scaled by `scale`. */
function bookShapes(scale) {
  const s = (pts) => pts.map(([x, y]) => [0.5 + (x - 0.5) * scale, 0.5 + (y - 0.5) * scale]);
  const left = s([[0.48, 0.33], [0.4, 0.29], [0.2, 0.29], [0.2, 0.71], [0.4, 0.71], [0.48, 0.75]]);
  const right = left.map(([x, y]) => [1 - x, y]);
  // Text lines on each page, drawn in green over the white page.
  const lines = [];
  for (const y of [0.42, 0.5, 0.58]) {
    const l = s([[0.26, y - 0.015], [0.42, y - 0.015], [0.42, y + 0.015], [0.26, y + 0.015]]);
    lines.push(l, l.map(([x, yy]) => [1 - x, yy]));
  }
  return { pages: [left, right], lines };
}

/**
 * @param size pixels
 * @param corner corner radius as a fraction of the side (0 = full bleed)
 * @param scale the book's size: smaller for maskable icons (safe zone)
 */
function draw(size, corner, scale) {
  const { pages, lines } = bookShapes(scale);
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SAMPLES) / size;
          const y = (py + (sy + 0.5) / SAMPLES) / size;
          if (corner > 0 && !inRoundedSquare(x, y, corner)) continue;
          const onPage = pages.some((p) => inPolygon(x, y, p));
          const onLine = onPage && lines.some((p) => inPolygon(x, y, p));
          const colour = onPage && !onLine ? WHITE : GREEN;
          r += colour[0]; g += colour[1]; b += colour[2]; a += 255;
        }
      }
      const n = SAMPLES * SAMPLES;
      const i = (py * size + px) * 4;
      // Colour averaged over covered samples, alpha over all samples.
      const covered = a / 255;
      rgba[i] = covered ? Math.round(r / covered) : 0;
      rgba[i + 1] = covered ? Math.round(g / covered) : 0;
      rgba[i + 2] = covered ? Math.round(b / covered) : 0;
      rgba[i + 3] = Math.round(a / n);
    }
  }
  return encodePng(size, rgba);
}

const ICONS = [
  { name: "icon-192.png", size: 192, corner: 0.2, scale: 1 },
  { name: "icon-512.png", size: 512, corner: 0.2, scale: 1 },
  // Maskable: full bleed, the mark inside the 80% safe zone.
  { name: "icon-maskable-512.png", size: 512, corner: 0, scale: 0.78 },
  // iOS rounds the corners itself and shows transparency as black.
  { name: "apple-touch-icon.png", size: 180, corner: 0, scale: 0.9 },
  { name: "favicon-32.png", size: 32, corner: 0.2, scale: 1 },
];

mkdirSync(OUT, { recursive: true });
for (const icon of ICONS) {
  writeFileSync(join(OUT, icon.name), draw(icon.size, icon.corner, icon.scale));
  console.log(`wrote public/icons/${icon.name}`);
}
