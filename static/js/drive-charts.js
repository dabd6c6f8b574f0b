// Chart builders for the drive pages (templates/members/drive_detail.html 周调度, drive_monthly.html 月分析), drawn by charts.js.
// "drive-progress" serves both pages: bars per week or month, the running total, 序时进度 and the target (a district's slice of a
// city drive may have no 分解目标: then target is null and only the counts are drawn).
(function () {
  "use strict";
  var charts = window.GonghuiCharts;
  if (!charts) return;
  var RED = "#c8161d", BLUE = "#2563eb", AMBER = "#d97706", GREY = "#6b7280", GREEN = "#15803d";

  function percent(value) { return value === null || value === undefined ? "—" : value.toFixed(1) + "%"; }

  charts.register("drive-progress", function (d) {
    var series = [
      { name: d.bar, type: "bar", data: d.counts, itemStyle: { color: RED }, barMaxWidth: 36 },
      { name: "累计完成", type: "line", data: d.running, itemStyle: { color: BLUE }, symbolSize: 6 }
    ];
    if (d.target !== null) {
      series.push({ name: "序时进度", type: "line", data: d.planned, itemStyle: { color: AMBER }, lineStyle: { type: "dotted", width: 2 }, symbol: "none" },
                  { name: "目标", type: "line", data: d.labels.map(function () { return d.target; }), itemStyle: { color: GREY },
                    lineStyle: { type: "dashed" }, symbol: "none" });
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      grid: { left: 12, right: 20, top: 56, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.labels },
      yAxis: { type: "value", minInterval: 1, name: d.unit, nameGap: 8 },
      series: series
    };
  });

  charts.register("drive-orgs", function (d) {
    var values = d.by_rate ? d.rates : d.achieved;
    var planned = "序时进度 " + percent(d.planned);
    return {
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          var text = charts.escape(d.names[i]) + "<br>累计完成 " + d.achieved[i];
          text += d.targets[i] ? " / 分解目标 " + d.targets[i] + "<br>完成率 " + percent(d.rates[i]) : "（未分解目标）";
          return text + "<br>走访 " + d.visits[i] + " 次 · 接触 " + d.met[i] + " 人 · 现场入会 " + d.joined[i] + " 人";
        }
      },
      legend: { top: 0, data: [d.by_rate ? "完成率" : "累计完成", "走访次数"].concat(d.by_rate ? [planned] : []) },
      grid: { left: 8, right: 64, top: 64, bottom: 30, containLabel: true },
      // Visits on their own axis along the top: a row's 完成率 bar with its 平安夜访 bar beneath it.
      xAxis: [{ type: "value", name: d.by_rate ? "完成率（%）" : "累计完成", nameLocation: "middle", nameGap: 26, minInterval: d.by_rate ? 0 : 1,
                max: d.by_rate ? function (range) { return Math.max(100, Math.ceil(range.max / 50) * 50); } : null,
                axisLabel: { hideOverlap: true } },
              { type: "value", position: "top", name: "走访次数", nameLocation: "middle", nameGap: 22, minInterval: 1, splitLine: { show: false },
                axisLabel: { hideOverlap: true } }],
      yAxis: { type: "category", data: d.names, inverse: true, axisLabel: { width: 150, overflow: "truncate" } },
      series: [{
        type: "bar", name: d.by_rate ? "完成率" : "累计完成", barMaxWidth: 18, itemStyle: { color: d.by_rate ? GREEN : BLUE },
        data: values.map(function (value) {
          var behind = d.by_rate ? value < d.planned : false;
          return { value: value, itemStyle: { color: behind ? RED : (d.by_rate ? GREEN : BLUE) } };
        }),
        label: { show: true, position: "right", formatter: function (p) { return d.by_rate ? percent(p.value) : p.value; } }
      }, {
        type: "bar", name: "走访次数", xAxisIndex: 1, barMaxWidth: 8, data: d.visits, itemStyle: { color: AMBER, opacity: 0.7 },
        label: { show: true, position: "right", fontSize: 10, color: GREY, formatter: function (p) { return p.value ? p.value + " 次" : ""; } }
      }].concat(d.by_rate ? [{
        // 序时进度 as a dashed line named in the legend: a label on the line itself sat on the axis numbers or the bars
        type: "line", name: planned, data: [], symbol: "none", itemStyle: { color: AMBER }, lineStyle: { color: AMBER, type: "dashed", width: 2 },
        markLine: { symbol: "none", silent: true, data: [{ xAxis: d.planned }], label: { show: false },
                    lineStyle: { color: AMBER, type: "dashed", width: 2 } }
      }] : [])
    };
  });

  charts.register("drive-visits", function (d) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["接触人数", "现场入会", "走访次数"] },
      grid: { left: 12, right: 12, top: 56, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.labels },
      yAxis: [{ type: "value", name: "人", minInterval: 1, nameGap: 8 },
              { type: "value", name: "次", minInterval: 1, nameGap: 8, splitLine: { show: false } }],
      series: [
        { name: "接触人数", type: "bar", data: d.met, itemStyle: { color: BLUE }, barMaxWidth: 28 },
        { name: "现场入会", type: "bar", data: d.joined, itemStyle: { color: RED }, barMaxWidth: 28 },
        { name: "走访次数", type: "line", yAxisIndex: 1, data: d.visits, itemStyle: { color: AMBER }, symbolSize: 6 }
      ]
    };
  });
})();
