// End-to-end: a run recorded as an animated GIF. File › Record GIF records a scenario while it runs, shows its
// progress, then the file's size and shape before the download; the downloaded file is a GIF89a that the
// browser's own decoder reads back as that many frames, and frames far apart differ (requests moved).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, openPage, SHOTS } from './support.mjs';

const site = useSite();

test('File › Record GIF makes an animated GIF of the run, its size shown before the download', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=cache-patterns`);
  await page.locator('[data-node-id="behind-cache"]').waitFor({ timeout: 15000 });
  await page.locator('[data-field="speed"]').selectOption('2');
  await page.locator('[data-action="file"]').click();
  await page.locator('[data-action="record-gif"]').click();
  const panel = page.locator('[data-gif-panel]');
  await panel.waitFor();
  await page.locator('[data-field="gif-seconds"]').selectOption('3');
  await page.locator('[data-action="start-gif"]').click();
  // It records (the run starts by itself), shows its progress, encodes, then says how big the file is.
  await page.waitForFunction(() => document.querySelector('[data-gif-panel]')?.dataset.gifPhase === 'recording', null, { timeout: 10000 });
  assert.equal(await page.locator('.run-controls[data-status]').getAttribute('data-status'), 'running');
  await page.locator('.gif-progress').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-gif-panel]')?.dataset.gifPhase === 'ready', null, { timeout: 60000 });
  const bytes = Number(await page.locator('[data-gif-bytes]').getAttribute('data-gif-bytes'));
  const shown = await page.locator('[data-gif-bytes]').textContent();
  assert.match(shown, /^[\d.]+ (kB|MB) · \d+ × \d+ px · 30 frames \(3\.0 s\)$/);
  assert.ok(bytes > 10_000 && bytes < 8_000_000, `${bytes} bytes`);

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-action="download-gif"]').click()]);
  assert.match(download.suggestedFilename(), /\.gif$/);
  await mkdir(SHOTS, { recursive: true });
  const file = join(SHOTS, 'run.gif');
  await download.saveAs(file);
  if (process.env.SHOTS_DIR) await copyFile(file, join(process.env.SHOTS_DIR, 'run.gif'));
  const data = await readFile(file);
  assert.equal(data.length, bytes, 'the size shown is the size downloaded');
  assert.equal(data.subarray(0, 6).toString('latin1'), 'GIF89a');
  console.log(`# gif: ${file} ${bytes} bytes`);

  // The browser's own decoder reads it back: 30 frames, and the first and the last differ.
  const decoded = await page.evaluate(async (b64) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const decoder = new ImageDecoder({ data: bin, type: 'image/gif' });
    await decoder.tracks.ready;
    const count = decoder.tracks.selectedTrack.frameCount;
    const pixels = async (i) => {
      const { image } = await decoder.decode({ frameIndex: i });
      const c = new OffscreenCanvas(image.displayWidth, image.displayHeight);
      const ctx = c.getContext('2d');
      ctx.drawImage(image, 0, 0);
      image.close();
      return ctx.getImageData(0, 0, c.width, c.height).data;
    };
    const a = await pixels(0);
    const z = await pixels(count - 1);
    let differ = 0;
    for (let i = 0; i < a.length; i += 4) if (a[i] !== z[i] || a[i + 1] !== z[i + 1] || a[i + 2] !== z[i + 2]) differ++;
    return { count, differ, pixels: a.length / 4 };
  }, data.toString('base64'));
  assert.equal(decoded.count, 30);
  assert.ok(decoded.differ > 50 && decoded.differ < decoded.pixels / 2, JSON.stringify(decoded));
  assert.deepEqual(errors, []);
  await context.close();
});
