// check-report.js - open a page of `mlp-ls --format html` in Debian's
// chromium (headless, over the DevTools protocol through puppeteer-core)
// and check it; TAP on stdout.  Never downloads a browser.
//
// usage: node check-report.js PAGE EXPECT.json SHOTDIR
// EXPECT.json (written by tests/t/t3010-ls-html.t from mlp-ls output):
//   runs: run ids in the page's (command-line) order
//   sortKey, sortAsc, sortDesc: a column and the run ids it sorts to
//   filter, filtered: a filter text and the run ids left
//   points: {metric: {run id: number of points}}
//   compare: [id, id], params: {id: {key: value}}
//   script: the id of the run named <script>...
//   cmp: {two: {ids, rows, all}, three: ...}: runs to select and the rows
//     of mlp-ls --compare -F json on them (rows; all: with --all); note:
//     a value with markup, which must stay text
'use strict';
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const [page_, expectFile, shotDir] = process.argv.slice(2);
// E.children instead of the rest: the rows that are sweep children.
const E = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
const url = 'file://' + path.resolve(page_);
let n = 0, failed = 0;

function ok(cond, what, detail) {
	n++;
	if (cond)
		console.log(`ok ${n} - ${what}`);
	else {
		failed++;
		console.log(`not ok ${n} - ${what}`);
		if (detail !== undefined)
			console.log('# ' + JSON.stringify(detail).slice(0, 2000));
	}
}
function canon(v) {
	if (Array.isArray(v))
		return v.map(canon);
	if (v && typeof v === 'object')
		return Object.keys(v).sort().map((k) => [k, canon(v[k])]);
	return v;
}
function same(a, b) {
	return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

async function rowIds(page) {
	return page.$$eval('#runs tbody tr[data-id]',
	    (trs) => trs.map((t) => t.getAttribute('data-id')));
}

async function main() {
	const browser = await puppeteer.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu',
		    '--no-first-run', '--disable-extensions'],
	});
	try {
		await checks(browser);
	} finally {
		await browser.close();
	}
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
}

