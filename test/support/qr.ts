import jsQRModule from 'jsqr';

type Decode = typeof jsQRModule.default;
// jsqr is CommonJS whose types declare an ES default export; under Node's ESM interop the
// function is module.exports itself, or its `default` when loaded through a transpiler.
const jsQR: Decode =
  (jsQRModule as unknown as { default?: Decode }).default ?? (jsQRModule as unknown as Decode);

/**
 * Reads the QR code in an SVG as the `qrcode` package draws it (one path of horizontal runs:
 * `M x y h n m dx dy h n …`), by drawing its modules into pixels and decoding them with jsQR, an
 * independent decoder. Answers the text it holds.
 */
export function decodeQrSvg(svg: string): string | undefined {
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1]);
  const path = /<path stroke="#000000" d="([^"]+)"/.exec(svg)?.[1];
  if (!size || !path) return undefined;
  const dark = new Set<string>();
  let x = 0;
  let y = 0;
  for (const [, command, a, b] of path.matchAll(/([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?/g)) {
    if (command === 'M') [x, y] = [Number(a), Number(b)];
    else if (command === 'm') [x, y] = [x + Number(a), y + Number(b)];
    else {
      for (let i = 0; i < Number(a); i += 1) dark.add(`${x + i},${Math.floor(y)}`);
      x += Number(a);
    }
  }
  const scale = 4;
  const width = size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let py = 0; py < width; py += 1) {
    for (let px = 0; px < width; px += 1) {
      if (!dark.has(`${Math.floor(px / scale)},${Math.floor(py / scale)}`)) continue;
      const offset = (py * width + px) * 4;
      pixels[offset] = pixels[offset + 1] = pixels[offset + 2] = 0;
    }
  }
  return jsQR(pixels, width, width)?.data;
}
