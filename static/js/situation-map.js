// 劳动关系态势图: the province by city (click a city for its districts), coloured by the chosen measure. Boundaries are the
// vendored GeoJSON (static/vendor/gd-boundaries-*), matched to orgs by division code; a region with no boundary (东莞 and
// 中山 镇/街道, a district newer than the data) is a marker at a schematic place around the map's centre. The same numbers
// are in the table below the map. No inline code or styles: tooltips are built as elements.
(function () {
  "use strict";
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var COLOURS = ["#fef3c7", "#f59e0b", "#c8161d"];
  var MARKER_COLOURS = ["#fcd34d", "#f59e0b", "#c8161d"];  // a marker at zero still stands out on the grey city
  var holder, chart, view, measure = "open_orders", loaded = {};

  function geo(code) {
    if (loaded[code]) return Promise.resolve(loaded[code]);
    return fetch(holder.getAttribute("data-geo-base") + code + ".json", { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (json) { loaded[code] = json; window.echarts.registerMap("gd-" + code, json); return json; });
  }

  function bbox(json, only) {
    var box = [180, 90, -180, -90];
    function walk(item) {
      if (typeof item[0] === "number") {
        box = [Math.min(box[0], item[0]), Math.min(box[1], item[1]), Math.max(box[2], item[0]), Math.max(box[3], item[1])];
      } else item.forEach(walk);
    }
    json.features.forEach(function (feature) { if (!only || String(feature.id) === only) walk(feature.geometry.coordinates); });
    return box[0] > box[2] ? bbox(json) : box;
  }

  function value(region) { var v = region[measure]; return v === null || v === undefined ? null : v; }

  function tooltip(params) {
    var region = params.data && params.data.region;
    var box = document.createElement("div");
    var head = document.createElement("div");
    head.className = "chart-tip-head";
    head.textContent = region ? region.name : params.name;
    box.appendChild(head);
    if (region) {
      [["在办工单", region.open_orders], ["未解除预警", region.alerts], ["近30日受理", region.received],
       ["每万名会员诉求数", region.per_10k === null ? "—" : region.per_10k]].forEach(function (pair) {
        var row = document.createElement("div");
        row.textContent = pair[0] + "：" + pair[1];
        box.appendChild(row);
      });
      if (region.url) { var hint = document.createElement("div"); hint.textContent = "点击查看下级"; box.appendChild(hint); }
    }
    return box;
  }

  function draw() {
    var codes = {}, json = view.geo ? loaded[view.geo] : null;
    if (json) json.features.forEach(function (feature) { codes[String(feature.id)] = true; });
    var areas = [], markers = [], max = 0;
    view.regions.forEach(function (region) {
      var v = value(region);
      if (v !== null && v > max) max = v;
      var key = view.geo === "44" ? (region.code || "").slice(0, 4) : region.code;
      if (json && codes[key] && !view.focus) areas.push({ name: key, value: v, region: region });
      else markers.push(region);
    });
    var box = json ? bbox(json, view.focus) : [112, 22, 115, 24];
    var cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2, spread = Math.min(box[2] - box[0], box[3] - box[1]) * 0.42;
    var points = markers.map(function (region, index) {
      var angle = index * 2.39996, radius = spread * Math.sqrt((index + 0.5) / Math.max(markers.length, 1));
      return { name: region.name, value: [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle), value(region)], region: region };
    });
    var option = {
      textStyle: { fontFamily: FONT },
      animation: false,  // a drill-down redraws at once (and what is ready is what is drawn)
      tooltip: { trigger: "item", formatter: tooltip },
      visualMap: [
        { min: 0, max: Math.max(max, 1), calculable: true, left: 16, bottom: 16, text: ["高", "低"], seriesIndex: 0,
          inRange: { color: COLOURS }, formatter: function (v) { return Math.round(v * 10) / 10; } },
        { min: 0, max: Math.max(max, 1), show: false, seriesIndex: 1, dimension: 2, inRange: { color: MARKER_COLOURS } }
      ],
      geo: json ? { map: "gd-" + view.geo, nameProperty: "code", roam: true, layoutCenter: ["50%", "52%"], layoutSize: "92%",
                    itemStyle: { areaColor: "#f3f4f6", borderColor: "#9ca3af" },
                    emphasis: { label: { show: true }, itemStyle: { areaColor: "#fde68a" } }, select: { disabled: true }, label: { show: view.geo !== "44", fontSize: 11,
                    formatter: function (p) { var hit = areas.filter(function (a) { return a.name === p.name; })[0]; return hit ? hit.region.name : ""; } } } : undefined,
      series: [
        { type: "map", geoIndex: 0, data: areas.map(function (a) { return { name: a.name, value: a.value, region: a.region }; }) },
        { type: "scatter", coordinateSystem: "geo", geoIndex: 0, symbolSize: 18, z: 5, data: points,
          itemStyle: { borderColor: "#7f1d1d", borderWidth: 1, opacity: 1 },
          label: { show: true, position: "right", fontSize: 12, color: "#1f2937", formatter: function (p) { return p.data.region.name; } } }
      ]
    };
    if (view.focus) {  // one district of its city: zoom to it, its towns as markers around its centre
      var whole = bbox(json);
      option.geo.center = [cx, cy];
      option.geo.zoom = Math.max(1, 0.8 * Math.min((whole[2] - whole[0]) / (box[2] - box[0]), (whole[3] - whole[1]) / (box[3] - box[1])));
      option.geo.regions = [{ name: view.focus, itemStyle: { areaColor: "#fff7ed", borderColor: "#c8161d", borderWidth: 1.5 } }];
    }
    if (!areas.length) {  // markers only: a map series without data would paint every region in its own colour
      option.series = [option.series[1]];
      option.visualMap = [Object.assign({}, option.visualMap[1], { show: true, calculable: true, left: 16, bottom: 16, text: ["高", "低"] })];
      option.visualMap[0].seriesIndex = 0;
    }
    if (!json) { option.geo = undefined; option.series = []; }
    chart.setOption(option, true);
    holder.setAttribute("data-map-level", view.geo || "none");
    holder.setAttribute("data-chart-ready", "true");
    document.getElementById("map-title").textContent = view.org.name;
    document.getElementById("map-back").hidden = !view.parent;
    table();
  }

  function cell(row, text, href) {
    var td = document.createElement("td");
    if (href) { var a = document.createElement("a"); a.href = href; a.textContent = text; td.appendChild(a); } else td.textContent = text;
    row.appendChild(td);
  }

  function table() {
    var body = document.querySelector("#map-table tbody");
    body.textContent = "";
    view.regions.forEach(function (region) {
      var row = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      if (region.url) {
        var link = document.createElement("a");
        link.href = "#"; link.textContent = region.name; link.setAttribute("data-drill", region.url);
        th.appendChild(link);
      } else th.textContent = region.name;
      row.appendChild(th);
      cell(row, region.code || "—");
      cell(row, String(region.open_orders));
      cell(row, String(region.alerts));
      cell(row, String(region.received), region.orders_url);
      cell(row, String(region.members));
      cell(row, region.per_10k === null ? "—" : String(region.per_10k));
      body.appendChild(row);
    });
  }

  function show(next) {
    view = next;
    return (view.geo ? geo(view.geo) : Promise.resolve(null)).then(draw);
  }

  // A failed load says so (and leaves the current map in place) rather than leaving a click that seems to do nothing.
  function status(text) {
    var box = document.getElementById("map-status");
    box.textContent = text;
    box.hidden = !text;
  }

  function open(url) {
    holder.setAttribute("aria-busy", "true");
    status("");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(show)
      .catch(function () { status("加载失败，请稍后重试。"); })
      .then(function () { holder.removeAttribute("aria-busy"); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    holder = document.getElementById("situation-map");
    if (!holder || !window.echarts) return;
    holder.style.height = "640px";
    chart = window.echarts.init(holder, null, { renderer: "canvas", locale: "ZH" });
    chart.on("click", function (params) {
      var region = params.data && params.data.region;
      if (region && region.url) open(region.url);
    });
    document.querySelectorAll("[data-measure]").forEach(function (button) {
      button.addEventListener("click", function () {
        measure = button.getAttribute("data-measure");
        document.querySelectorAll("[data-measure]").forEach(function (other) {
          var on = other === button;
          other.classList.toggle("primary", on);
          other.setAttribute("aria-pressed", on ? "true" : "false");
        });
        draw();
      });
    });
    document.getElementById("map-back").addEventListener("click", function () {
      if (view.parent) open(holder.getAttribute("data-url") + "?org=" + view.parent);
    });
    document.getElementById("map-table").addEventListener("click", function (event) {
      var url = event.target.getAttribute && event.target.getAttribute("data-drill");
      if (url) { event.preventDefault(); open(url); }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    show(JSON.parse(document.getElementById("map-initial").textContent));
  });
})();
