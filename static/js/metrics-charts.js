// Chart builders for the 工单统计 page (templates/analytics/metrics.html), drawn by charts.js: 受理量 per day and per 诉求类别.
// Every point opens the list of the orders it counts (the URLs come with the data); the same numbers are in the tables below.
(function () {
  "use strict";
  var charts = window.GonghuiCharts;
  if (!charts) return;
  var RED = "#c8161d", BLUE = "#2563eb";

  charts.register("metrics-trend", function (d) {
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 12, right: 20, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.labels, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1, name: "件", nameGap: 8 },
      series: [{ name: "受理量", type: "line", data: d.values, itemStyle: { color: RED }, areaStyle: { opacity: 0.12 },
                 symbolSize: 7 }]
    };
  });

  charts.register("metrics-categories", function (d) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 12, right: 20, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1, name: "件", nameGap: 8 },
      series: [{ name: "受理量", type: "bar", data: d.values, itemStyle: { color: BLUE }, barMaxWidth: 48,
                 label: { show: true, position: "top" } }]
    };
  });

  // Clicks go to the orders behind the point; charts.js has drawn the charts by the time this runs (its listener came first).
  document.addEventListener("DOMContentLoaded", function () {
    ["chart-trend", "chart-categories"].forEach(function (id) {
      var holder = document.getElementById(id);
      var chart = holder && window.echarts && window.echarts.getInstanceByDom(holder);
      if (!chart) return;
      var urls = JSON.parse(holder.parentNode.querySelector('script[type="application/json"]').textContent).urls;
      // anywhere in a day's or a category's column, not only on the small point or bar
      chart.getZr().on("click", function (event) {
        var point = [event.offsetX, event.offsetY];
        if (!chart.containPixel("grid", point)) return;
        var index = chart.convertFromPixel({ seriesIndex: 0 }, point)[0];
        if (urls[index]) window.location.href = urls[index];
      });
      holder.setAttribute("data-links-ready", "true");
    });
  });
})();
