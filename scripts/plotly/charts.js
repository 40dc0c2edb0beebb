// plotly.js for pages without a map: scatter (part of the core), bar and sunburst.
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/sunburst')]);

module.exports = Plotly;
