// A static server for the built site as a real host would serve it: brotli or gzip by the request's
// Accept-Encoding (Node's zlib, compressed once at start, at the strongest settings a host's build step uses),
// `application/wasm` so the browser compiles the Wasm while it streams in, and honest cache headers: Trunk's
// hashed files are immutable for a year, everything else (index.html, sw.js, the manifest, icons) is
// revalidated on every use by its ETag. It sends the content security policy of `csp.txt` as a header too.
//
// Used by the start-up measurements (tests/e2e/bench-startup.mjs, Lighthouse) and `./dev serve --release`:
//
//   node tests/e2e/serve-compressed.mjs [DIR=dist] [--port 8080] [--prefix /]
//
// Not used by the test suite's other files, which serve `dist/` plainly (support.mjs `serveDist`).
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Content types by file ending (also `support.mjs`'s plain test server's). */
export const TYPES = {
  '.webmanifest': 'application/manifest+json',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Types worth compressing (PNGs are compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.wasm', '.css', '.svg', '.json', '.webmanifest', '.txt']);

/** Trunk's output names carry a 16-hex-digit content hash (`style-59ef3420165365c0.css`): those never change. */
export const HASHED = /-[0-9a-f]{16}(?:_bg)?\.[a-z]+$/;

async function walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

/** Reads every file of `dir` and compresses it both ways. Map of '/relative/path' → { type, etag, body, br, gzip }. */
export async function prepare(dir) {
  const files = new Map();
  for (const path of await walk(dir)) {
    const ext = extname(path);
    const body = await readFile(path);
    const entry = {
      type: TYPES[ext] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      body,
      immutable: HASHED.test(path),
    };
    if (COMPRESSIBLE.has(ext) && body.length > 256) {
      entry.br = brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          [constants.BROTLI_PARAM_MODE]: ext === '.wasm' ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
        },
      });
      entry.gzip = gzipSync(body, { level: 9 });
    }
    files.set('/' + relative(dir, path).split('\\').join('/'), entry);
  }
  return files;
}

/** The encoding to send for an Accept-Encoding header: brotli, then gzip, else none. q=0 refuses one. */
export function negotiate(accept = '') {
  const offered = new Map();
  for (const part of accept.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    offered.set(name, q ? Number(q.slice(2)) : 1);
  }
  const ok = (name) => (offered.get(name) ?? offered.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

/** The site path (`/…`) a request asks for under `prefix`, or null when it is outside it. */
export function sitePath(req, prefix) {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  return path.startsWith(prefix) ? '/' + path.slice(prefix.length) : null;
}

/**
 * Serves `dir` compressed on `port` (0: a free one) of 127.0.0.1, under `prefix`; `hold(path)` may return a
 * promise the response waits for. Resolves to { url, close, files }.
 */
export async function serveCompressed(dir, { port = 0, prefix = '/', hold } = {}) {
  dir = resolve(dir);
  const files = await prepare(dir);
  const csp = files.get('/csp.txt')?.body.toString('utf8').trim();
  const server = createServer(async (req, res) => {
    let path = sitePath(req, prefix);
    if (path === null) {
      res.writeHead(404).end('not found');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    if (hold) await hold(path);
    const file = files.get(path);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(file ? 405 : 404).end(file ? 'method not allowed' : 'not found');
      return;
    }
    const encoding = file.br ? negotiate(req.headers['accept-encoding']) : null;
    const body = encoding ? file[encoding] : file.body;
    const headers = {
      'content-type': file.type,
      'content-length': body.length,
      etag: encoding ? `${file.etag.slice(0, -1)}-${encoding}"` : file.etag,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    if (file.br) headers.vary = 'Accept-Encoding';
    if (encoding) headers['content-encoding'] = encoding;
    if (csp && file.type.startsWith('text/html')) headers['content-security-policy'] = csp;
    if (req.headers['if-none-match'] === headers.etag) {
      delete headers['content-length'];
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}${prefix}`,
    files,
    close: () =>
      new Promise((ok) => {
        server.close(ok);
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(name);
    if (i < 0) return fallback;
    const [value] = args.splice(i, 2).slice(1);
    return value;
  };
  const port = Number(flag('--port', '8080'));
  const prefix = flag('--prefix', '/');
  const dir = args[0] ?? 'dist';
  const site = await serveCompressed(dir, { port, prefix });
  const sizes = [...site.files]
    .filter(([, f]) => f.br && f.body.length > 20000)
    .map(([p, f]) => `  ${p}: ${f.body.length} B raw, ${f.gzip.length} B gzip, ${f.br.length} B brotli`);
  console.log(`serving ${dir} compressed on ${site.url} (Ctrl+C stops)\n${sizes.join('\n')}`);
}
