/*
 * report.js - the page of mlp-ls --format html (embedded at build time).
 * Reads the runs from the JSON in #mlp-data and draws the runs table
 * (only the rows in view), the charts (SVG), a run's view and the
 * comparison of selected runs.  Every text goes in through textContent
 * or setAttribute, never as markup; nothing is fetched.
 */
(function () {
'use strict';
var D = JSON.parse(document.getElementById('mlp-data').textContent);
var runs = D.runs, byId = {}, i;
var SVGNS = 'http://www.w3.org/2000/svg';
var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
var B64I = {};
var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd',
    '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
var CHART_MAX = 100;

/* Compare rows (report.c): keys, ranks, values, key lists, blocks. */
var CK = D.ck || [], CR = D.cr || [], CV = D.cv || [], CS = D.cs || [];
var CB = D.cb || [], CX = D.cx || [], KI = {};

for (i = 0; i < CK.length; i++)
	KI[CK[i]] = i;
/* Provenance files are interned (report.c): an index into D.cx. */
runs.forEach(function (r) {
	['diff', 'inputs', 'env'].forEach(function (f) {
		if (typeof r[f] === 'number')
			r[f] = CX[r[f]];
	});
});
for (i = 0; i < 64; i++)
	B64I[B64.charAt(i)] = i;
for (i = 0; i < runs.length; i++) {
	runs[i].i = i;
	byId[runs[i].id] = runs[i];
}

/* ---- small helpers ---- */
function el(tag, attrs, text) {
	var e = document.createElement(tag), k;
	for (k in attrs || {})
		e.setAttribute(k, attrs[k]);
	if (text !== undefined && text !== null)
		e.textContent = String(text);
	return e;
}
function sel(tag, attrs) {
	var e = document.createElementNS(SVGNS, tag), k;
	for (k in attrs || {})
		e.setAttribute(k, attrs[k]);
	return e;
}
function iso(ms) {
	if (ms === null || ms === undefined)
		return '';
	var d = new Date(ms);
	return isNaN(d.getTime()) ? String(ms) :
	    d.toISOString().replace(/\.\d+Z$/, 'Z');
}
function dur(r) {
	return r.t1 === null ? null : (r.t1 - r.t0) / 1000;
}
function fmtDur(s) {
	if (s === null || s === undefined)
		return '';
	if (s < 60)
		return s.toFixed(1) + ' s';
	if (s < 3600)
		return (s / 60).toFixed(1) + ' min';
	return (s / 3600).toFixed(1) + ' h';
}
function num(v) {
	if (typeof v === 'number')
		return v;
	if (v === 'NaN' || v === 'nan')
		return NaN;
	if (v === 'Infinity' || v === 'inf')
		return Infinity;
	if (v === '-Infinity' || v === '-inf')
		return -Infinity;
	return v === null || v === undefined || v === '' || isNaN(+v) ?
	    null : +v;
}
/* Numbers as mlp-ls prints them (Python's repr: nan, inf, -inf). */
function fmtNum(v) {
	if (v === null || v === undefined)
		return '';
	if (typeof v === 'number' && !isFinite(v))
		return isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
	return String(v);
}
function short(v) {
	if (!isFinite(v))
		return String(v);
	var a = Math.abs(v);
	if (a !== 0 && (a >= 1e5 || a < 1e-3))
		return v.toExponential(2);
	return String(+v.toPrecision(4));
}
function keys(o) {
	return o ? Object.keys(o) : [];
}
function union(field) {
	var seen = {}, out = [], j, k;
	for (j = 0; j < runs.length; j++) {
		k = keys(runs[j][field]);
		for (i = 0; i < k.length; i++)
			if (!seen[k[i]]) {
				seen[k[i]] = 1;
				out.push(k[i]);
			}
	}
	return out.sort();
}
/* A run's rows of mlp-ls --compare: {key index: value text}. */
function cmpRowsOf(r) {
	var o, c, s, j;
	if (r.cmp)
		return r.cmp;
	o = {};
	c = r.C || [0];
	s = CS[c[0]] || [];
	for (j = 0; j < s.length; j++)
		o[s[j]] = CV[c[j + 1]];
	(r.B || []).forEach(function (b) {
		for (j = 0; j + 1 < CB[b].length; j += 2)
			o[CB[b][j]] = CV[CB[b][j + 1]];
	});
	r.cmp = o;
	return o;
}
/* A metric's latest value as mlp-ls prints it, or null. */
function latest(r, k) {
	var x = KI['metrics.' + k], o = cmpRowsOf(r);
	return x !== undefined && Object.prototype.hasOwnProperty.call(o, x) ?
	    o[x] : null;
}
function parentOf(r) {
	var p = r.T && r.T['mlflow.parentRunId'];
	return p && byId[p] && p !== r.id ? p : null;
}

/* ---- metric histories (packed by report.c) ---- */
var f32 = new DataView(new ArrayBuffer(4));
function history(r, key) {
	var m = r.M[key], h, n, j, q, t, pos, c;
	if (!m)
		return null;
	if (m.h)
		return m.h;
	n = m.n;
	h = { step: new Array(n), time: new Array(n), value: new Array(n) };
	pos = 0;
	c = 0;
	for (j = 0; j < n; j++) {
		h.step[j] = m.s[0] === 0 && m.s[1] === 0 && m.s.length > 2 ?
		    m.s[2 + j] : m.s[0] + j * m.s[1];
		if (m.v.charAt(pos) === '.') {
			c = B64I[m.v.charAt(pos + 1)];
			pos += 2;
		}
		q = (c << 12) | (B64I[m.v.charAt(pos)] << 6) |
		    B64I[m.v.charAt(pos + 1)];
		pos += 2;
		f32.setUint32(0, (q << 14) >>> 0);
		h.value[j] = f32.getFloat32(0);
	}
	t = m.t[2];
	pos = 0;
	q = 0;
	for (j = 0; j < n; j++) {
		if (t.length === 0) {
			h.time[j] = m.t[0];
			continue;
		}
		c = t.charAt(pos++);
		if (c === '/') {
			q = (B64I[t.charAt(pos)] << 6) | B64I[t.charAt(pos + 1)];
			pos += 2;
		} else
			q += B64I[c];
		h.time[j] = m.t[0] + (m.t[1] - m.t[0]) * q / 4095;
	}
	m.h = h;
	return h;
}

/* ---- columns ---- */
function attrCol(name, get, numeric, fmt) {
	return { name: name, get: get, num: numeric, fmt: fmt || fmtNum };
}
var ATTRS = {
	run_name: attrCol('run_name', function (r) { return r.n; }),
	run_id: attrCol('run_id', function (r) { return r.id; }),
	status: attrCol('status', function (r) { return r.s; }),
	start_time: attrCol('start_time', function (r) { return r.t0; },
	    true, iso),
	end_time: attrCol('end_time', function (r) { return r.t1; }, true,
	    iso),
	duration: attrCol('duration', dur, true, fmtDur),
	experiment_name: attrCol('experiment_name',
	    function (r) { return r.e; }),
	experiment_id: attrCol('experiment_id', function (r) { return r.x; }),
	user_id: attrCol('user_id', function (r) { return r.u; })
};
function keyCol(kind, k) {
	if (kind === 'metrics')
		return attrCol('metrics.' + k, function (r) {
			return num(latest(r, k));
		}, true);
	var f = kind === 'params' ? 'P' : 'T';
	return attrCol(kind + '.' + k, function (r) {
		return r[f] && Object.prototype.hasOwnProperty.call(r[f], k) ?
		    r[f][k] : null;
	});
}
var allCols = [], colByName = {}, visible = [];
function addCol(c) {
	if (!colByName[c.name]) {
		colByName[c.name] = c;
		allCols.push(c);
	}
	return colByName[c.name];
}
(function () {
	var j, p = union('P'), m = union('M'), t = union('T');
	if (D.columns) {
		D.columns.forEach(function (c, idx) {
			var isTime = c[0] === 'start_time' || c[0] === 'end_time';
			visible.push(addCol(attrCol(c[0], function (r) {
				var v = r.c[idx];
				if (v === null)
					return null;
				return isTime ? Date.parse(v) : c[1] ? num(v) : v;
			}, !!c[1], isTime ? iso : fmtNum)));
		});
	} else {
		['run_name', 'status', 'start_time', 'duration'].forEach(
		    function (k) { visible.push(addCol(ATTRS[k])); });
		p.forEach(function (k) {
			visible.push(addCol(keyCol('params', k)));
		});
		m.forEach(function (k) {
			visible.push(addCol(keyCol('metrics', k)));
		});
	}
	for (j in ATTRS)
		addCol(ATTRS[j]);
	p.forEach(function (k) { addCol(keyCol('params', k)); });
	m.forEach(function (k) { addCol(keyCol('metrics', k)); });
	t.forEach(function (k) { addCol(keyCol('tags', k)); });
}());

/* ---- state ---- */
var state = { sort: null, desc: false, filter: '', selected: {},
    xaxis: 'step', log: false };
var view = [];		/* the rows shown, in order: {r, depth} */

function cmpVals(a, b, numeric) {
	var an = a === null || a === undefined, bn = b === null ||
	    b === undefined;
	if (an || bn)
		return an && bn ? 0 : an ? 1 : -1;	/* missing last */
	if (numeric) {
		if (isNaN(a) || isNaN(b))
			return isNaN(a) && isNaN(b) ? 0 : isNaN(a) ? 1 : -1;
		return a < b ? -1 : a > b ? 1 : 0;
	}
	a = String(a);
	b = String(b);
	return a < b ? -1 : a > b ? 1 : 0;
}
function sortRuns(list) {
	var c = state.sort && colByName[state.sort];
	if (!c)
		return list;
	return list.slice().sort(function (x, y) {
		var a = c.get(x), b = c.get(y), r;
		var an = a === null || a === undefined, bn = b === null ||
		    b === undefined;
		/* Values, then NaN, then missing, in both directions. */
		if (c.num && !an && !bn && (isNaN(a) || isNaN(b)))
			an = isNaN(a), bn = isNaN(b);
		if (an || bn)
			r = an && bn ? 0 : an ? 1 : -1;
		else
			r = cmpVals(a, b, c.num) * (state.desc ? -1 : 1);
		return r || x.i - y.i;
	});
}
function matches(r) {
	if (!state.filter)
		return true;
	var f = state.filter.toLowerCase(), j, v;
	if (r.id.indexOf(f) >= 0)
		return true;
	for (j = 0; j < visible.length; j++) {
		v = visible[j].fmt(visible[j].get(r));
		if (String(v).toLowerCase().indexOf(f) >= 0)
			return true;
	}
	return false;
}
/* Runs in command-line order (or sorted), children under parents. */
function computeView() {
	var kids = {}, top = [], j, shown = {};
	var list = runs.filter(matches);
	list.forEach(function (r) { shown[r.id] = 1; });
	list.forEach(function (r) {
		var p = parentOf(r);
		if (p && shown[p])
			(kids[p] = kids[p] || []).push(r);
		else
			top.push(r);
	});
	view = [];
	function add(r, depth) {
		view.push({ r: r, depth: depth });
		if (kids[r.id] && depth < 8)
			sortRuns(kids[r.id]).forEach(function (k) {
				add(k, depth + 1);
			});
	}
	top = sortRuns(top);
	for (j = 0; j < top.length; j++)
		add(top[j], 0);
}

/* ---- runs table (virtual: only the rows in view are in the DOM) ---- */
var ROW_H = 24, table = {};
function selectedIds() {
	return runs.filter(function (r) { return state.selected[r.id]; })
	    .map(function (r) { return r.id; });
}
function updateSelBar() {
	var n = selectedIds().length;
	table.selInfo.textContent = n + ' selected';
	table.cmpBtn.disabled = n < 2;
	table.chartBtn.disabled = n < 1;
}
function buildHead() {
	var tr = el('tr'), th;
	tr.appendChild(el('th', { 'class': 'selcol' }, ''));
	visible.forEach(function (c) {
		th = el('th', c.num ? { 'class': 'num' } : {}, c.name);
		th.setAttribute('data-col', c.name);
		if (state.sort === c.name)
			th.className += state.desc ? ' desc' : ' asc';
		th.addEventListener('click', function () {
			if (state.sort === c.name)
				state.desc = !state.desc;
			else {
				state.sort = c.name;
				state.desc = false;
			}
			refresh();
		});
		tr.appendChild(th);
	});
	table.thead.textContent = '';
	table.thead.appendChild(tr);
}
function renderRows() {
	var sc = table.scroller, first, last, j, tr, row, td, cb, c, v, a;
	var tb = table.tbody;
	first = Math.max(0, Math.floor(sc.scrollTop / ROW_H) - 10);
	last = Math.min(view.length, first +
	    Math.ceil((sc.clientHeight || 800) / ROW_H) + 20);
	tb.textContent = '';
	tb.appendChild(spacer(first * ROW_H));
	for (j = first; j < last; j++) {
		row = view[j];
		tr = el('tr', { 'data-id': row.r.id });
		if (state.selected[row.r.id])
			tr.className = 'sel';
		if (row.depth > 0)
			tr.className += ' child';
		td = el('td');
		cb = el('input', { type: 'checkbox', title: 'select' });
		cb.checked = !!state.selected[row.r.id];
		cb.addEventListener('change', onSelect(row.r.id));
		td.appendChild(cb);
		tr.appendChild(td);
		for (c = 0; c < visible.length; c++) {
			v = visible[c].fmt(visible[c].get(row.r));
			td = el('td', visible[c].num ? { 'class': 'num' } : {});
			if (visible[c].name === 'run_name' ||
			    visible[c].name === 'run_id') {
				td.className = 'name';
				if (row.depth > 0)
					td.style.paddingLeft = (8 + 16 *
					    row.depth) + 'px';
				a = el('a', { href: '#run=' +
				    encodeURIComponent(row.r.id) },
				    v === '' ? row.r.id : v);
				td.appendChild(a);
			} else
				td.textContent = v;
			td.title = v;
			tr.appendChild(td);
		}
		tb.appendChild(tr);
	}
	tb.appendChild(spacer((view.length - last) * ROW_H));
}
function spacer(h) {
	var tr = el('tr', { 'class': 'spacer' });
	tr.style.height = h + 'px';
	tr.appendChild(el('td', { colspan: String(visible.length + 1) }));
	tr.firstChild.style.padding = '0';
	tr.firstChild.style.border = '0';
	return tr;
}
function onSelect(id) {
	return function (ev) {
		if (ev.target.checked)
			state.selected[id] = 1;
		else
			delete state.selected[id];
		var tr = ev.target.parentNode.parentNode;
		tr.className = tr.className.replace(/\bsel\b/, '') +
		    (ev.target.checked ? ' sel' : '');
		updateSelBar();
	};
}
function refresh() {
	computeView();
	buildHead();
	renderRows();
	table.count.textContent = view.length + ' of ' + runs.length +
	    ' runs';
}
function colChooser() {
	var d = el('details', { 'class': 'cols' }), box = el('div');
	d.appendChild(el('summary', {}, 'Columns'));
	allCols.forEach(function (c) {
		var l = el('label'), cb = el('input', { type: 'checkbox' });
		cb.checked = visible.indexOf(c) >= 0;
		cb.setAttribute('data-col', c.name);
		cb.addEventListener('change', function () {
			if (cb.checked)
				visible = allCols.filter(function (x) {
					return x === c || visible.indexOf(x) >= 0;
				});
			else
				visible = visible.filter(function (x) {
					return x !== c;
				});
			refresh();
		});
		l.appendChild(cb);
		l.appendChild(document.createTextNode(' ' + c.name));
		box.appendChild(l);
	});
	d.appendChild(box);
	return d;
}
function showRuns(main) {
	var tools = el('div', { 'class': 'tools' }), f, t;
	f = el('input', { type: 'search', id: 'filter',
	    placeholder: 'filter rows' });
	f.value = state.filter;
	f.addEventListener('input', function () {
		state.filter = f.value;
		table.scroller.scrollTop = 0;
		refresh();
	});
	tools.appendChild(f);
	tools.appendChild(colChooser());
	table.count = el('span', { 'class': 'note', id: 'shown' });
	tools.appendChild(table.count);
	table.selInfo = el('span', { 'class': 'note' });
	tools.appendChild(table.selInfo);
	table.cmpBtn = el('button', { id: 'compare-btn' }, 'Compare selected');
	table.cmpBtn.addEventListener('click', function () {
		location.hash = 'compare=' + selectedIds().join(',');
	});
	table.chartBtn = el('button', { id: 'chart-btn' }, 'Chart selected');
	table.chartBtn.addEventListener('click', function () {
		location.hash = 'charts';
	});
	tools.appendChild(table.cmpBtn);
	tools.appendChild(table.chartBtn);
	main.appendChild(tools);
	table.scroller = el('div', { id: 'scroller' });
	t = el('table', { id: 'runs' });
	table.thead = el('thead');
	table.tbody = el('tbody');
	t.appendChild(table.thead);
	t.appendChild(table.tbody);
	table.scroller.appendChild(t);
	main.appendChild(table.scroller);
	var pending = false;
	table.scroller.addEventListener('scroll', function () {
		if (pending)
			return;
		pending = true;
		requestAnimationFrame(function () {
			pending = false;
			renderRows();
		});
	});
	updateSelBar();
	refresh();
}

/* ---- charts ---- */
function chartRuns() {
	var ids = selectedIds();
	if (ids.length > 0)
		return ids.map(function (id) { return byId[id]; });
	if (!view.length)
		computeView();
	return view.slice(0, CHART_MAX).map(function (x) { return x.r; });
}
function niceTicks(lo, hi, n) {
	var span = hi - lo, step, mag, err, t = [], v;
	if (!(span > 0))
		return [lo];
	step = span / n;
	mag = Math.pow(10, Math.floor(Math.log(step) / Math.LN10));
	err = step / mag;
	step = (err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1) * mag;
	for (v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
		t.push(Math.abs(v) < step * 1e-9 ? 0 : v);
	return t;
}
/* Ticks of a log axis (lo, hi: log10): 1, 2, 5 of each decade or sparser. */
function logTicks(lo, hi) {
	var t = [], d, m, v, mult = [[1], [1, 3], [1, 2, 5]], k;
	for (k = 2; k >= 0; k--) {
		t = [];
		for (d = Math.floor(lo); d <= Math.ceil(hi); d++)
			for (m = 0; m < mult[k].length; m++) {
				v = d + Math.log(mult[k][m]) / Math.LN10;
				if (v >= lo && v <= hi)
					t.push(v);
			}
		if (t.length <= 8)
			break;
	}
	if (t.length < 2)
		return niceTicks(lo, hi, 4).map(function (x) { return x; });
	if (t.length > 8)
		t = t.filter(function (x) { return Math.abs(x - Math.round(x)) < 1e-9; });
	return t;
}
function drawChart(key, list) {
	var W = 640, H = 300, L = 64, R = 12, T = 10, B = 34;
	var box = el('div', { 'class': 'chart', 'data-metric': key });
	var series = [], xmin = Infinity, xmax = -Infinity, ymin = Infinity;
	var ymax = -Infinity, svg, j, k, s, pts, tip, xs, ys, ticks, g;
	box.appendChild(el('h3', {}, key));
	list.forEach(function (r, idx) {
		var h = history(r, key), p = [], x, y;
		if (!h)
			return;
		for (k = 0; k < h.value.length; k++) {
			y = h.value[k];
			x = state.xaxis === 'step' ? h.step[k] :
			    state.xaxis === 'rel' ? (h.time[k] - r.t0) / 1000 :
			    h.time[k];
			if (!isFinite(y) || (state.log && y <= 0))
				continue;
			p.push([x, y, k]);
			if (x < xmin) xmin = x;
			if (x > xmax) xmax = x;
			if (y < ymin) ymin = y;
			if (y > ymax) ymax = y;
		}
		series.push({ r: r, h: h, p: p, color:
		    COLORS[idx % COLORS.length] });
	});
	if (!series.length) {
		box.appendChild(el('p', { 'class': 'note' }, 'no points'));
		return box;
	}
	if (xmin === Infinity) {
		xmin = 0; xmax = 1; ymin = 0; ymax = 1;
	}
	if (xmax === xmin) { xmin -= 1; xmax += 1; }
	if (state.log) {
		ymin = Math.log(ymin) / Math.LN10;
		ymax = Math.log(ymax) / Math.LN10;
	}
	if (ymax === ymin) { ymin -= 0.5; ymax += 0.5; }
	var pad = (ymax - ymin) * 0.04;
	ymin -= pad;
	ymax += pad;
	xs = function (x) { return L + (x - xmin) / (xmax - xmin) * (W - L - R); };
	ys = function (y) {
		if (state.log)
			y = Math.log(y) / Math.LN10;
		return T + (1 - (y - ymin) / (ymax - ymin)) * (H - T - B);
	};
	svg = sel('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
	g = sel('g');
	ticks = state.log ? logTicks(ymin, ymax) : niceTicks(ymin, ymax, 5);
	ticks.forEach(function (t) {
		var yy = T + (1 - (t - ymin) / (ymax - ymin)) * (H - T - B), tx;
		g.appendChild(sel('line', { 'class': 'grid', x1: L, x2: W - R,
		    y1: yy, y2: yy }));
		tx = sel('text', { x: L - 6, y: yy + 4, 'text-anchor': 'end' });
		tx.textContent = state.log ? short(Math.pow(10, t)) : short(t);
		g.appendChild(tx);
	});
	niceTicks(xmin, xmax, 6).forEach(function (t) {
		var xx = xs(t), tx;
		g.appendChild(sel('line', { 'class': 'grid', x1: xx, x2: xx,
		    y1: T, y2: H - B }));
		tx = sel('text', { x: xx, y: H - B + 14, 'text-anchor':
		    'middle' });
		tx.textContent = state.xaxis === 'time' ?
		    iso(t).slice(11, 19) : short(t);
		g.appendChild(tx);
	});
	g.appendChild(sel('line', { 'class': 'axis', x1: L, x2: L, y1: T,
	    y2: H - B }));
	g.appendChild(sel('line', { 'class': 'axis', x1: L, x2: W - R,
	    y1: H - B, y2: H - B }));
	var xl = sel('text', { x: (L + W - R) / 2, y: H - 4,
	    'text-anchor': 'middle' });
	xl.textContent = state.xaxis === 'step' ? 'step' : state.xaxis ===
	    'rel' ? 'seconds since the run started' : 'time (UTC)';
	g.appendChild(xl);
	svg.appendChild(g);
	for (j = 0; j < series.length; j++) {
		s = series[j];
		pts = s.p.map(function (q) {
			return xs(q[0]).toFixed(1) + ',' + ys(q[1]).toFixed(1);
		});
		svg.appendChild(sel('polyline', { points: pts.join(' '),
		    stroke: s.color, 'data-run': s.r.id,
		    'data-n': String(s.p.length) }));
	}
	var dot = sel('circle', { r: 4, fill: 'none', stroke: '#000',
	    visibility: 'hidden' });
	svg.appendChild(dot);
	box.appendChild(svg);
	tip = el('div', { 'class': 'tip' });
	tip.style.display = 'none';
	box.appendChild(tip);
	svg.addEventListener('mousemove', function (ev) {
		var rect = svg.getBoundingClientRect(), best = null, bd = Infinity;
		var mx = (ev.clientX - rect.left) * W / rect.width;
		var my = (ev.clientY - rect.top) * H / rect.height;
		series.forEach(function (s) {
			s.p.forEach(function (q) {
				var dx = xs(q[0]) - mx, dy = ys(q[1]) - my;
				var d2 = dx * dx + dy * dy;
				if (d2 < bd) { bd = d2; best = [s, q]; }
			});
		});
		if (!best || bd > 900) {
			tip.style.display = 'none';
			dot.setAttribute('visibility', 'hidden');
			return;
		}
		var q = best[1], h = best[0].h;
		dot.setAttribute('cx', xs(q[0]));
		dot.setAttribute('cy', ys(q[1]));
		dot.setAttribute('visibility', 'visible');
		tip.textContent = (best[0].r.n || best[0].r.id) + '  step ' +
		    h.step[q[2]] + '  ' + iso(Math.round(h.time[q[2]])) +
		    '  ' + key + ' = ' + short(q[1]);
		tip.style.display = 'block';
		tip.style.left = Math.min(ev.clientX - box.getBoundingClientRect()
		    .left + 12, box.clientWidth - tip.offsetWidth - 4) + 'px';
		tip.style.top = (ev.clientY - box.getBoundingClientRect().top +
		    12) + 'px';
	});
	svg.addEventListener('mouseleave', function () {
		tip.style.display = 'none';
		dot.setAttribute('visibility', 'hidden');
	});
	var lg = el('div', { 'class': 'legend' });
	series.forEach(function (s) {
		var sp = el('span', {}, s.r.n || s.r.id);
		sp.style.setProperty('--c', s.color);
		lg.appendChild(sp);
	});
	box.appendChild(lg);
	return box;
}
function showCharts(main) {
	var tools = el('div', { 'class': 'tools' }), list = chartRuns(), x, lg;
	var grid = el('div', { 'class': 'charts', id: 'charts' });
	x = el('select', { id: 'xaxis' });
	[['step', 'x: step'], ['rel', 'x: relative time'],
	    ['time', 'x: wall time']].forEach(function (o) {
		var op = el('option', { value: o[0] }, o[1]);
		if (state.xaxis === o[0])
			op.selected = true;
		x.appendChild(op);
	});
	x.addEventListener('change', function () {
		state.xaxis = x.value;
		route();
	});
	tools.appendChild(x);
	lg = el('label', {}, ' log scale');
	var cb = el('input', { type: 'checkbox', id: 'logscale' });
	cb.checked = state.log;
	cb.addEventListener('change', function () {
		state.log = cb.checked;
		route();
	});
	lg.insertBefore(cb, lg.firstChild);
	tools.appendChild(lg);
	tools.appendChild(el('span', { 'class': 'note' }, list.length +
	    ' runs' + (selectedIds().length ? ' (selected)' :
	    view.length > CHART_MAX ? ' (the first ' + CHART_MAX +
	    ' of the table; select runs to choose)' : '')));
	main.appendChild(tools);
	var metrics = {}, mk = [];
	list.forEach(function (r) {
		keys(r.M).forEach(function (k) {
			if (!metrics[k]) { metrics[k] = 1; mk.push(k); }
		});
	});
	mk.sort().forEach(function (k) { grid.appendChild(drawChart(k, list)); });
	if (!mk.length)
		main.appendChild(el('p', { 'class': 'note' }, 'No metrics.'));
	main.appendChild(grid);
	if (mk.length && list.length > 1)
		main.appendChild(parCoords(list, mk));
}

/* Params against one metric's latest value, a line per run (sweeps). */
function parCoords(list, mk) {
	var box = el('div', { 'class': 'chart parcoords', id: 'parcoords' });
	var head = el('h3', {}, 'Params against '), pick = el('select',
	    { id: 'pc-metric' }), body = el('div');
	if (!state.pcMetric || mk.indexOf(state.pcMetric) < 0)
		state.pcMetric = mk[0];
	mk.forEach(function (k) {
		var o = el('option', { value: k }, k);
		if (k === state.pcMetric)
			o.selected = true;
		pick.appendChild(o);
	});
	pick.addEventListener('change', function () {
		state.pcMetric = pick.value;
		body.textContent = '';
		body.appendChild(parCoordsSvg(list, pick.value));
	});
	head.appendChild(pick);
	box.appendChild(head);
	body.appendChild(parCoordsSvg(list, state.pcMetric));
	box.appendChild(body);
	return box;
}
function parCoordsSvg(list, metric) {
	var W = 1000, H = 300, T = 24, B = 28, L = 60, R = 60, axes = [];
	var runsM = list.filter(function (r) {
		return r.M[metric] && isFinite(num(latest(r, metric)));
	}), svg, g, mlo = Infinity, mhi = -Infinity;
	union('P').forEach(function (k) {
		var vals = {}, n = 0, numeric = true, lo = Infinity, hi = -Infinity;
		runsM.forEach(function (r) {
			var v = r.P && r.P[k];
			if (v === undefined)
				return;
			if (!vals[v]) { vals[v] = 1; n++; }
			if (v === '' || !isFinite(+v))
				numeric = false;
			else { lo = Math.min(lo, +v); hi = Math.max(hi, +v); }
		});
		if (n < 2)
			return;
		axes.push({ name: k, numeric: numeric, lo: lo, hi: hi,
		    cats: Object.keys(vals).sort() });
	});
	runsM.forEach(function (r) {
		var v = num(latest(r, metric));
		mlo = Math.min(mlo, v);
		mhi = Math.max(mhi, v);
	});
	svg = sel('svg', { viewBox: '0 0 ' + W + ' ' + H });
	if (!axes.length || !runsM.length) {
		var t0 = sel('text', { x: 10, y: 20 });
		t0.textContent = 'No param varies among these runs.';
		svg.appendChild(t0);
		return svg;
	}
	axes.push({ name: metric, numeric: true, lo: mlo, hi: mhi,
	    metric: true });
	function pos(a, v) {
		var f;
		if (v === undefined || v === null)
			return null;
		if (a.numeric)
			f = a.hi > a.lo ? (+v - a.lo) / (a.hi - a.lo) : 0.5;
		else
			f = a.cats.length > 1 ? a.cats.indexOf(String(v)) /
			    (a.cats.length - 1) : 0.5;
		return T + (1 - f) * (H - T - B);
	}
	g = sel('g');
	axes.forEach(function (a, j) {
		var x = L + j * (W - L - R) / (axes.length - 1), tx;
		a.x = x;
		g.appendChild(sel('line', { 'class': 'axis', x1: x, x2: x, y1: T,
		    y2: H - B }));
		tx = sel('text', { x: x, y: H - 8, 'text-anchor': 'middle' });
		tx.textContent = (a.metric ? 'metrics.' : 'params.') + a.name;
		g.appendChild(tx);
		(a.numeric ? [a.lo, a.hi] : a.cats).forEach(function (v) {
			var t = sel('text', { x: x + 4, y: pos(a, v) + 4 });
			t.textContent = a.numeric ? short(v) : v;
			g.appendChild(t);
		});
	});
	svg.appendChild(g);
	runsM.forEach(function (r) {
		var v = num(latest(r, metric)), f = mhi > mlo ? (v - mlo) /
		    (mhi - mlo) : 0.5, pts = [];
		axes.forEach(function (a) {
			var y = pos(a, a.metric ? v : r.P && r.P[a.name]);
			if (y !== null)
				pts.push(a.x.toFixed(1) + ',' + y.toFixed(1));
		});
		var pl = sel('polyline', { points: pts.join(' '),
		    stroke: 'hsl(' + Math.round(240 * (1 - f)) + ',70%,45%)',
		    'data-run': r.id, opacity: '0.8' });
		var ti = sel('title');
		ti.textContent = (r.n || r.id) + ': ' + metric + ' = ' +
		    latest(r, metric);
		pl.appendChild(ti);
		svg.appendChild(pl);
	});
	return svg;
}

/* ---- a run ---- */
function kvTable(obj, numeric, keepOrder) {
	var t = el('table', { 'class': 'kv' }), k = keys(obj);
	if (!keepOrder)
		k.sort();
	k.forEach(function (key) {
		var tr = el('tr');
		tr.appendChild(el('td', {}, key));
		tr.appendChild(el('td', numeric ? { 'class': 'num' } : {},
		    numeric ? fmtNum(obj[key]) : obj[key]));
		t.appendChild(tr);
	});
	if (!k.length)
		t.appendChild(el('tr')).appendChild(el('td', { 'class':
		    'note' }, 'none'));
	return t;
}
function diffPre(text) {
	var pre = el('pre', { 'class': 'diff' });
	text.split('\n').forEach(function (line) {
		var s = el('span', line.charAt(0) === '+' ? { 'class':
		    'diff-add' } : line.charAt(0) === '-' ? { 'class':
		    'diff-del' } : {}, line + '\n');
		pre.appendChild(s);
	});
	return pre;
}
function showRun(main, id) {
	var r = byId[id], T, h, m = {}, prov, dirty, a, ul;
	if (!r) {
		main.appendChild(el('p', {}, 'No run ' + id + ' in this report.'));
		return;
	}
	T = r.T || {};
	h = el('h2', {}, (r.n || r.id));
	main.appendChild(h);
	main.appendChild(kvTable({ run_id: r.id, status: r.s,
	    experiment: r.e + ' (' + r.x + ')', user: r.u || '',
	    start_time: iso(r.t0), end_time: iso(r.t1),
	    duration: fmtDur(dur(r)), parent: T['mlflow.parentRunId'] || '',
	    lifecycle: r.d ? 'deleted' : 'active' }, false, true));
	main.appendChild(el('h3', {}, 'Params'));
	main.appendChild(kvTable(r.P));
	keys(r.M).forEach(function (k) {
		m[k] = latest(r, k) + '   (' + r.M[k].n + ' points)';
	});
	main.appendChild(el('h3', {}, 'Metrics (latest)'));
	main.appendChild(kvTable(m));
	main.appendChild(el('h3', {}, 'Provenance'));
	prov = {};
	prov.commit = T['mlflow.source.git.commit'] || '(not recorded)';
	if (T['mlflow.source.git.branch'])
		prov.branch = T['mlflow.source.git.branch'];
	if (T['mlflow.source.git.repoURL'])
		prov.repository = T['mlflow.source.git.repoURL'];
	if (T['mlflow.source.name'])
		prov.source = T['mlflow.source.name'];
	if (T['mlp.command'])
		prov.command = T['mlp.command'];
	if (T['mlflow.project.env'])
		prov.environment = T['mlflow.project.env'];
	if (T['mlflow.docker.image.uri'])
		prov.image = T['mlflow.docker.image.uri'];
	if (T['mlp.inputs.xxh128'])
		prov.inputs = 'xxh128 ' + T['mlp.inputs.xxh128'];
	dirty = T['mlp.git.dirty'] !== undefined ? T['mlp.git.dirty'] :
	    r.diff !== undefined ? 'true' : undefined;
	if (dirty !== undefined)
		prov.dirty = dirty === 'true' || dirty === '1' ? 'yes' +
		    (T['mlp.git.diff'] ? ' (diff ' + T['mlp.git.diff'] + ')' :
		    '') : 'no';
	main.appendChild(kvTable(prov, false, true));
	if (r.diff !== undefined) {
		main.appendChild(el('h3', { 'class': 'dirty' },
		    'Uncommitted changes (mlp/git.diff)' + (r.diff_cut ?
		    ', first 256 KiB of ' + r.diff_cut + ' bytes' : '')));
		main.appendChild(diffPre(r.diff));
	}
	if (r.inputs !== undefined) {
		main.appendChild(el('h3', {}, 'Inputs (mlp/inputs.tsv)'));
		main.appendChild(el('pre', {}, r.inputs));
	}
	if (r.env !== undefined) {
		main.appendChild(el('h3', {}, 'Environment (mlp/environment.txt)'));
		main.appendChild(el('pre', {}, r.env));
	}
	main.appendChild(el('h3', {}, 'Tags'));
	main.appendChild(kvTable(T));
	main.appendChild(el('h3', {}, 'Artifacts'));
	ul = el('ul', { id: 'artifacts' });
	(r.A || []).forEach(function (x) {
		var li = el('li');
		a = el('a', { href: x[1] }, x[0]);
		li.appendChild(a);
		ul.appendChild(li);
	});
	if (!(r.A || []).length)
		ul.appendChild(el('li', { 'class': 'note' }, 'none'));
	main.appendChild(ul);
	main.appendChild(el('p', { 'class': 'note' }, 'Artifact links are ' +
	    'relative: they open when the page sits next to the store folder ' +
	    D.base + '/.'));
}

/* ---- compare ---- */
/*
 * The rows of mlp-ls --compare for the runs of list: the union of their
 * keys in mlp_compare()'s order, a value (null: missing) per run.
 */
function compareRows(list) {
	var per = list.map(cmpRowsOf), seen = {}, ks = [];
	per.forEach(function (o) {
		keys(o).forEach(function (k) {
			if (!seen[k]) { seen[k] = 1; ks.push(+k); }
		});
	});
	ks.sort(function (a, b) { return CR[a] - CR[b]; });
	return ks.map(function (k) {
		return [CK[k], per.map(function (o) {
			return Object.prototype.hasOwnProperty.call(o, k) ?
			    o[k] : null;
		})];
	});
}
function showCompare(main, ids) {
	var list = ids.map(function (id) { return byId[id]; })
	    .filter(Boolean), t, tr, rows, all, lab, cb, n = 0;
	if (list.length < 2) {
		main.appendChild(el('p', {}, 'Select two or more runs in the ' +
		    'table to compare them.'));
		return;
	}
	lab = el('label', {}, ' show equal rows too');
	cb = el('input', { type: 'checkbox', id: 'show-all' });
	lab.insertBefore(cb, lab.firstChild);
	main.appendChild(el('div', { 'class': 'tools' })).appendChild(lab);
	t = el('table', { 'class': 'cmp', id: 'compare' });
	tr = el('tr');
	tr.appendChild(el('th', {}, 'key'));
	list.forEach(function (r) {
		var th = el('th'), a = el('a', { href: '#run=' +
		    encodeURIComponent(r.id) }, r.n || r.id);
		th.appendChild(a);
		tr.appendChild(th);
	});
	t.appendChild(el('thead')).appendChild(tr);
	rows = compareRows(list);
	all = el('tbody');
	rows.forEach(function (row) {
		var same = row[1].every(function (v) { return v === row[1][0]; });
		var r = el('tr', { 'class': same ? 'same' : 'diff',
		    'data-key': row[0] });
		r.appendChild(el('td', {}, row[0]));
		row[1].forEach(function (v) {
			if (v === null) {
				r.appendChild(el('td', { 'class': 'missing' }));
				return;
			}
			r.appendChild(el('td', { title: v }, v.length > 200 ?
			    v.slice(0, 200) + '...' : v));
		});
		if (same)
			r.style.display = 'none';
		else
			n++;
		all.appendChild(r);
	});
	t.appendChild(all);
	cb.addEventListener('change', function () {
		Array.prototype.forEach.call(all.querySelectorAll('tr.same'),
		    function (r) { r.style.display = cb.checked ? '' : 'none'; });
	});
	main.appendChild(el('p', { 'class': 'note', id: 'ndiff' }, n +
	    ' of ' + rows.length + ' rows differ'));
	main.appendChild(t);
}

/* ---- routing ---- */
var tabs = document.getElementById('tabs');
function route() {
	var h = decodeURIComponent(location.hash.replace(/^#/, ''));
	var main = document.getElementById('main'), name = 'runs', arg = '';
	if (/^run=/.test(h)) { name = 'run'; arg = h.slice(4); }
	else if (/^compare=?/.test(h)) {
		name = 'compare';
		arg = h.replace(/^compare=?/, '');
	} else if (h === 'charts')
		name = 'charts';
	tabs.textContent = '';
	[['runs', 'Runs', '#runs'], ['charts', 'Charts', '#charts'],
	    ['compare', 'Compare', '#compare=' + selectedIds().join(',')]]
	    .forEach(function (t) {
		var a = el('a', { href: t[2], id: 'tab-' + t[0] }, t[1]);
		if (t[0] === name)
			a.className = 'on';
		tabs.appendChild(a);
	});
	if (name === 'run')
		tabs.appendChild(el('a', { 'class': 'on', href: location.hash },
		    'Run'));
	main.textContent = '';
	if (name === 'runs')
		showRuns(main);
	else if (name === 'charts')
		showCharts(main);
	else if (name === 'run')
		showRun(main, arg);
	else
		showCompare(main, arg ? arg.split(',') : selectedIds());
	document.body.setAttribute('data-view', name);
}
window.addEventListener('hashchange', route);
/* For tests and the curious: a run's decoded history of a metric. */
window.mlpHistory = function (id, key) {
	return byId[id] ? history(byId[id], key) : null;
};
computeView();
route();
if (window.performance && performance.mark)
	performance.mark('mlp-ready');
}());
