/**
 * The bridge's icons, served by the bridge itself so `serverInfo.icons` never points at another host:
 * an SVG for clients that scale, and a PNG (encoded here, once, from the same shape) for those that
 * take raster images only.
 */
import { crc32, deflateSync } from 'node:zlib';
import { PNG_ICON_SIZE } from '../mcp/package-info.js';

const BACKGROUND = [0x0b, 0x57, 0xd0] as const;
const FOREGROUND = [0xff, 0xff, 0xff] as const;

/** The NeonPanel "N" on a rounded square, in a 64-unit box (the PNG draws the same rectangles). */
const STROKES: readonly (readonly [x: number, y: number, w: number, h: number])[] = [
  [16, 14, 8, 36],
  [40, 14, 8, 36],
];

/** The diagonal of the "N": from the top of the left stroke to the bottom of the right one. */
function onDiagonal(x: number, y: number): boolean {
  const along = 16 + ((y - 14) / 36) * 24;
  return y >= 14 && y < 50 && x >= along && x < along + 8;
}

export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><title>NeonPanel</title><rect width="64" height="64" rx="12" fill="#0b57d0"/><path fill="#fff" d="${STROKES.map(([x, y, w, h]) => `M${x} ${y}h${w}v${h}h-${w}z`).join('')}M16 14h8l24 36h-8z"/></svg>`;

function insideRoundedSquare(x: number, y: number, size: number, radius: number): boolean {
  const cx = Math.min(Math.max(x, radius), size - radius);
  const cy = Math.min(Math.max(y, radius), size - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes the icon as an RGBA PNG (PNG spec: signature, IHDR, one IDAT of filter-0 rows, IEND). */
export function renderPngIcon(size = PNG_ICON_SIZE): Buffer {
  const scale = 64 / size;
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let py = 0; py < size; py++) {
    const row = py * (size * 4 + 1);
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) * scale;
      const y = (py + 0.5) * scale;
      const inStroke =
        STROKES.some(([sx, sy, w, h]) => x >= sx && x < sx + w && y >= sy && y < sy + h) || onDiagonal(x, y);
      const inside = insideRoundedSquare(x, y, 64, 12);
      const colour = inStroke ? FOREGROUND : BACKGROUND;
      const at = row + 1 + px * 4;
      rows[at] = colour[0];
      rows[at + 1] = colour[1];
      rows[at + 2] = colour[2];
      rows[at + 3] = inside ? 0xff : 0;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
