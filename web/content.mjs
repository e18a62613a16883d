// Trunk post_build hook (Trunk.toml): the shipped diagrams beside the Wasm instead of inside it. Writes every
// scenario diagram (examples/scenarios/, variants included), the scenarios' notes (core/src/scenarios/) and
// every challenge (core/src/challenges/data/) into one bundle, `content-<sha256 prefix>.json` (a JSON object from each file's path in the repository to
// its text, core's `content` module), and links it from the staged index.html as
// `<link rel="alternate" type="application/json" id="content-bundle" href="./content-….json">`: the browser
// does not fetch such a link by itself, the page reads its address and fetches it after start, and the
// service worker precaches it with every other file index.html links (and drops it once a newer build links
// another). Then it runs web/csp.mjs, which must see the final index.html (Trunk runs the hooks of one stage
// at the same time, so the two are one hook).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('content.mjs: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook)');
  process.exit(1);
}
// The engine benchmark page (bench.html) opens no diagram and has no content security policy to pin.
if (basename(process.env.TRUNK_HTML_FILE ?? 'index.html') !== 'index.html') process.exit(0);
const root = join(import.meta.dirname, '..');

/** The .json files under `dir`, recursively, as paths relative to the repository. */
function jsonFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

const files = {};
for (const path of [...jsonFiles('examples/scenarios'), ...jsonFiles('core/src/scenarios'), ...jsonFiles('core/src/challenges/data')]) {
  files[path] = readFileSync(join(root, path), 'utf8');
}
const text = JSON.stringify(files);
const name = `content-${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16)}.json`;
writeFileSync(join(staging, name), text);

const page = join(staging, 'index.html');
const html = readFileSync(page, 'utf8');
const link = `<link rel="alternate" type="application/json" id="content-bundle" href="./${name}">`;
if (!html.includes('</head>')) {
  console.error('content.mjs: the staged index.html has no </head>');
  process.exit(1);
}
writeFileSync(page, html.replace('</head>', `  ${link}\n  </head>`));
console.log(`content.mjs: ${Object.keys(files).length} files in ${name} (${text.length} bytes)`);

await import('./csp.mjs');
