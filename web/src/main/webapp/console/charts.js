/* A tiny line chart on a canvas: fixed window of points, one or two series, auto-scaled y axis. */
(function (global) {
  'use strict';
  function LineChart(canvas, series, size) {
    this.canvas = canvas;
    this.series = series; // [{name, color, dash}]: dash (e.g. [6, 4]) keeps a line visible over an equal one
    this.size = size || 60;
    this.data = series.map(function () { return []; });
  }
  LineChart.prototype.push = function (values) {
    var size = this.size;
    this.data.forEach(function (d, i) { d.push(values[i]); if (d.length > size) { d.shift(); } });
    this.draw();
  };
  LineChart.prototype.draw = function () {
    var c = this.canvas, dpr = global.devicePixelRatio || 1;
    var w = c.clientWidth, h = c.clientHeight;
    if (!w || !h) { return; }
    c.width = w * dpr; c.height = h * dpr;
    var g = c.getContext('2d');
    g.scale(dpr, dpr);
    g.clearRect(0, 0, w, h);
    var max = 1;
    this.data.forEach(function (d) { d.forEach(function (v) { if (v > max) { max = v; } }); });
    max = niceMax(max);
    var left = 44, bottom = 18, top = 6, plotW = w - left - 6, plotH = h - top - bottom;
    g.strokeStyle = '#e7ebf0'; g.fillStyle = '#6b7585'; g.font = '11px system-ui, sans-serif'; g.lineWidth = 1;
    for (var i = 0; i <= 4; i++) {
      var y = top + plotH - plotH * i / 4;
      g.beginPath(); g.moveTo(left, y); g.lineTo(left + plotW, y); g.stroke();
      g.fillText(fmt(max * i / 4), 2, y + 4);
    }
    var size = this.size;
    this.data.forEach(function (d, s) {
      g.strokeStyle = this.series[s].color; g.lineWidth = 2; g.setLineDash(this.series[s].dash || []); g.beginPath();
      d.forEach(function (v, j) {
        var x = left + plotW * (j + size - d.length) / (size - 1);
        var y = top + plotH - plotH * v / max;
        if (j === 0) { g.moveTo(x, y); } else { g.lineTo(x, y); }
      });
      g.stroke();
      g.setLineDash([]);
      g.fillStyle = this.series[s].color;
      g.fillText(this.series[s].name + ': ' + fmt(d.length ? d[d.length - 1] : 0), left + 8 + s * 170, h - 4);
    }, this);
  };
  function niceMax(v) {
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var n = v / p;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * p;
  }
  function fmt(v) {
    if (v >= 1e6) { return (v / 1e6).toFixed(1) + 'M'; }
    if (v >= 1e3) { return (v / 1e3).toFixed(1) + 'k'; }
    return (Math.round(v * 10) / 10).toString();
  }
  global.LineChart = LineChart;
})(window);
