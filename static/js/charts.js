/* Draw each plotly figure once, when its box comes near the viewport.

   Figures come as JSON data blocks next to their box (portal/charts.py), so that the
   Content-Security-Policy allows no inline script. This file and the plotly bundle are deferred:
   the page is parsed and laid out, so a box already has its final width and a figure is drawn
   once at that size. Camera maps get their zoom from their cameras' bounds at that size before
   they are drawn, so nothing relayouts a map while MapLibre is still loading. */
(function () {
  "use strict";

  // Phones: plotly's toolbar would sit over legends and bars; the tables hold the numbers.
  var NARROW = "(max-width: 40rem)";
  // MapLibre draws the world 512 pixels wide at zoom 0.
  var WORLD_PX = 512;
  // portal/charts.py MAP_TILE_SOURCE: the raster source of the background tiles.
  var TILE_SOURCE = "tiles";

  function zoomFor(bounds, width, height, maxZoom) {
    var west = bounds[0], south = bounds[1], east = bounds[2], north = bounds[3];
    var lonSpan = Math.max(east - west, 1e-4);
    var latSpan = Math.max(north - south, 1e-4);
    var cosLat = Math.max(Math.cos(((south + north) / 2) * Math.PI / 180), 0.1);
    var zoomLon = Math.log2((width * 360) / (WORLD_PX * lonSpan));
    var zoomLat = Math.log2((height * 360 * cosLat) / (WORLD_PX * latSpan));
    return Math.max(1, Math.min(maxZoom, Math.min(zoomLon, zoomLat) - 0.35));
  }

  function fitMap(graph, wrapper, layout) {
    var bounds = (wrapper.getAttribute("data-bounds") || "").split(",").map(Number);
    if (!layout.map || bounds.length !== 4 || bounds.some(isNaN)) {
      return;
    }
    var maxZoom = Number(wrapper.getAttribute("data-max-zoom")) || 15;
    var height = layout.height || graph.clientHeight;
    // The legend sits above the map inside the same box; leave it and a margin out.
    layout.map.zoom = zoomFor(bounds, graph.clientWidth - 24, height - 60, maxZoom);
  }

  // MapLibre fires "load" only from a frame it renders, and a tile that fails with a network
  // error (not a 404) fires "error" and schedules no frame. A failure that arrives after the
  // map's last frame left it loaded() but never "load"ed, so plotly, which adds its trace
  // layers on "load", drew no marker (the old 1-in-3 flake of tests/browser/test_csp.py).
  // Each tile error therefore asks for one more frame, and the note says what is missing.
  function watchTiles(graph, note) {
    var subplot = graph._fullLayout && graph._fullLayout.map && graph._fullLayout.map._subplot;
    if (!subplot || !subplot.map) {
      return;
    }
    var map = subplot.map;
    map.on("error", function (event) {
      if (event.sourceId === TILE_SOURCE || event.tile) {
        map.triggerRepaint();
        if (note) {
          note.hidden = false;
        }
      }
    });
  }

  function draw(block) {
    var graph = document.getElementById(block.getAttribute("data-plotly-figure"));
    if (!graph || graph.getAttribute("data-drawn")) {
      return;
    }
    graph.setAttribute("data-drawn", "1");
    var figure = JSON.parse(block.textContent);
    var config = JSON.parse(block.getAttribute("data-plotly-config") || "{}");
    if (window.matchMedia && window.matchMedia(NARROW).matches) {
      config.displayModeBar = false;
    }
    var wrapper = graph.closest(".map-fit");
    if (wrapper) {
      fitMap(graph, wrapper, figure.layout);
    }
    var waiting = graph.querySelector(".chart-waiting");
    if (waiting) {
      waiting.remove();
    }
    var drawn = window.Plotly.newPlot(graph, figure.data, figure.layout, config);
    var note = wrapper && wrapper.querySelector("[data-map-note]");
    if (figure.layout.map) {
      // MapLibre exists as soon as newPlot returns; its tile requests start later.
      watchTiles(graph, note);
    }
    // plotly rejects with "Map error." when a map's tiles fail; the markers draw all the same.
    Promise.resolve(drawn).catch(function () {
      if (note) {
        note.hidden = false;
      }
    });
  }

  function start() {
    var blocks = Array.prototype.slice.call(
      document.querySelectorAll("script[data-plotly-figure]")
    );
    if (!window.Plotly || !blocks.length) {
      return;
    }
    if (!("IntersectionObserver" in window)) {
      blocks.forEach(draw);
      return;
    }
    var byGraph = {};
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            draw(byGraph[entry.target.id]);
          }
        });
      },
      { rootMargin: "300px 0px" }
    );
    blocks.forEach(function (block) {
      var graph = document.getElementById(block.getAttribute("data-plotly-figure"));
      if (graph) {
        byGraph[graph.id] = block;
        observer.observe(graph);
      }
    });
  }

  start();
})();
