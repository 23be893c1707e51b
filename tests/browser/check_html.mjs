// check_html.mjs - opens report.html in chromium (JavaScript on) and checks it
// against the JSON files it was made from.
//
//   node check_html.mjs CHROMIUM RESULTS_DIR REPORT_HTML SCREENSHOT_PNG
//
// Fails (exit 1, one line per problem) on: any request but the file itself,
// any console message of level warning or error, a page error, an injected
// element or attribute, a chart whose data attributes differ from the JSON's
// numbers (ROC and PR points, calibration bins, per-group selection rates and
// the band, latency histogram bins, comparison deltas), a hostile group name
// not shown as its text. Saves a full-page screenshot.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const [chromium, resultsDir, reportPath, shotPath] = process.argv.slice(2);
const load = (name) => JSON.parse(readFileSync(resolve(resultsDir, name), 'utf8'));
const gate = load('gate.json');
const metrics = load('metrics.json');
const fairness = load('fairness.json');
const latency = load('latency.json');
const comparison = load('comparison.json');

const problems = [];
const fail = (msg) => problems.push(msg);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function expectEqual(what, got, want) {
  if (!same(got, want))
    fail(`${what}: got ${JSON.stringify(got).slice(0, 300)}, want ${JSON.stringify(want).slice(0, 300)}`);
}

