/* After layout, size every plotly chart to its box and fit each camera map to its cameras.

   plotly draws while the page is still being parsed, before later columns of a grid exist,
   so a chart can start wider than the box it ends up in; plotly only re-measures on window
   resize. Maps are then zoomed to their cameras at the size actually drawn, so a phone and a
   wide screen both show every marker. MapLibre draws the world 512 pixels wide at zoom 0. */
(function () {
  "use strict";

  // Figures come as JSON data blocks next to their box (portal/charts.py), so that the
  // Content-Security-Policy allows no inline script. This file is deferred: the page is parsed.
  function drawFigures() {
    if (!window.Plotly) {
      return;
    }
    document.querySelectorAll("script[data-plotly-figure]").forEach(function (block) {
      var graph = document.getElementById(block.getAttribute("data-plotly-figure"));
      if (!graph) {
        return;
      }
      var figure = JSON.parse(block.textContent);
      var config = JSON.parse(block.getAttribute("data-plotly-config") || "{}");
      window.Plotly.newPlot(graph, figure.data, figure.layout, config);
    });
  }

  drawFigures();

  function zoomFor(bounds, width, height) {
    var west = bounds[0], south = bounds[1], east = bounds[2], north = bounds[3];
    var lonSpan = Math.max(east - west, 1e-4);
    var latSpan = Math.max(north - south, 1e-4);
    var cosLat = Math.max(Math.cos(((south + north) / 2) * Math.PI / 180), 0.1);
    var zoomLon = Math.log2((width * 360) / (512 * lonSpan));
    var zoomLat = Math.log2((height * 360 * cosLat) / (512 * latSpan));
    return Math.max(1, Math.min(15, Math.min(zoomLon, zoomLat) - 0.35));
  }

  function fitMap(graph) {
    var wrapper = graph.closest(".map-fit[data-bounds]");
    if (!wrapper) {
      return;
    }
    var bounds = wrapper.getAttribute("data-bounds").split(",").map(Number);
    if (bounds.length !== 4 || bounds.some(isNaN)) {
      return;
    }
    // The legend sits above the map inside the same box; leave it and a margin out.
    var zoom = zoomFor(bounds, graph.clientWidth - 24, graph.clientHeight - 60);
    var current = graph.layout && graph.layout.map ? graph.layout.map.zoom : null;
    if (current === null || Math.abs(zoom - current) > 0.05) {
      window.Plotly.relayout(graph, { "map.zoom": zoom });
    }
  }

  window.addEventListener("load", function () {
    if (!window.Plotly) {
      return;
    }
    document.querySelectorAll(".js-plotly-plot").forEach(function (graph) {
      Promise.resolve(window.Plotly.Plots.resize(graph)).then(function () {
        fitMap(graph);
      });
    });
  });
})();