async function checks(browser) {
	const page = await browser.newPage();
	const requests = [], errors = [];
	await page.setViewport({ width: 1280, height: 800 });
	page.on('request', (r) => {
		if (r.url() !== url && !r.url().startsWith(url + '#'))
			requests.push(r.url());
	});
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning')
			errors.push(m.type() + ': ' + m.text());
	});
	page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
	await page.goto(url, { waitUntil: 'load' });

	if (E.cmp) {
		await compareChecks(page, errors, requests);
		return;
	}

	// A page of -c columns: sorting a metric column, NaN and inf too.
	if (E.sortOnly) {
		const th = `#runs th[data-col="${E.sortOnly.key}"]`;
		ok(same(await rowIds(page), E.runs), '-c page: runs in order',
		    await rowIds(page));
		await page.click(th);
		ok(same(await rowIds(page), E.sortOnly.asc),
		    '-c page: ascending, NaN after the values',
		    { got: await rowIds(page), want: E.sortOnly.asc });
		await page.click(th);
		ok(same(await rowIds(page), E.sortOnly.desc),
		    '-c page: descending, NaN after the values',
		    { got: await rowIds(page), want: E.sortOnly.desc });
		ok(errors.length === 0, 'no console error', errors);
		return;
	}

	// Many runs: only the rows in view are in the document.
	if (E.virtual) {
		const shown = await page.$eval('#shown', (e) => e.textContent);
		ok(shown === `${E.virtual.count} of ${E.virtual.count} runs`,
		    'every run counted', shown);
		const first = await rowIds(page);
		ok(first.length > 0 && first.length < 100 &&
		    first[0] === E.virtual.first,
		    'only the rows in view are drawn', first.length);
		await page.$eval('#scroller', (s) => {
			s.scrollTop = s.scrollHeight;
		});
		await page.waitForFunction((id) => {
			const r = document.querySelectorAll(
			    '#runs tbody tr[data-id]');
			return r.length && r[r.length - 1].getAttribute(
			    'data-id') === id;
		}, { timeout: 5000 }, E.virtual.last);
		const last = await rowIds(page);
		ok(last.length < 100 && last[last.length - 1] === E.virtual.last,
		    'scrolled to the end: the last run, still few rows',
		    last.length);
		await page.screenshot({ path: path.join(shotDir,
		    'many-end.png') });
		ok(errors.length === 0, 'no console error', errors);
		return;
	}

	// The table: every run, in the command line's order.
	ok(same(await rowIds(page), E.runs), 'table lists the runs in order',
	    { got: await rowIds(page), want: E.runs });
	if (E.children) {
		const kids = await page.$$eval('#runs tbody tr.child',
		    (trs) => trs.map((t) => t.getAttribute('data-id')));
		ok(same(kids.sort(), E.children.slice().sort()),
		    'sweep children are indented under their parent',
		    { got: kids, want: E.children });
		await page.screenshot({ path: path.join(shotDir,
		    'sweep.png') });
		ok(errors.length === 0, 'no console error', errors);
		ok(requests.length === 0, 'no network request', requests);
		return;
	}
	await page.screenshot({ path: path.join(shotDir, 'runs.png') });

	// A run named <script>...</script> is text.
	const pwned = await page.evaluate(() => window.__pwned);
	ok(pwned === undefined, '<script> run name did not execute');
	const name = await page.$eval(`#runs tr[data-id="${E.script}"] a`,
	    (a) => a.textContent);
	ok(name === E.scriptName, '<script> run name shown as text',
	    { got: name, want: E.scriptName });

	// Sorting by a header, then the other way.
	const th = `#runs th[data-col="${E.sortKey}"]`;
	await page.click(th);
	ok(same(await rowIds(page), E.sortAsc), 'header click sorts ascending',
	    { got: await rowIds(page), want: E.sortAsc });
	await page.click(th);
	ok(same(await rowIds(page), E.sortDesc),
	    'second click sorts descending',
	    { got: await rowIds(page), want: E.sortDesc });

	// The filter box hides rows.
	await page.type('#filter', E.filter);
	ok(same(await rowIds(page), E.filtered), 'filter hides rows',
	    { got: await rowIds(page), want: E.filtered });
	await page.click('#filter', { clickCount: 3 });
	await page.keyboard.press('Backspace');
	ok((await rowIds(page)).length === E.runs.length,
	    'clearing the filter shows every run');

	// The column chooser adds a column.
	await page.click('details.cols summary');
	await page.click(`details.cols input[data-col="run_id"]`);
	ok((await page.$('#runs th[data-col="run_id"]')) !== null,
	    'column chooser adds a column');
	await page.click('details.cols summary');

	// The packed histories decode to the points mlp-ls --history prints:
	// values to float32 with 9 mantissa bits, times to 1/4095 of the span.
	if (E.history) {
		const h = await page.evaluate((id, k) => window.mlpHistory(id, k),
		    E.history.run, E.history.metric);
		const want = E.history.points;
		const span = want[want.length - 1][1] - want[0][1];
		const bad = want.filter((p, j) => h.step[j] !== p[0] ||
		    Math.abs(h.time[j] - p[1]) > span / 4095 + 1 ||
		    Math.abs(h.value[j] - p[2]) > Math.abs(p[2]) / 512);
		ok(h.value.length === want.length && bad.length === 0,
		    'histories decode to the logged points', { bad, h });
	}

	// Charts: one line per run with its number of points.
	await page.goto(url + '#charts');
	await page.waitForSelector('.chart');
	for (const metric of Object.keys(E.points)) {
		const lines = await page.$$eval(
		    `.chart[data-metric="${metric}"] polyline`, (ps) =>
		    ps.map((p) => [p.getAttribute('data-run'),
		    p.getAttribute('points').trim().split(/\s+/).length]));
		const got = {};
		for (const [id, k] of lines)
			got[id] = k;
		ok(same(got, E.points[metric]),
		    `chart ${metric}: one line per run, all its points`,
		    { got, want: E.points[metric] });
	}
	// The lines are inside the plot area, not clipped.
	const inside = await page.$$eval('.chart svg', (svgs) =>
	    svgs.every((s) => {
		const vb = s.viewBox.baseVal;
		return Array.from(s.querySelectorAll('polyline')).every((p) => {
			const b = p.getBBox();
			return b.x >= 0 && b.y >= 0 && b.x + b.width <= vb.width &&
			    b.y + b.height <= vb.height && b.width + b.height > 0;
		});
	    }));
	ok(inside, 'every line lies inside its chart');
	// Sweeps: params against a metric, a line per run that has it.
	if (E.parcoords) {
		await page.select('#pc-metric', E.parcoords.metric);
		const pc = await page.$$eval('#parcoords polyline', (ps) =>
		    ps.map((p) => [p.getAttribute('data-run'),
		    p.getAttribute('points').trim().split(/\s+/).length]));
		const got = {};
		for (const [id, k] of pc)
			got[id] = k;
		ok(same(got, E.parcoords.points),
		    'parallel coordinates: a line per run across the axes',
		    { got, want: E.parcoords.points });
	}
	// Hover shows a value.
	const svg = await page.$('.chart svg');
	const box = await svg.boundingBox();
	const pt = await page.$eval('.chart polyline', (p) => {
		const a = p.getAttribute('points').trim().split(/\s+/)[2]
		    .split(',');
		const s = p.ownerSVGElement.getBoundingClientRect();
		const vb = p.ownerSVGElement.viewBox.baseVal;
		return [s.left + (+a[0]) * s.width / vb.width,
		    s.top + (+a[1]) * s.height / vb.height];
	});
	await page.mouse.move(pt[0], pt[1]);
	const tip = await page.$eval('.chart .tip', (t) =>
	    t.style.display !== 'none' ? t.textContent : '');
	ok(/step \d+/.test(tip) && / = /.test(tip), 'hover shows the value',
	    { tip, box });
	await page.screenshot({ path: path.join(shotDir, 'charts.png'),
	    fullPage: true });
	await page.click('#logscale');
	const nlog = await page.$$eval('.chart polyline', (p) => p.length);
	ok(nlog > 0, 'log scale draws lines');
	await page.select('#xaxis', 'rel');
	ok((await page.$$eval('.chart polyline', (p) => p.length)) > 0,
	    'x by time draws lines');
	await page.screenshot({ path: path.join(shotDir, 'charts-log-time.png'),
	    fullPage: true });

	// A run's view.
	await page.goto(url + '#run=' + E.runView);
	const txt = await page.$eval('#main', (m) => m.textContent);
	ok(txt.includes(E.runViewCommit) && txt.includes('Uncommitted changes'),
	    'run view shows commit and diff');
	const links = await page.$$eval('#artifacts a', (as) =>
	    as.map((a) => a.getAttribute('href')));
	ok(links.length > 0 && links.every((h) => !/^[a-z]+:/.test(h)),
	    'artifact links are relative', links);
	await page.screenshot({ path: path.join(shotDir, 'run.png'),
	    fullPage: true });

	// Select two runs and compare them.
	await page.goto(url + '#runs');
	for (const id of E.compare)
		await page.click(`#runs tr[data-id="${id}"] input[type=checkbox]`);
	await page.click('#compare-btn');
	await page.waitForSelector('#compare');
	const diff = await page.$$eval('#compare tr.diff', (trs) =>
	    trs.map((t) => t.getAttribute('data-key')));
	const [a, b] = E.compare;
	for (const k of Object.keys(E.params[a])) {
		const differs = E.params[a][k] !== E.params[b][k];
		ok(diff.includes('params.' + k) === differs,
		    `compare: params.${k} ${differs ? 'shown' : 'hidden'}`,
		    diff);
	}
	const heads = await page.$$eval('#compare thead th a',
	    (as) => as.map((x) => x.getAttribute('href')));
	ok(same(heads.sort(), E.compare.map((id) => '#run=' + id).sort()),
	    'compare has a column per selected run', heads);
	await page.screenshot({ path: path.join(shotDir, 'compare.png'),
	    fullPage: true });

	ok(requests.length === 0, 'no network request', requests);
	ok(errors.length === 0, 'no console error', errors);
	await page.close();

	// Without JavaScript: a real table.
	const p2 = await browser.newPage();
	await p2.setJavaScriptEnabled(false);
	await p2.setViewport({ width: 1280, height: 600 });
	await p2.goto(url, { waitUntil: 'load' });
	const rows = await p2.$$eval('#runs tbody tr', (t) => t.length);
	ok(rows === E.runs.length, 'without JavaScript: a row per run',
	    { rows });
	const heads2 = await p2.$$eval('#runs thead th', (t) =>
	    t.map((x) => x.textContent));
	ok(heads2.includes(E.sortKey), 'without JavaScript: the columns',
	    heads2);
	await p2.screenshot({ path: path.join(shotDir, 'nojs.png') });
	await p2.close();
}

