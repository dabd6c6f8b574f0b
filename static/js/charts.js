// One way to draw a chart on any page: templates/_chart.html puts <div data-chart="kind"> beside a json_script, a page script
// registers a builder per kind (data → ECharts option), and this file draws every chart once the deferred scripts have run.
// Shared here: fonts that carry Chinese, colours, no animation for reduced motion, resizing, redrawing after htmx swaps.
(function () {
  "use strict";
  var builders = {};
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var COLORS = ["#c8161d", "#2563eb", "#d97706", "#6b7280", "#15803d"];

  // ECharts' own axis tooltip is HTML with style attributes, which the Content-Security-Policy refuses; this one is built
  // as elements (colours set through the DOM, layout in gonghui.css) and shows the same: the category, then each series.
  function axisTooltip(items) {
    var box = document.createElement("div");
    var head = document.createElement("div");
    head.className = "chart-tip-head";
    head.textContent = items.length ? items[0].axisValueLabel : "";
    box.appendChild(head);
    items.forEach(function (item) {
      var value = Array.isArray(item.value) ? item.value[item.value.length - 1] : item.value;
      var row = document.createElement("div");
      var mark = document.createElement("span");
      mark.className = "chart-tip-mark";
      mark.style.backgroundColor = typeof item.color === "string" ? item.color : "";
      var shown = document.createElement("span");
      shown.className = "chart-tip-value";
      shown.textContent = value === null || value === undefined ? "-" : window.echarts.format.addCommas(value);
      row.appendChild(mark);
      row.appendChild(document.createTextNode(item.seriesName));
      row.appendChild(shown);
      box.appendChild(row);
    });
    return box;
  }

  function draw(holder) {
    var build = builders[holder.getAttribute("data-chart")];
    var source = holder.parentNode.querySelector('script[type="application/json"]');
    if (!build || !source || !window.echarts || window.echarts.getInstanceByDom(holder)) return;
    holder.style.height = (holder.getAttribute("data-height") || 320) + "px";
    var option = build(JSON.parse(source.textContent), window.echarts);
    option.textStyle = Object.assign({ fontFamily: FONT }, option.textStyle);
    option.color = option.color || COLORS;
    if (option.tooltip && option.tooltip.trigger === "axis" && !option.tooltip.formatter) option.tooltip.formatter = axisTooltip;
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
