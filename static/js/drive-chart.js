// 周调度 / 月分析 charts for a drive: bars per week with the running total against the target.
(function () {
  var holder = document.getElementById("drive-chart");
  var data = document.getElementById("drive-data");
  if (!holder || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  var chart = window.echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["本周完成", "累计", "目标"] },
    xAxis: { type: "category", data: d.weeks },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "本周完成", type: "bar", data: d.counts, itemStyle: { color: "#c8161d" } },
      { name: "累计", type: "line", data: d.running },
      { name: "目标", type: "line", data: d.weeks.map(function () { return d.target; }), lineStyle: { type: "dashed" }, symbol: "none" }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