// The compare view's rows shown: [key, {run id: value or null}], the
// columns named by the header links, a missing value by td.missing.
async function compareShown(page) {
	return page.evaluate(() => {
		const ids = Array.from(document.querySelectorAll(
		    '#compare thead th a')).map((a) =>
		    decodeURIComponent(a.getAttribute('href').replace(
		    /^#run=/, '')));
		const rows = Array.from(document.querySelectorAll(
		    '#compare tbody tr')).filter((tr) =>
		    tr.style.display !== 'none');
		return { ids, rows: rows.map((tr) => {
			const td = Array.from(tr.children), v = {};
			ids.forEach((id, j) => {
				const c = td[j + 1];
				v[id] = c.classList.contains('missing') ? null :
				    c.textContent;
			});
			return [td[0].textContent, v];
		}) };
	});
}
// mlp-ls --compare -F json rows as compareShown() gives them.
function toolRows(rows, ids) {
	return rows.map((r) => {
		const v = {};
		for (const id of ids)
			v[id] = r[id] === undefined ? null : r[id];
		return [r.key, v];
	});
}

async function compareChecks(page, errors, requests) {
	for (const which of ['two', 'three']) {
		const C = E.cmp[which];
		await page.goto(url + '#runs');
		await page.waitForSelector('#runs tbody tr[data-id]');
		for (const id of C.ids) {
			const cb = `#runs tr[data-id="${id}"] input[type=checkbox]`;
			if (!(await page.$eval(cb, (c) => c.checked)))
				await page.click(cb);
		}
		await page.click('#compare-btn');
		await page.waitForSelector('#compare');
		let got = await compareShown(page);
		ok(same(got.ids.slice().sort(), C.ids.slice().sort()),
		    `compare ${which}: a column per selected run`, got.ids);
		const want = toolRows(C.rows, C.ids);
		ok(want.length > 0 && same(got.rows, want),
		    `compare ${which}: the rows of mlp-ls --compare, in order`,
		    { got: got.rows, want });
		await page.screenshot({ path: path.join(shotDir,
		    `compare-${which}.png`), fullPage: true });
		await page.click('#show-all');
		got = await compareShown(page);
		const all = toolRows(C.all, C.ids);
		ok(all.length > want.length && same(got.rows, all),
		    `compare ${which}, equal rows too: the rows of --all`,
		    { got: got.rows, want: all });
	}
	const note = await page.$$eval('#compare tr[data-key="tags.note"] td',
	    (tds) => tds.map((t) => t.textContent));
	ok(note.includes(E.cmp.note) && await page.evaluate(() =>
	    window.__pwned) === undefined &&
	    (await page.$$('#compare img')).length === 0,
	    'compare: a value with markup is text', note);
	// The environment, shared by m1 and m2, in each run's view.
	for (const id of Object.keys(E.cmp.env)) {
		await page.goto(url + '#run=' + id);
		const pre = await page.$$eval('#main h3', (hs) => {
			const h = hs.find((x) => /^Environment/.test(x.textContent));
			return h ? h.nextElementSibling.textContent : null;
		});
		ok(pre === E.cmp.env[id], `run ${id}: its environment.txt`,
		    { got: pre, want: E.cmp.env[id] });
	}
	ok(requests.length === 0, 'no network request', requests);
	ok(errors.length === 0, 'no console error', errors);
}

main().catch((e) => {
	console.log(`not ok ${n + 1} - driver: ${e.message}`);
	console.log(`1..${n + 1}`);
	process.exit(1);
});
