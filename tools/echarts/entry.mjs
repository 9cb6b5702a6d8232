// The parts of Apache ECharts the panel draws with, for tools/echarts/build.sh. Vizor.ECharts ships the whole library
// (1.1 MB of script that a new browser profile compiles and runs before a page can ask for its points); this is 0.65 MB.
// A chart type or component added to Cord19.Web/Model must be added here too: ECharts throws "is used but not imported"
// for a missing series type and silently leaves out a missing component.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, SankeyChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
    BarChart, LineChart, SankeyChart, ScatterChart,
    DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent,
    CanvasRenderer,
]);
window.echarts = echarts;
