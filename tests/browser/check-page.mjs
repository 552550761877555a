// Checks one soltree HTML diff page in Debian's headless Chromium, driven by playwright-core:
// no script errors and no network requests; the filter (name, kind, change type) hides what
// does not match; expand-all opens every section and collapse-all closes them; a link to a
// component inside a collapsed section opens it; a count in the header filters; long rows
// wrap instead of widening the page; dark scheme and print styles apply. Takes screenshots.
//
//   node check-page.mjs PAGE.html --out DIR --query TEXT --kind TITLE (--collapsed | --open)
//                       [--docs PNG]   (also the README's picture, docs/html-report.png)
//
// Run by tests/integration/html_page.rs. Prints one JSON line of measurements on success;
// exits 1 naming the first failed check otherwise. Chromium: $SOLTREE_CHROMIUM, else
// /usr/bin/chromium.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function parseArgs(argv) {
  const args = { page: null, out: null, query: null, kind: null, collapsed: null, docs: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') args.out = argv[++i];
    else if (a === '--query') args.query = argv[++i];
    else if (a === '--kind') args.kind = argv[++i];
    else if (a === '--docs') args.docs = argv[++i];
    else if (a === '--collapsed') args.collapsed = true;
    else if (a === '--open') args.collapsed = false;
    else if (!a.startsWith('--') && args.page === null) args.page = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.page || !args.out || !args.query || !args.kind || args.collapsed === null) {
    throw new Error('usage: check-page.mjs PAGE.html --out DIR --query TEXT --kind TITLE (--collapsed | --open)');
  }
  return args;
}

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
}

// Chromium's flags for this machine: no sandbox (root), no GPU, and nothing that reaches out
// (the network is closed; Playwright gives every launch a fresh profile).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  '--font-render-hinting=none',
];

// What the page shows, read in the page: sections, items and what is visible.
function snapshot() {
  const vis = (el) => !el.closest('[hidden]');
  const groups = Array.from(document.querySelectorAll('.g'));
  const items = Array.from(document.querySelectorAll('.c'));
  return {
    groups: groups.length,
    details: groups.filter((g) => g.tagName === 'DETAILS').length,
    open: groups.filter((g) => g.tagName === 'DETAILS' && g.open).length,
    visibleGroups: groups.filter(vis).length,
    visibleOpen: groups.filter((g) => vis(g) && g.tagName === 'DETAILS' && g.open).length,
    visibleDetails: groups.filter((g) => vis(g) && g.tagName === 'DETAILS').length,
    items: items.length,
    visibleItems: items.filter(vis).length,
    status: document.getElementById('_status').textContent,
  };
}

// Opens the first two sections shown (past the manifest) and scrolls to them, the bar on top.
function openFirstSections() {
  const shown = Array.from(document.querySelectorAll('main details.g:not(#_manifest)')).filter((g) => !g.closest('[hidden]'));
  for (const g of shown.slice(0, 2)) g.open = true;
  window.scrollTo(0, document.getElementById('_bar').offsetTop);
}