const url = pathToFileURL(resolve(reportPath)).href;
const args = ['--disable-gpu', '--no-first-run', '--no-default-browser-check'];
if (process.getuid && process.getuid() === 0) args.push('--no-sandbox'); // chromium refuses root otherwise
const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args });
try {
  const page = await browser.newPage();
  await page.setJavaScriptEnabled(true);
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn' || m.type() === 'warning')
      fail(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));
  page.on('requestfailed', (r) => fail(`failed request: ${r.url()}`));
  page.on('request', (r) => {
    if (r.url() !== url) fail(`request: ${r.url()}`);
  });
  page.on('dialog', async (d) => {
    fail(`dialog: ${d.message()}`);
    await d.dismiss();
  });
  await page.setViewport({ width: 1280, height: 900 });
  const resp = await page.goto(url, { waitUntil: 'load' });
  if (!resp || !resp.ok()) fail(`loading ${url}`);

  const dom = await page.evaluate(() => {
    const num = (el, name) => (el.hasAttribute(name) ? Number(el.getAttribute(name)) : null);
    const attrsOn = [];
    for (const el of document.querySelectorAll('*'))
      for (const a of el.attributes) if (/^on/i.test(a.name)) attrsOn.push(`${el.tagName} ${a.name}`);
    return {
      title: document.title,
      scripts: document.scripts.length,
      loaders: document.querySelectorAll('img, iframe, object, embed, link, script, video, audio, image, use, foreignObject').length,
      attrsOn,
      verdict: document.querySelector('#verdict')?.textContent,
      gates: [...document.querySelectorAll('#gates tbody tr')].map((tr) => ({
        name: tr.cells[0].firstChild?.textContent,
        status: tr.cells[5].textContent.trim(),
      })),
      roc: document.querySelector('#chart-roc path.series')?.getAttribute('data-points'),
      pr: document.querySelector('#chart-pr path.series')?.getAttribute('data-points'),
      calibration: [...document.querySelectorAll('#chart-calibration g.mark')].map((g) => ({
        x: num(g, 'data-x'), y: num(g, 'data-y'), lo: num(g, 'data-ci-low'), hi: num(g, 'data-ci-high'),
        count: num(g, 'data-count'),
      })),
      fairness: [...document.querySelectorAll('figure.bar-chart')].map((f) => ({
        id: f.id,
        bars: [...f.querySelectorAll('g.bar')].map((g) => ({
          group: g.getAttribute('data-group'), value: num(g, 'data-value'),
          lo: num(g, 'data-ci-low'), hi: num(g, 'data-ci-high'), n: num(g, 'data-n'),
          label: g.querySelector('text.bar-label').textContent,
        })),
        band: (() => {
          const b = f.querySelector('rect.band');
          return b ? [num(b, 'data-band-low'), num(b, 'data-band-high')] : null;
        })(),
        ref: num(f.querySelector('line.ref') ?? f, 'data-value'),
      })),
      groupCells: [...document.querySelectorAll('table.groups')].map((t) =>
        [...t.querySelectorAll('td.group')].map((td) => ({
          text: td.textContent, missing: td.querySelector('em.missing') !== null, children: td.children.length,
        }))),
      bins: [...document.querySelectorAll('#chart-latency rect.bin')].map((r) => ({
        low: num(r, 'data-low'), high: num(r, 'data-high'), count: num(r, 'data-count'),
      })),
      markers: [...document.querySelectorAll('#chart-latency line.marker')].map((l) => ({
        label: l.getAttribute('data-label'), value: num(l, 'data-value'),
      })),
      deltas: [...document.querySelectorAll('#chart-deltas g.delta')].map((g) => ({
        metric: g.getAttribute('data-metric'), value: num(g, 'data-value'),
        lo: num(g, 'data-ci-low'), hi: num(g, 'data-ci-high'),
      })),
      zero: document.querySelector('#chart-deltas line.zero')?.getAttribute('data-value'),
      svgs: document.querySelectorAll('svg').length,
    };
  });

  // Nothing ran, nothing was injected.
  expectEqual('document.title', dom.title, `modelgate: ${gate.verdict}`);
  expectEqual('script elements', dom.scripts, 0);
  expectEqual('elements that load', dom.loaders, 0);
  expectEqual('on* attributes', dom.attrsOn, []);

  // Gates.
  expectEqual('verdict badge', dom.verdict, gate.verdict);
  expectEqual('gate names', dom.gates.map((g) => g.name), gate.gates.map((g) => g.name));
  dom.gates.forEach((g, i) => {
    if (!g.status.endsWith(gate.gates[i].verdict)) fail(`gate ${i} status "${g.status}" is not ${gate.gates[i].verdict}`);
  });

  // Curves: every point, as the JSON holds it.
  const zip = (xs, ys) => xs.map((x, i) => [x, ys[i]]);
  const roc = metrics.curves.roc, pr = metrics.curves.pr;
  if (!dom.roc) fail('no ROC chart');
  else expectEqual('ROC points', JSON.parse(dom.roc), zip(roc.fpr, roc.tpr));
  if (!dom.pr) fail('no PR chart');
  else expectEqual('PR points', JSON.parse(dom.pr), zip(pr.recall, pr.precision));
  expectEqual('calibration bins', dom.calibration, metrics.calibration.bins.map((b) => ({
    x: b.mean_score, y: b.observed_rate, lo: b.ci_low, hi: b.ci_high, count: b.count,
  })));

  // Fairness: one bar chart per attribute, bars = groups in order.
  const attrs = Object.keys(fairness.demographic_parity);
  expectEqual('fairness charts', dom.fairness.map((f) => f.id), attrs.map((_, i) => `chart-fairness-${i}`));
  const overall = fairness.overall.selection_rate;
  attrs.forEach((attr, i) => {
    const groups = fairness.demographic_parity[attr].groups;
    const chart = dom.fairness[i];
    if (!chart) return;
    expectEqual(`${attr} bars`, chart.bars.map((b) => ({
      group: JSON.parse(b.group), value: b.value, lo: b.lo, hi: b.hi, n: b.n,
    })), groups.map((g) => ({
      group: g.value, value: g.selection_rate, lo: g.selection_rate_ci?.low ?? null,
      hi: g.selection_rate_ci?.high ?? null, n: g.n,
    })));
    expectEqual(`${attr} band`, chart.band, [overall * fairness.threshold, overall * fairness.threshold_high]);
    expectEqual(`${attr} overall line`, chart.ref, overall);
    // Group names are text: the cell's text is the value itself (a missing
    // value is the italic word), with no element inside but that <em>.
    expectEqual(`${attr} group cells`, dom.groupCells[i], groups.map((g) => ({
      text: g.value === null ? 'missing' : String(g.value), missing: g.value === null,
      children: g.value === null ? 1 : 0,
    })));
    // Chart labels are cut after 40 characters (the tables show them whole).
    const cut = (t) => ([...t].length > 40 ? [...t].slice(0, 40).join('') + '\u2026' : t);
    expectEqual(`${attr} bar labels`, chart.bars.map((b) => b.label),
      groups.map((g) => (g.value === null ? 'missing' : cut(String(g.value)))));
  });
  const hostile = '<script>document.title="pwned"</script>';
  if (!dom.groupCells.flat().some((c) => c.text === hostile)) fail('the <script> group name is not shown as text');

  // Latency histogram: every bin's edges and count.
  const h = latency.histogram;
  expectEqual('latency bins', dom.bins, h.counts.map((c, i) => ({ low: h.edges_ms[i], high: h.edges_ms[i + 1], count: c })));
  const sum = dom.bins.reduce((a, b) => a + b.count, 0);
  expectEqual('latency counts sum', sum, latency.samples);
  expectEqual('latency markers', dom.markers.slice(0, 2), [
    { label: 'p50', value: latency.p50_ms }, { label: 'p99', value: latency.p99_ms }]);

  // Comparison deltas: every delta with a value, its interval where there is one.
  expectEqual('deltas', dom.deltas, Object.entries(comparison.deltas).filter(([, d]) => d.value !== null)
    .map(([k, d]) => ({ metric: k, value: d.value, lo: d.ci_low, hi: d.ci_high })));
  expectEqual('zero line', dom.zero, '0');
  expectEqual('charts', dom.svgs, 2 + 1 + 1 + attrs.length + 1 + 1); // ROC PR calibration scores, bars, latency, deltas

  await page.screenshot({ path: shotPath, fullPage: true });
} finally {
  await browser.close();
}

for (const p of problems) console.log(`FAIL: ${p}`);
if (problems.length) process.exit(1);
console.log('check_html: report.html matches the JSON files');
