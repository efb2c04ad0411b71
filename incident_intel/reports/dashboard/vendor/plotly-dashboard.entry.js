// The plotly.js the dashboard ships: the core (with scatter) and the three other trace types
// the dashboard draws. The full bundle takes four times as long to start in a browser.
// Keep BUNDLED_TRACES in page.py in step with this list.
'use strict';
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/treemap'),
]);

module.exports = Plotly;