// The picture for the README: a smaller window, the filter typed, two sections open.
async function docsScreenshot(browser, url, query, path) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 640 }, deviceScaleFactor: 1, colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.fill('#_q', query);
  await page.waitForFunction(() => / match$/.test(document.getElementById('_status').textContent));
  await page.evaluate(openFirstSections);
  await page.screenshot({ path });
  await context.close();
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.out, { recursive: true });
  const url = pathToFileURL(resolve(args.page)).href;
  const browser = await chromium.launch({
    executablePath: process.env.SOLTREE_CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  const measures = {};
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const errors = [];
    const requests = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (!/^(file|data|about):/.test(r.url())) requests.push(r.url());
    });

    let t = Date.now();
    await page.goto(url, { waitUntil: 'load' });
    measures.load_ms = Date.now() - t;
    await page.waitForFunction(() => document.getElementById('_status').textContent !== '');
    check(await page.isVisible('#_bar'), 'the script ran: the control bar is shown');

    const start = await page.evaluate(snapshot);
    measures.sections = start.groups;
    measures.components = start.items;
    check(start.groups > 0 && start.visibleGroups === start.groups, 'every section is shown before filtering');
    if (args.collapsed) check(start.open === 0, `a big diff starts collapsed (${start.open} of ${start.details} open)`);
    else check(start.open === start.details, `a small diff starts open (${start.open} of ${start.details} open)`);

    // Anchors: every section and every nested component has a unique id; every contents link
    // goes to one.
    const anchors = await page.evaluate(() => {
      const ids = Array.from(document.querySelectorAll('[id]')).map((e) => e.id);
      const broken = Array.from(document.querySelectorAll('#_toc a, header a'))
        .map((a) => a.getAttribute('href').slice(1))
        .filter((id) => !document.getElementById(id));
      return { ids: ids.length, unique: new Set(ids).size, broken, groupsWithoutId: document.querySelectorAll('.g:not([id])').length };
    });
    check(anchors.ids === anchors.unique, 'ids are unique');
    check(anchors.groupsWithoutId === 0, 'every section has an anchor');
    check(anchors.broken.length === 0, `contents and count links resolve (${anchors.broken.slice(0, 3)})`);

    // Filter by name: only sections that hold the text stay, and their matching components.
    const q = args.query.toLowerCase();
    t = Date.now();
    await page.fill('#_q', args.query);
    await page.waitForFunction(() => / match$/.test(document.getElementById('_status').textContent));
    measures.filter_ms = Date.now() - t;
    const filtered = await page.evaluate((q) => {
      const vis = (el) => !el.closest('[hidden]');
      const text = (el) => (el.textContent + ' ' + Array.from(el.querySelectorAll('[id]'), (e) => e.id).join(' ') + ' ' + el.id).toLowerCase();
      const slug = q.replace(/[^\p{L}\p{N}_.]+/gu, '-');
      const has = (el) => text(el).includes(q) || text(el).includes(slug);
      const groups = Array.from(document.querySelectorAll('.g'));
      const heading = (g) => (g.querySelector('.t') || g).textContent.toLowerCase();
      return {
        shown: groups.filter(vis).length,
        shownWithout: groups.filter((g) => vis(g) && !has(g)).map((g) => g.id),
        hiddenNamed: groups.filter((g) => !vis(g) && heading(g).includes(q)).map((g) => g.id),
        tocShownForHidden: groups.filter((g) => !vis(g)).filter((g) => {
          const a = document.querySelector(`#_toc a[href="#${CSS.escape(g.id)}"]`);
          return a && vis(a);
        }).length,
        noneShown: vis(document.getElementById('_none')),
      };
    }, q);
    measures.filter_sections = filtered.shown;
    check(filtered.shown > 0, `the filter "${args.query}" leaves some section`);
    check(filtered.shown < start.groups, `the filter "${args.query}" hides some section`);
    check(filtered.shownWithout.length === 0, `shown sections hold "${args.query}" (not: ${filtered.shownWithout.slice(0, 3)})`);
    check(filtered.hiddenNamed.length === 0, `sections named "${args.query}" stay (hidden: ${filtered.hiddenNamed.slice(0, 3)})`);
    check(filtered.tocShownForHidden === 0, 'contents entries of hidden sections are hidden');
    check(!filtered.noneShown, 'no "nothing matches" note while something matches');
    // What a reviewer sees: the first matching sections opened, the bar and contents beside.
    await page.evaluate(openFirstSections);
    await page.screenshot({ path: `${args.out}/filtered.png` });

    await page.fill('#_q', 'zz-no-such-component-zz');
    await page.waitForFunction(() => /^0 of/.test(document.getElementById('_status').textContent));
    check(await page.isVisible('#_none'), 'a filter matching nothing says so');

    // Filter by kind, then by change type.
    await page.fill('#_q', '');
    await page.selectOption('#_kind', args.kind);
    await page.waitForFunction(() => / match$/.test(document.getElementById('_status').textContent));
    const byKind = await page.evaluate((kind) => {
      const vis = (el) => !el.closest('[hidden]');
      const items = Array.from(document.querySelectorAll('.c')).filter(vis);
      return { shown: items.length, other: items.filter((i) => i.dataset.k !== kind).length };
    }, args.kind);
    check(byKind.shown > 0 && byKind.other === 0, `kind ${args.kind}: ${byKind.shown} shown, ${byKind.other} of another kind`);
    await page.selectOption('#_kind', '');
    for (const v of ['a', 'm']) await page.uncheck(`#_bar input[value="${v}"]`);
    const removedOnly = await page.evaluate(() => {
      const vis = (el) => !el.closest('[hidden]');
      const items = Array.from(document.querySelectorAll('.c')).filter(vis);
      return { shown: items.length, other: items.filter((i) => !i.classList.contains('r')).length };
    });
    check(removedOnly.other === 0, `removed only: ${removedOnly.other} shown that were not removed`);
    for (const v of ['a', 'm']) await page.check(`#_bar input[value="${v}"]`);
    await page.waitForFunction(() => !/ match$/.test(document.getElementById('_status').textContent));
    const cleared = await page.evaluate(snapshot);
    check(cleared.visibleGroups === start.groups && cleared.visibleItems === start.items, 'clearing the filter shows everything');

    // Expand all, then collapse all.
    t = Date.now();
    await page.click('#_expand');
    const expanded = await page.evaluate(snapshot);
    measures.expand_ms = Date.now() - t;
    check(expanded.open === expanded.details, `expand all opens all (${expanded.open} of ${expanded.details})`);
    const width = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    check(width[0] <= width[1], `long rows wrap: page ${width[0]}px wide in a ${width[1]}px window`);
    await page.click('#_collapse');
    const collapsed = await page.evaluate(snapshot);
    check(collapsed.open === 0, `collapse all closes all (${collapsed.open} open)`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${args.out}/screenshot.png` });

    // A link to a component inside a collapsed section opens the section and shows it.
    const target = await page.evaluate(() => {
      const c = document.querySelector('details.g:not([open]) .c[id]');
      return c ? c.id : null;
    });
    if (target) {
      await page.evaluate((id) => {
        location.hash = '#' + encodeURIComponent(id);
      }, target);
      await page.waitForFunction((id) => document.getElementById(id).closest('details').open, target);
      const box = await page.evaluate((id) => {
        const r = document.getElementById(id).getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, h: window.innerHeight };
      }, target);
      check(box.top >= 0 && box.top < box.h, `the linked component #${target} is scrolled into view (top ${box.top})`);
      measures.anchor = target;
    }

    // A count in the header filters to its kind and change type.
    const link = await page.evaluate(() => {
      const a = document.querySelector('header a[data-f][data-c]');
      return a ? { f: a.dataset.f, c: a.dataset.c, n: Number(a.textContent) } : null;
    });
    check(link !== null, 'the header has count links');
    await page.click(`header a[data-f="${link.f.replace(/"/g, '\\"')}"][data-c="${link.c}"]`);
    const counted = await page.evaluate(() => {
      const vis = (el) => !el.closest('[hidden]');
      return Array.from(document.querySelectorAll('.c')).filter(vis).map((i) => [i.dataset.k, i.classList.contains('a') ? 'a' : i.classList.contains('r') ? 'r' : 'm']);
    });
    check(
      counted.length === link.n && counted.every(([k, c]) => k === link.f && c === link.c),
      `the count ${link.n} of ${link.f}/${link.c} shows ${counted.length} components, all of that kind and change`,
    );
    await page.fill('#_q', '');
    await page.selectOption('#_kind', '');
    for (const v of ['a', 'r', 'm']) await page.check(`#_bar input[value="${v}"]`);

    // Dark scheme: a dark background.
    await page.emulateMedia({ colorScheme: 'dark' });
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const rgb = (bg.match(/\d+/g) || []).map(Number);
    check(rgb.length >= 3 && rgb[0] + rgb[1] + rgb[2] < 150, `dark scheme has a dark background (${bg})`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${args.out}/dark.png` });
    await page.emulateMedia({ colorScheme: 'light' });

    // Print: no controls, closed sections printed open.
    await page.click('#_collapse');
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => {
      const row = document.querySelector('details.g:not([open]) .l');
      return {
        bar: getComputedStyle(document.getElementById('_bar')).display,
        toc: getComputedStyle(document.getElementById('_toc')).display,
        rowShown: row ? row.getClientRects().length > 0 : true,
      };
    });
    check(printed.bar === 'none' && printed.toc === 'none', 'print hides the controls and the contents');
    check(printed.rowShown, 'print shows the rows of closed sections');
    await page.emulateMedia({ media: 'screen' });

    check(errors.length === 0, `no script or console errors: ${errors.slice(0, 5).join(' | ')}`);
    check(requests.length === 0, `no network requests: ${requests.slice(0, 5).join(' ')}`);
    await context.close();
    if (args.docs) await docsScreenshot(browser, url, args.query, args.docs);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(measures));
}

main().catch((e) => {
  console.error(e && e.message ? e.message : e);
  process.exit(1);
});
