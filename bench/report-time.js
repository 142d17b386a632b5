// report-time.js PAGE RUNS: median ms from navigation start to the
// page's "mlp-ready" mark and to the load event, in headless chromium.
'use strict';
const path = require('path');
const puppeteer = require('puppeteer-core');

(async () => {
	const [page_, runs] = process.argv.slice(2);
	const browser = await puppeteer.launch({ executablePath:
	    process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
	    args: ['--no-sandbox', '--disable-gpu'] });
	const ready = [], load = [];
	for (let i = 0; i < +(runs || 5); i++) {
		const p = await browser.newPage();
		await p.setViewport({ width: 1280, height: 800 });
		await p.goto('file://' + path.resolve(page_),
		    { waitUntil: 'load' });
		const t = await p.evaluate(() => {
			const m = performance.getEntriesByName('mlp-ready')[0];
			const n = performance.getEntriesByType('navigation')[0];
			return [m ? m.startTime : -1, n.loadEventEnd];
		});
		ready.push(t[0]);
		load.push(t[1]);
		await p.close();
	}
	await browser.close();
	const med = (v) => v.sort((a, b) => a - b)[v.length >> 1].toFixed(0);
	console.log(med(ready) + ' ' + med(load));
})();
