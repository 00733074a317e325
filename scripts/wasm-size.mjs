// Prints the size of each .wasm in dist/: raw, gzip level 9 and brotli quality 11 — what a
// static host serves with compression on. Uses node's zlib (same deflate as `gzip -9`), so it
// needs nothing beyond node. Run after `make dist`: `node scripts/wasm-size.mjs`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = join(import.meta.dirname, '..', 'dist');
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const name of readdirSync(dist).filter((f) => f.endsWith('.wasm')).sort()) {
  const bytes = readFileSync(join(dist, name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).length;
  console.log(`${name}: raw ${bytes.length} B (${kb(bytes.length)}), gzip -9 ${gz} B (${kb(gz)}), brotli 11 ${br} B (${kb(br)})`);
}
