// One way to draw a chart on any page: templates/_chart.html puts <div data-chart="kind"> beside a json_script, a page script
// registers a builder per kind (data → ECharts option), and this file draws every chart once the deferred scripts have run.
// Shared here: fonts that carry Chinese, colours, no animation for reduced motion, resizing, redrawing after htmx swaps.
(function () {
  "use strict";
  var builders = {};
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var COLORS = ["#c8161d", "#2563eb", "#d97706", "#6b7280", "#15803d"];

  function draw(holder) {
    var build = builders[holder.getAttribute("data-chart")];
    var source = holder.parentNode.querySelector('script[type="application/json"]');
    if (!build || !source || !window.echarts || window.echarts.getInstanceByDom(holder)) return;
    var option = build(JSON.parse(source.textContent), window.echarts);
    option.textStyle = Object.assign({ fontFamily: FONT }, option.textStyle);
    option.color = option.color || COLORS;
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) option.animation = false;
    window.echarts.init(holder, null, { renderer: "canvas", locale: "ZH" }).setOption(option);
    holder.setAttribute("data-chart-ready", "true");
  }

  function drawAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-chart]"), draw);
  }

  function resizeAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart-ready]"), function (holder) {
      var chart = window.echarts && window.echarts.getInstanceByDom(holder);
      if (chart) chart.resize();
    });
  }

  window.GonghuiCharts = {
    register: function (kind, build) { builders[kind] = build; },
    drawAll: drawAll,
    escape: function (text) { return window.echarts ? window.echarts.format.encodeHTML(String(text)) : String(text); }
  };
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
  window.addEventListener("resize", resizeAll);
})();
