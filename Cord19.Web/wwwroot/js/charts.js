// Small additions to Vizor.ECharts for the document map: replace one series' data without re-sending the
// chart's options (which would fetch the whole map payload again), and record when a chart finished drawing.
window.cord19Charts = {
    async whenChart(id) {
        for (let i = 0; i < 200; i++) {
            const chart = window.vizorECharts && window.vizorECharts.getChart(id);
            if (chart) return chart;
            await new Promise(r => setTimeout(r, 50));
        }
        return null;
    },

    async setSeriesData(id, seriesId, data) {
        const chart = await cord19Charts.whenChart(id);
        if (chart) chart.setOption({ series: [{ id: seriesId, data: data }] });
    },

    // Records in window.cord19ChartsDrawn[id] how many points a chart had drawn when ECharts last reported
    // 'finished' (all progressive chunks rendered): what browser tests and the map benchmark wait for.
    trackDrawn(id, chart) {
        window.cord19ChartsDrawn = window.cord19ChartsDrawn || {};
        chart.on('finished', () => {
            const series = chart.getOption().series || [];
            const points = series.filter(s => s.id !== 'search').reduce((n, s) => n + (s.data ? s.data.length : 0), 0);
            if (points > 0) window.cord19ChartsDrawn[id] = points;
        });
    },

    // Charts follow the panel's light/dark theme: new charts start in it, open ones switch (ECharts 6's setTheme).
    dark: false,
    setDark(dark) {
        cord19Charts.dark = !!dark;
        const charts = window.vizorECharts && window.vizorECharts.charts;
        if (charts) charts.forEach(chart => { if (chart && !chart.isDisposed()) chart.setTheme(cord19Charts.themeName()); });
    },
    themeName() { return cord19Charts.dark ? 'cord19-dark' : 'cord19-light'; },

    escape(text) {
        return String(text ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
    }
};

// Vizor sizes a chart when it is created and when the window resizes; a chart created before its grid
// column has its final width stays narrow. Follow each chart's own element instead.
(function () {
    const vizor = window.vizorECharts;
    if (!vizor || vizor.__cord19Sized) return;
    vizor.__cord19Sized = true;
    const initChart = vizor.initChart;
    vizor.initChart = function (id, theme, ...rest) {
        const pending = initChart.call(vizor, id, theme || cord19Charts.themeName(), ...rest);
        // initChart registers the chart before its first await, so it is there now.
        const chart = vizor.getChart(id);
        const element = document.getElementById(id);
        if (chart && element) new ResizeObserver(() => chart.resize()).observe(element);
        if (chart) cord19Charts.trackDrawn(id, chart);
        return pending;
    };
})();

// The two themes: ECharts' defaults, and the same on a dark page (transparent background, light text and axes).
(function () {
    if (!window.echarts) return;
    const axis = { axisLine: { lineStyle: { color: '#8b8b9c' } }, axisTick: { lineStyle: { color: '#8b8b9c' } },
                   axisLabel: { color: '#d0d0da' }, splitLine: { lineStyle: { color: '#3b3b4a' } }, nameTextStyle: { color: '#d0d0da' } };
    echarts.registerTheme('cord19-light', {});
    echarts.registerTheme('cord19-dark', {
        backgroundColor: 'transparent',
        textStyle: { color: '#e6e6ee' },
        title: { textStyle: { color: '#f0f0f5' }, subtextStyle: { color: '#c8c8d2' } },
        legend: { textStyle: { color: '#e0e0ea' }, pageTextStyle: { color: '#e0e0ea' }, pageIconColor: '#c8c0ff', pageIconInactiveColor: '#55556a' },
        tooltip: { backgroundColor: '#26263a', borderColor: '#44445a', textStyle: { color: '#f0f0f5' } },
        categoryAxis: axis, valueAxis: axis, logAxis: axis, timeAxis: axis,
        toolbox: { iconStyle: { borderColor: '#c8c8d2' } },
    });
})();
