// Trunk post_build hook (Trunk.toml): pins the built page's content security policy. Trunk writes its own
// inline loader (`<script type="module">import init … </script>`) into index.html, and its text — so its
// hash — changes with every build; this computes the sha256 of every inline <script> and <style> in the
// staged index.html and writes the policy into the page's CSP meta tag, replacing the fail-closed
// placeholder that index.html carries. It also writes `csp.txt` beside it: the same policy for servers that
// send it as a `Content-Security-Policy` header (docs/security.md). Fails the build when the tag is missing.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook)');
  process.exit(1);
}
const file = join(staging, 'index.html');
const html = readFileSync(file, 'utf8');

const sha = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const inline = (tag) =>
  [...html.matchAll(new RegExp(`<${tag}\\b([^>]*)>([\\s\\S]*?)</${tag}>`, 'gi'))]
    .filter((m) => !/\bsrc\s*=/i.test(m[1]))
    .map((m) => sha(m[2]));

const scripts = inline('script');
const styles = inline('style');
if (scripts.length === 0) {
  console.error('csp.mjs: no inline loader found in index.html; is this a Trunk build?');
  process.exit(1);
}

export const policy = [
  "default-src 'none'",
  `script-src 'self' 'wasm-unsafe-eval' ${scripts.join(' ')}`,
  `style-src 'self' ${styles.join(' ')}`.trim(),
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const tag = /<meta http-equiv="Content-Security-Policy" content="[^"]*"\s*\/?>/i;
if (!tag.test(html)) {
  console.error('csp.mjs: index.html has no <meta http-equiv="Content-Security-Policy"> to fill');
  process.exit(1);
}
writeFileSync(file, html.replace(tag, `<meta http-equiv="Content-Security-Policy" content="${policy}" />`));
// For servers that send headers: the header adds what a meta tag cannot carry.
writeFileSync(join(staging, 'csp.txt'), `${policy}; frame-ancestors 'none'\n`);
console.log(`csp.mjs: pinned ${scripts.length} inline script(s) and ${styles.length} inline style(s)`);
