// plotly.js for pages with a camera map: the chart traces plus scattermap (MapLibre).
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/sunburst'),
    require('plotly.js/lib/scattermap'),
]);

module.exports = Plotly;
