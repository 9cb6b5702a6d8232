// Small additions to Vizor.ECharts for the document map: load its binary payload into typed arrays, draw it
// before the circuit is up, fetch a point's card on hover, mark the search's matches, and record when a chart
// finished drawing.
window.cord19Charts = {
    maps: {},
    payloads: {},
    early: {},

    // Starts fetching a map's points as soon as the prerendered page names them ([data-map-prefetch] with the
    // chart's id in [data-map-chart]) and draws them with the options and height it carries ([data-map-options],
    // [data-map-height]) while the circuit is still starting: that wait was most of a map's time to screen.
    prefetch() {
        document.querySelectorAll('[data-map-prefetch]').forEach(e => cord19Charts.loadMap(e.getAttribute('data-map-chart'),
            e.getAttribute('data-map-prefetch'), { options: e.getAttribute('data-map-options'), height: e.getAttribute('data-map-height') }));
    },
    payload(url) {
        return cord19Charts.payloads[url] ??= fetch(url).then(r => r.ok ? r.arrayBuffer() : null).catch(() => null);
    },

    // The payload of DocumentMapPayload.ToBinary: 4-byte little-endian fields, so every array is read in place.
    async loadMap(id, url, prerendered) {
        if (cord19Charts.maps[id] && cord19Charts.maps[id].url === url) return cord19Charts.applyMap(id);
        const buffer = await cord19Charts.payload(url);
        if (cord19Charts.maps[id] && cord19Charts.maps[id].url === url) return cord19Charts.applyMap(id);
        delete cord19Charts.payloads[url]; // kept by the map from now on; a later visit fetches afresh
        if (!buffer) return;
        const header = new Int32Array(buffer, 0, 5);
        if (header[0] !== 0x4D393143 || header[1] !== 1) return;
        const clusters = [];
        let offset = 20;
        for (let c = 0; c < header[4]; c++) {
            const [clusterId, count] = new Int32Array(buffer, offset, 2);
            offset += 8;
            const xy = new Float32Array(buffer, offset, 2 * count);
            offset += 8 * count;
            const documents = new Int32Array(buffer, offset, count);
            offset += 4 * count;
            clusters.push({ clusterId, xy, documents });
        }
        cord19Charts.maps[id] = { url, clusters, cards: new Map() };
        // Another run's map: the previous run's matches go (the page's search starts empty).
        const shown = cord19Charts.chartOf(id);
        if (shown && shown.cord19Matches) cord19Charts.showMatches(id, []);
        if (prerendered && prerendered.options) cord19Charts.drawEarly(id, prerendered.options, prerendered.height);
        // A chart that exists gets its points now; one that Vizor creates later gets them in its first options (follow).
        cord19Charts.applyMap(id);
    },

    // The map's series with their points, as the page's options name them (DocumentMapChart.SeriesId).
    seriesOf(map) {
        return map.clusters.map(c => ({ id: 'c' + c.clusterId, data: c.xy }));
    },

    // Puts the loaded points into the map's series, once per chart unless forced (a theme change rebuilds the
    // series from options that carry none), for points that arrive after the chart's first options.
    applyMap(id, force) {
        const map = cord19Charts.maps[id];
        const chart = map && cord19Charts.chartOf(id);
        if (!chart || chart.isDisposed() || (map.appliedTo === chart && !force)) return;
        map.appliedTo = chart;
        chart.setOption({ series: cord19Charts.seriesOf(map) });
    },

    // Draws a map in its prerendered element, in a child element that Vizor's chart takes over (adopt, below).
    // Its height is given to ECharts, as Vizor does: the element itself has none.
    drawEarly(id, optionsText, height) {
        const element = document.getElementById(id);
        if (!element || !window.echarts || cord19Charts.chartOf(id)) return;
        const host = document.createElement('div');
        element.appendChild(host);
        const theme = cord19Charts.themeName();
        const chart = echarts.init(host, theme, { renderer: 'canvas', height: height || undefined });
        cord19Charts.follow(id, chart);
        cord19Charts.fitTo(chart, host);
        // The same text that the circuit sends the chart later.
        chart.setOption(cord19Charts.parseOptions(optionsText));
        cord19Charts.early[id] = { host, chart, theme, options: optionsText };
    },

    // Blazor replaces the prerendered element when the circuit starts. The map drawn early moves into the new one,
    // which is marked with the early chart's instance (ECharts' own attribute), so that Vizor's echarts.init on it
    // returns that chart: the map stays on screen and is not drawn from nothing again.
    adopt(id, element) {
        const early = cord19Charts.early[id];
        delete cord19Charts.early[id];
        if (!early || !element || early.chart.isDisposed()) return null;
        if (early.host.parentElement !== element) element.appendChild(early.host);
        element.setAttribute('_echarts_instance_', early.chart.id);
        if (early.theme !== cord19Charts.themeName()) early.chart.setTheme(cord19Charts.themeName());
        return early;
    },

    // Follows an element's size. ECharts' resize lays the whole chart out again even at the same size (0.3-0.6 s for
    // 100,000 points), and an observer reports once when it starts and again when the element leaves the page (at
    // 0 x 0, as when the circuit replaces a prerendered one): only a real change of size resizes.
    fitTo(chart, element) {
        new ResizeObserver(([entry]) => {
            const { width, height } = entry.contentRect;
            if (width < 1 || height < 1 || chart.isDisposed()) return;
            if (Math.abs(width - chart.getWidth()) < 1 && Math.abs(height - chart.getHeight()) < 1) return;
            cord19Charts.mayMakeRoomAgain(chart);
            chart.resize();
        }).observe(element);
    },

    // What every chart of the panel gets, once (a map drawn early is not followed again when Vizor adopts it): its
    // drawing recorded, room for its legend's rows, a Sankey's names kept to their half, and its points given to each
    // of its options.
    follow(id, chart) {
        cord19Charts.trackDrawn(id, chart);
        cord19Charts.holdClicks(chart);
        chart.on('finished', () => {
            cord19Charts.makeRoomForLegend(id, chart);
            cord19Charts.keepSankeyNamesToTheirHalf(chart);
        });
        const setOption = chart.setOption;
        chart.setOption = function (option, ...options) {
            const result = setOption.call(this, cord19Charts.withPoints(id, chart, cord19Charts.withLegendRoom(chart, option)), ...options);
            // ECharts has drawn the options into its canvas by now, and the browser has not shown them yet: room made
            // here is there in the first frame. ('finished' comes frames later: the plot showed under the legend for
            // 40-75 ms on each drawing, then jumped down.) One move a call: the move's own setOption comes back here,
            // and a move that does not settle the room would call itself until the stack ran out (CI's walk saw
            // "Maximum call stack size exceeded" once on the Topics page). What remains is left to 'finished'.
            if (!chart.__cord19MakingRoom) {
                cord19Charts.mayMakeRoomAgain(chart);
                cord19Charts.asRoomsOwn(chart, () => cord19Charts.makeRoomForLegend(id, chart, true));
            }
            return result;
        };
    },

    // A point clicked before the page can answer is opened once it can. The map is drawn before the circuit is up, and
    // Vizor attaches the page's click handler a round trip after it takes the chart over: a click in either wait did
    // nothing (a browser test clicked in the second once in CI). The last such click is held, and made on the chart once
    // the handler is there, unless it is older than the reader's patience (early-input.js holds a button's click as long).
    // While it waits the pointer and a screen reader say so, as for a held button's click (its own class: early-input.js
    // clears its class when its own clicks are made, which says nothing of the map's).
    // Only a chart whose page takes its clicks (in markup marked data-chart-takes-clicks) holds them: Vizor attaches a
    // handler to no other, and a click held there waited for one that never came.
    heldClickMs: 10_000,
    holdClicks(chart) {
        chart.on('click', params => {
            if (chart.__cord19ClickAttached || !chart.getDom().closest('[data-chart-takes-clicks]')) return;
            chart.__cord19HeldClick = { params, at: performance.now() };
            cord19Charts.sayHeldClick('The page is still connecting: the point you clicked will be opened once it has.');
            clearTimeout(chart.__cord19HeldClickTimer);
            chart.__cord19HeldClickTimer = setTimeout(() => {
                if (!chart.__cord19HeldClick) return;
                delete chart.__cord19HeldClick;
                cord19Charts.sayHeldClick(null, 'The point you clicked while the page was connecting could not be opened: please click it again.');
            }, cord19Charts.heldClickMs);
        });
    },
    clickAttached(chart) {
        chart.__cord19ClickAttached = true;
        clearTimeout(chart.__cord19HeldClickTimer);
        const held = chart.__cord19HeldClick;
        delete chart.__cord19HeldClick;
        if (!held) return;
        cord19Charts.sayHeldClick(null);
        if (performance.now() - held.at < cord19Charts.heldClickMs) chart.trigger('click', held.params);
    },
    // Shows a held point click (the pointer busy, the words read out), or ends it: with words when it was dropped, and
    // otherwise clearing only the map's own words (early-input.js may be saying something of a button's click).
    heldClickSaid: null,
    sayHeldClick(holding, ended) {
        document.documentElement.classList.toggle('cord19-point-held', holding !== null);
        const status = document.getElementById('cord19-early-input-status');
        const text = holding ?? ended ?? '';
        if (status && (text !== '' || status.textContent === cord19Charts.heldClickSaid)) status.textContent = text;
        cord19Charts.heldClickSaid = text === '' ? null : text;
    },

    // Options set anew (a refresh from the circuit) bring the top the page gave them, without the legend's extra rows:
    // drawn so, the plot would jump up under the legend and back down. They keep the room the legend had; it is
    // measured again once they are drawn.
    withLegendRoom(chart, option) {
        const room = chart.__cord19LegendRoom;
        const grid = option && option.grid;
        if (!room || room.applied === undefined || !grid || Array.isArray(grid) || grid.top !== room.base) return option;
        return { ...option, grid: { ...grid, top: room.applied } };
    },

    // Gives options that Vizor sets on a chart (its first ones, and every update from the page) the points already
    // loaded for it, whose series the page sends empty. The map is then drawn once, with its points, instead of
    // once empty and again filled: 100,000 points take 0.3-0.7 s to draw on a 2-core machine.
    withPoints(id, chart, option) {
        const map = cord19Charts.maps[id];
        if (!map || !option || !Array.isArray(option.series)) return option;
        const points = new Map(cord19Charts.seriesOf(map).map(s => [s.id, s.data]));
        option.series.forEach(s => { if (s && points.has(s.id)) s.data = points.get(s.id); });
        map.appliedTo = chart;
        return option;
    },

    // The tooltip of a map point: its card from the server, kept once fetched; "…" meanwhile.
    mapTooltip(id, runId, p, ticket, callback) {
        const map = cord19Charts.maps[id];
        const index = map && map.clusters[p.seriesIndex] && map.clusters[p.seriesIndex].documents[p.dataIndex];
        if (index === undefined || index === null) return '';
        const render = d => {
            const e = cord19Charts.escape;
            return '<b>' + e(d.title || '(untitled)') + '</b><br/>' + e(d.journal || '') + (d.publishTime ? ' · ' + e(d.publishTime) : '') + '<br/><i>' + e(d.authors || '') + '</i>';
        };
        const known = map && map.cards.get(index);
        if (known) return render(known);
        fetch('api/results/' + runId + '/documents/' + index)
            .then(r => r.ok ? r.json() : null)
            .then(d => { if (d) { if (map) map.cards.set(index, d); callback(ticket, render(d)); } });
        return '…';
    },
    // Vizor's chart for an element id, if Vizor's script has run and made one.
    chartOf(id) {
        return window.vizorECharts ? window.vizorECharts.getChart(id) : undefined;
    },
    async whenChart(id) {
        for (let i = 0; i < 200; i++) {
            const chart = cord19Charts.chartOf(id);
            if (chart) return chart;
            await new Promise(r => setTimeout(r, 50));
        }
        return null;
    },

    // The page's buttons for what ECharts' toolbox did: its icons, drawn on the chart's canvas, made the canvas draw
    // again under the pointer, and could not be reached with the keyboard.
    resetZoom(id) {
        const chart = cord19Charts.chartOf(id);
        if (chart) chart.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
    },
    // The map as a figure: three times its size on screen (a 700 px map becomes 2,100 px, print's 300 dpi at 7 inches),
    // with the zoom, the hidden clusters and the search's matches as shown. ECharts draws every element again for a
    // ratio above the chart's own, and the map's points (large mode, under 4 px: filled straight onto the context they
    // were last built for) then went to the screen's canvas instead of the image. So a copy of the chart is made at
    // that ratio, off screen, and its canvases are copied as drawn.
    imageRatio: 3,
    // The copy reports 'finished' within a second or two for 100,000 points; a browser that never does (starved of memory
    // for a canvas nine times the map's area) is named by the page, and the button freed, long before the circuit's
    // own one-minute wait for a script call.
    imageTimeoutMs: 30000,
    async saveImage(id, fileName) {
        const chart = cord19Charts.chartOf(id);
        if (!chart) return;
        const ratio = Math.max(cord19Charts.imageRatio, window.devicePixelRatio || 1);
        const host = document.createElement('div');
        host.style.cssText = `position: fixed; left: -100000px; top: 0; width: ${chart.getWidth()}px; height: ${chart.getHeight()}px`;
        document.body.appendChild(host);
        const copy = echarts.init(host, cord19Charts.themeName(), { renderer: 'canvas', devicePixelRatio: ratio });
        try {
            let timer;
            const drawn = new Promise((resolve, reject) => {
                copy.on('finished', resolve);
                timer = setTimeout(() => reject(new Error(`the map's copy was not drawn within ${cord19Charts.imageTimeoutMs} ms`)), cord19Charts.imageTimeoutMs);
            });
            copy.setOption({ ...chart.getOption(), animation: false });
            await drawn.finally(() => clearTimeout(timer));
            const matches = chart.cord19Matches;
            if (matches) {
                copy.cord19Matches = { ...cord19Charts.followMatches(matches.id, copy), bits: matches.bits };
                cord19Charts.placeMatches(copy);
            }
            const link = document.createElement('a');
            link.href = copy.getDataURL({ type: 'png', pixelRatio: ratio, backgroundColor: getComputedStyle(document.body).backgroundColor });
            link.download = fileName;
            link.click();
        } finally {
            copy.dispose();
            host.remove();
        }
    },

    // The search's matches: one bit a point of the loaded map, its clusters' points one after another, lowest bit first
    // (DocumentMapPayload.Matches). They are drawn on the chart's renderer, not as an ECharts series: ECharts lays out
    // and draws every series again when any one changes (0.2-0.28 s on a 200,000-point map at every search). They are
    // above the points (zlevel 1: a canvas of their own, so the points' canvas is not drawn again) and silent: the
    // pointer reaches the point beneath, whose tooltip and click are the match's. Under them a veil of the card's colour
    // fades the other points; each match is a dot of its cluster's colour. A cluster's dots are one shape, outlined
    // before they are filled, so that touching dots read as one lit region with an outline, not a tangle of rings: one
    // element per match capped the matches at 5,000, and black rings alone turned a cluster whose every title matched
    // into one black blob.
    async showMatches(id, matched) {
        const chart = await cord19Charts.whenChart(id);
        if (!chart || chart.isDisposed()) return;
        const matches = chart.cord19Matches ??= cord19Charts.followMatches(id, chart);
        matches.bits = matched ?? new Uint8Array(0);
        matches.bySeries = null;
        matches.placedAt = null;
        cord19Charts.placeMatches(chart);
    },
    followMatches(id, chart) {
        const group = new echarts.graphic.Group();
        const veil = new echarts.graphic.Rect({ silent: true, zlevel: 1, z: 0, invisible: true });
        chart.getZr().add(veil);
        chart.getZr().add(group);
        // ECharts reports 'finished' after each drawing: after a zoom, a resize, new options or a theme, the dots follow.
        chart.on('finished', () => cord19Charts.placeMatches(chart));
        return { id, group, veil, bits: new Uint8Array(0), bySeries: null, placedAt: null };
    },
    // The matched points of each series of the map, as indexes into its points.
    matchedPoints(bits, map) {
        let offset = 0;
        return map.clusters.map(cluster => {
            const count = cluster.xy.length / 2, points = [];
            for (let i = offset; i < offset + count; i++) if (bits[i >> 3] & (1 << (i & 7))) points.push(i - offset);
            offset += count;
            return points;
        });
    },
    // Dots at the pixels of a flat (x, y) array, as one path: one canvas fill however many.
    matchDots() {
        return cord19Charts.matchDotsShape ??= echarts.graphic.extendShape({
            type: 'cord19-match-dots',
            shape: { points: new Float32Array(0), r: 3.5 },
            buildPath(path, shape) {
                const { points, r } = shape;
                for (let i = 0; i < points.length; i += 2) {
                    path.moveTo(points[i] + r, points[i + 1]);
                    path.arc(points[i], points[i + 1], r, 0, 2 * Math.PI);
                }
            },
        });
    },
    placeMatches(chart) {
        const matches = chart.cord19Matches;
        const map = matches && cord19Charts.maps[matches.id];
        if (!map || chart.isDisposed()) return; // no points loaded yet: placed once they are drawn
        const bySeries = matches.bySeries ??= cord19Charts.matchedPoints(matches.bits, map);
        // A cluster hidden from its legend entry hides its matches too.
        const model = chart.getModel();
        const hidden = index => { const series = model.getSeriesByIndex(index); return !series || model.isSeriesFiltered(series); };
        // Placed again only when the data's axes moved, a cluster was hidden or shown, or the theme changed: placing
        // draws, and drawing reports 'finished'.
        let origin, unit;
        try {
            origin = chart.convertToPixel({ gridIndex: 0 }, [0, 0]);
            unit = chart.convertToPixel({ gridIndex: 0 }, [1, 1]);
        } catch {
            return; // no grid yet
        }
        const placedAt = [...origin, ...unit, cord19Charts.dark, ...bySeries.flatMap((points, s) => points.length > 0 && hidden(s) ? [s] : [])].join();
        if (placedAt === matches.placedAt) return;
        matches.placedAt = placedAt;
        matches.group.removeAll();
        const plot = model.getComponent('grid').coordinateSystem.getRect();
        // The colour under the chart (its themes draw no background of their own).
        let under = chart.getDom(), card;
        while (under && /^(transparent|rgba\(0, 0, 0, 0\))$/.test(card = getComputedStyle(under).backgroundColor)) under = under.parentElement;
        matches.veil.attr({ shape: { x: plot.x, y: plot.y, width: plot.width, height: plot.height }, style: { fill: card, opacity: 0.75 },
                            invisible: !bySeries.some(points => points.length > 0) });
        const stroke = cord19Charts.dark ? '#fff' : '#000';
        const Dots = cord19Charts.matchDots();
        // The map's axes are linear: two points give every pixel, without a convertToPixel call (a walk through ECharts'
        // coordinate systems) for each of up to 200,000 matches.
        const [scaleX, scaleY] = [unit[0] - origin[0], unit[1] - origin[1]];
        bySeries.forEach((points, series) => {
            if (points.length === 0 || hidden(series)) return;
            const xy = map.clusters[series].xy, at = new Float32Array(2 * points.length);
            let n = 0;
            for (const point of points) {
                const x = origin[0] + scaleX * xy[2 * point], y = origin[1] + scaleY * xy[2 * point + 1];
                // Zoomed in, a match may lie outside the plot, where its point is not drawn.
                if (!plot.contain(x, y)) continue;
                at[n++] = x;
                at[n++] = y;
            }
            if (n === 0) return;
            const fill = model.getSeriesByIndex(series).getData().getVisual('style')?.fill ?? null;
            matches.group.add(new Dots({
                shape: { points: at.subarray(0, n) }, style: { fill, stroke, lineWidth: 2, strokeFirst: true }, silent: true, zlevel: 1, z: 1,
            }));
        });
    },

    // Records in window.cord19ChartsDrawn[id] how many points Vizor's chart had drawn when ECharts last reported
    // 'finished' (all progressive chunks rendered): what browser tests and the map benchmark wait for, to use the
    // chart. A map drawn early counts only once Vizor's, but its time to screen counts from its first drawing.
    trackDrawn(id, chart) {
        chart.on('finished', () => cord19Charts.recordDrawn(id, chart));
    },
    recordDrawn(id, chart) {
        const points = cord19Charts.pointsOf(chart);
        if (points > 0 && cord19Charts.chartOf(id) === chart) (window.cord19ChartsDrawn ??= {})[id] = points;
        // When, from the start of the navigation, the whole map first stood on screen: the benchmark's figure.
        if (points > 0) (window.cord19ChartsDrawnAt ??= {})[id] ??= performance.now();
    },

    // How many points a chart's series hold.
    pointsOf(chart) {
        // A typed array holds (x, y) pairs; plain data one array per point.
        return (chart.getOption().series || [])
            .reduce((n, s) => n + (!s.data ? 0 : ArrayBuffer.isView(s.data) ? s.data.length / 2 : s.data.length), 0);
    },

    // The charts whose legend's room used up its four moves: a layout to mend, which the browser tests name.
    unsettledRooms: new Set(),

    // The legend's room's own work: a setOption within it is not a change from outside, which would give the room four
    // moves more (mayMakeRoomAgain) and start another move within this one.
    asRoomsOwn(chart, work) {
        const outer = chart.__cord19MakingRoom;
        chart.__cord19MakingRoom = true;
        try { work(); } finally { chart.__cord19MakingRoom = outer; }
    },

    // The chart's options, size or theme changed: its legend's room may move again (makeRoomForLegend's four moves).
    mayMakeRoomAgain(chart) {
        if (chart.__cord19LegendRoom) chart.__cord19LegendRoom.moves = 0;
    },

    // ECharts wraps a legend wider than its chart onto more rows (a phone), but places the plot where the options say,
    // which leave room for one row: the other rows covered the plot's top and its axis name (the cost chart's five
    // resources, the topic's bars). The plot is moved down by the extra rows, and further if a text above it (an axis
    // name) would still meet the legend; back up to where the options put it when the legend needs fewer rows. The
    // document map's options leave room for three rows, which a desktop's legend needs at most; on a phone its plot
    // moves only as far as the legend reaches (it reached 36 px into the map at 390 px with six clusters). A move
    // draws every point again, once.
    makeRoomForLegend(id, chart, drawnJustNow = false) {
        const model = chart.getModel();
        const legend = model && model.getComponent('legend');
        const grid = model && model.getComponent('grid');
        if (!legend || !grid || !legend.get('show') || legend.get('orient') === 'vertical') return;
        const view = chart.getViewOfComponentModel(legend);
        const top = grid.get('top');
        if (!view || typeof top !== 'number') return;
        const inChart = e => {
            const box = e.getBoundingRect().clone();
            e.updateTransform();
            if (e.transform) box.applyTransform(e.transform);
            return box;
        };
        // With its padding: the clearance between the legend and what lies below it.
        const legendBox = inChart(view.group);
        const legendBottom = legendBox.y + legendBox.height;
        const padding = [].concat(legend.get('padding'));
        // The height of the rows beyond the first; the map's options already leave room for more than one.
        const isMap = document.querySelector(`[data-map-chart="${CSS.escape(id)}"]`) !== null;
        const extraRows = isMap ? 0 : Math.max(0, legendBox.height - legend.get('itemHeight') - padding[0] - (padding.length > 2 ? padding[2] : padding[0]));
        const inLegend = e => {
            for (let parent = e; parent; parent = parent.parent) if (parent === view.group) return true;
            return false;
        };
        // The plot's top, or an axis name above it.
        let highest = grid.coordinateSystem.getRect().y;
        for (const e of chart.getZr().storage.getDisplayList(true))
            if (e.type === 'tspan' && !inLegend(e)) highest = Math.min(highest, Math.max(inChart(e).y, legendBox.y));
        const room = chart.__cord19LegendRoom ??= {};
        // Options set anew (an update from the circuit) bring their own top.
        if (top !== room.applied) room.base = top;
        const wanted = Math.max(Math.round(room.base + extraRows), Math.ceil(top + legendBottom - highest));
        if (wanted === top) return;
        // A layout whose room changes with each move (a text beside the legend that the plot's move does not move)
        // would move for ever, a drawing a frame: four moves at most, until the chart's options, size or theme change.
        room.moves = (room.moves || 0) + 1;
        if (room.moves > 4) { cord19Charts.unsettledRooms.add(id); return; }
        room.applied = wanted;
        if (drawnJustNow) {
            chart.setOption({ grid: { top: wanted } });
            // Called from within ECharts' own work, the call is ignored: then it is made after it, below.
            if (chart.getModel().getComponent('grid').get('top') === wanted) return;
        }
        // After the drawing, not in it: ECharts reports the drawing after a new theme from within its own work, where
        // it ignores setOption (a dark phone's map kept its legend over the plot).
        setTimeout(() => {
            if (chart.isDisposed() || chart.getModel().getComponent('grid').get('top') === wanted) return;
            cord19Charts.asRoomsOwn(chart, () => chart.setOption({ grid: { top: wanted } }));
        });
    },

    // A Sankey's names sit on the inner side of each column, and its ribbons' figures in the middle, where a narrow
    // chart (a phone) made them meet: the first ribbon's "1.00" ran into "Right 0: vaccine, covid". Each name gets the
    // room between its block and the middle, less half the widest figure; a longer one ends in "..." (the tooltip has
    // it whole). A desktop's chart has room, and no name is cut.
    keepSankeyNamesToTheirHalf(chart) {
        const series = chart.getModel().getSeriesByType('sankey')[0];
        if (!series || !series.layoutInfo) return;
        const edges = series.getEdgeData();
        let widestFigure = 0;
        edges.each(i => {
            const figure = edges.getItemGraphicEl(i) && edges.getItemGraphicEl(i).getTextContent();
            if (figure && !figure.ignore) widestFigure = Math.max(widestFigure, figure.getBoundingRect().width);
        });
        // The label's distance is unset in the options: 5 is ECharts' default.
        const width = Math.floor(series.layoutInfo.width / 2 - series.get('nodeWidth') - (series.get(['label', 'distance']) ?? 5)
            - widestFigure / 2 - 4);
        if (series.get(['label', 'width']) === width) return;
        const update = Array.from({ length: series.seriesIndex }, () => ({}));
        update.push({ label: { width, overflow: 'truncate' } });
        // After the drawing, not in it (see makeRoomForLegend).
        setTimeout(() => { if (!chart.isDisposed()) chart.setOption({ series: update }); });
    },

    // Charts follow the panel's light/dark theme: new charts start in it, open ones switch (ECharts 6's setTheme). A map
    // drawn before the circuit is up starts in the theme the page shows (theme.js).
    dark: !!(window.cord19Theme && cord19Theme.isDark()),
    setDark(dark) {
        // Charts start in the current theme. The layout says it once the circuit is up: the same theme would rebuild the
        // map's series and draw all its points again (0.3-0.5 s), just when the page would start answering.
        if (cord19Charts.dark === !!dark) return;
        cord19Charts.dark = !!dark;
        const charts = window.vizorECharts && window.vizorECharts.charts;
        // A new theme rebuilds the chart from its options, which do not hold the map's typed arrays: put them back.
        if (charts) charts.forEach((chart, id) => {
            if (!chart || chart.isDisposed()) return;
            cord19Charts.mayMakeRoomAgain(chart);
            chart.setTheme(cord19Charts.themeName());
            cord19Charts.applyMap(id, true);
        });
    },
    themeName() { return cord19Charts.dark ? 'cord19-dark' : 'cord19-light'; },

    // The charts' formatters, which their options name (ChartFormatters): "cord19:<name>", or for the map's tooltip
    // "cord19:mapTooltip:<chart id>:<run id, URL-encoded>".
    formatters: {
        topicNumber: () => p => p.value[3],
        topicTooltip: () => p => 'Topic ' + p.value[3] + ': ' + cord19Charts.escape(p.name) + '<br/>' + cord19Charts.escape(p.seriesName) +
            ' · prevalence ' + (p.value[2] * 100).toFixed(1) + '%',
        percent: () => v => +(v * 100).toPrecision(2) + '%',
        mapTooltip: (id, runId) => (p, ticket, callback) => cord19Charts.mapTooltip(id, runId, p, ticket, callback),
    },

    // Chart options as the server sends them: JSON, each named formatter replaced by its function. Vizor evaluates the
    // text instead, which the panel's Content-Security-Policy forbids (no 'unsafe-eval'): no code comes with options.
    parseOptions(text) {
        if (!text.includes('"cord19:')) return JSON.parse(text);
        return JSON.parse(text, (key, value) => {
            if (key !== 'formatter' || typeof value !== 'string' || !value.startsWith('cord19:')) return value;
            const [, name, ...args] = value.split(':');
            const make = cord19Charts.formatters[name];
            if (!make) console.error('cord19Charts: no formatter named ' + name);
            return make ? make(...args) : value;
        });
    },

    escape(text) {
        return String(text ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
    }
};

// Three changes to Vizor. It evaluates a chart's options, as text that may carry JavaScript; the panel's are JSON
// (ChartFormatters), parsed by cord19Charts.parseOptions, and its pages may evaluate nothing. And it sizes a chart
// when it is created and when the window resizes, so a chart created before its grid column has its final width
// stays narrow: each chart follows its own element instead. And a click made before it attaches its click handler is
// made once it has (holdClicks). (The panel's charts fetch no external data and
// register no maps, Vizor's last two arguments.)
(function () {
    const vizor = window.vizorECharts;
    if (!vizor || vizor.__cord19Sized) return;
    vizor.__cord19Sized = true;
    const initChart = vizor.initChart;
    vizor.initChart = function (id, theme, initOptions, chartOptions, ...rest) {
        const element = document.getElementById(id);
        const early = cord19Charts.adopt(id, element);
        // Options that the early map was drawn with are not set again: that would draw all its points once more,
        // while the page waits for the chart to answer clicks.
        const drawn = early !== null && chartOptions === early.options;
        // Without options, Vizor makes the chart, shows its loading mask and stops, before its first await.
        const pending = initChart.call(vizor, id, theme || cord19Charts.themeName(), initOptions, null, ...rest);
        const chart = vizor.getChart(id);
        if (chart && element) cord19Charts.fitTo(chart, element);
        if (chart && !early) cord19Charts.follow(id, chart);
        if (chart && drawn) {
            chart.hideLoading();
            cord19Charts.recordDrawn(id, chart);
        } else if (chart && chartOptions !== null) {
            chart.setOption(cord19Charts.parseOptions(chartOptions));
            chart.hideLoading();
        }
        return Promise.resolve(pending).then(result => { cord19Charts.applyMap(id); return result; });
    };
    const attachClickEvent = vizor.attachClickEvent;
    vizor.attachClickEvent = function (id, objRef) {
        attachClickEvent.call(vizor, id, objRef);
        const chart = vizor.getChart(id);
        if (chart) cord19Charts.clickAttached(chart);
    };
    vizor.updateChart = async function (id, chartOptions) {
        const chart = vizor.getChart(id);
        if (!chart) return;
        chart.setOption(cord19Charts.parseOptions(chartOptions));
        chart.hideLoading();
    };
})();

// The two themes: ECharts' defaults, and the same on a dark page (transparent background, light text and axes).
(function () {
    if (!window.echarts) return;
    const axis = { axisLine: { lineStyle: { color: '#8b8b9c' } }, axisTick: { lineStyle: { color: '#8b8b9c' } },
                   axisLabel: { color: '#d0d0da' }, splitLine: { lineStyle: { color: '#3b3b4a' } }, nameTextStyle: { color: '#d0d0da' } };
    // Every chart's tooltip stays inside its chart (ECharts puts it beside the pointer, past a phone's edge otherwise:
    // a map point's card reached past the left edge). The UX walk's tooltip check asks it of each chart on a phone.
    const tooltip = { confine: true };
    echarts.registerTheme('cord19-light', { tooltip });
    echarts.registerTheme('cord19-dark', {
        backgroundColor: 'transparent',
        textStyle: { color: '#e6e6ee' },
        title: { textStyle: { color: '#f0f0f5' }, subtextStyle: { color: '#c8c8d2' } },
        legend: { textStyle: { color: '#e0e0ea' }, pageTextStyle: { color: '#e0e0ea' }, pageIconColor: '#c8c0ff', pageIconInactiveColor: '#55556a' },
        tooltip: { ...tooltip, backgroundColor: '#26263a', borderColor: '#44445a', textStyle: { color: '#f0f0f5' } },
        categoryAxis: axis, valueAxis: axis, logAxis: axis, timeAxis: axis,
    });
})();

cord19Charts.prefetch();
