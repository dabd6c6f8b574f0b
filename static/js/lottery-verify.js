/* 核验抽签结果 in the browser: recompute the list hash, the seed and the ranking from the published JSON alone, with
   WebCrypto SHA-256, exactly as gonghui/core/public_draw.py does (each part length-prefixed, 4 bytes big-endian), and
   name the first check that fails. No inline script (CSP): the page gives the JSON's URL in data-json-url. */
(function () {
  "use strict";
  var ALGORITHM = "gonghui-draw-v1";
  var CHECKS = ["algorithm", "count", "list_hash", "seed", "ranking"];
  var LABELS = {algorithm: "算法版本", count: "登记人数", list_hash: "名单哈希", seed: "随机种子", ranking: "排序与中签结果"};
  var encoder = new TextEncoder();

  function framed(parts) {
    var chunks = parts.map(function (part) { return encoder.encode(String(part)); });
    var size = chunks.reduce(function (n, c) { return n + 4 + c.length; }, 0);
    var out = new Uint8Array(size), view = new DataView(out.buffer), at = 0;
    chunks.forEach(function (c) { view.setUint32(at, c.length, false); out.set(c, at + 4); at += 4 + c.length; });
    return out;
  }

  function sha256(parts) {
    return crypto.subtle.digest("SHA-256", framed(parts)).then(function (digest) {
      return Array.from(new Uint8Array(digest)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    });
  }

  function byText(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function run(published, seed) {
    var entries = published.entries;
    return Promise.all(entries.map(function (e) { return sha256([seed, e.code]); })).then(function (ranks) {
      var ranked = entries.map(function (e, i) { return {code: e.code, tags: e.tags || [], rank: ranks[i]}; })
        .sort(function (a, b) { return byText(a.rank, b.rank) || byText(a.code, b.code); });
      var winners = [], taken = {};
      Object.keys(published.quotas).sort(byText).forEach(function (tag) {
        ranked.filter(function (e) { return e.tags.indexOf(tag) >= 0 && !taken[e.code]; }).slice(0, published.quotas[tag])
          .forEach(function (e) { winners.push([e.code, tag]); taken[e.code] = true; });
      });
      var left = ranked.filter(function (e) { return !taken[e.code]; }).map(function (e) { return e.code; });
      var general = Math.max(published.seats - winners.length, 0);
      left.slice(0, general).forEach(function (code) { winners.push([code, "general"]); });
      return {winners: winners, waitlist: left.slice(general)};
    });
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function verify(published) {
    var codes = published.entries.map(function (e) { return e.code; });
    var results = {};
    return sha256(codes.slice().sort(byText)).then(function (listHash) {
      results.algorithm = published.algorithm === ALGORITHM;
      results.count = published.count === codes.length;
      results.list_hash = published.list_hash === listHash;
      return sha256([published.draw_id, published.list_hash, published.draw_text]);
    }).then(function (seed) {
      results.seed = published.seed === seed;
      return run(published, seed);
    }).then(function (outcome) {
      var winners = published.winners.map(function (w) { return [w.code, w.seat]; });
      results.ranking = same(winners, outcome.winners) && same(published.waitlist, outcome.waitlist);
      var ok = true;
      return CHECKS.map(function (name) { ok = ok && results[name]; return [name, ok]; });
    });
  }

  function show(box, results) {
    var failed = null;
    results.forEach(function (pair) {
      var item = box.querySelector('[data-check="' + pair[0] + '"]');
      item.classList.toggle("pass", pair[1]);
      item.classList.toggle("fail", !pair[1]);
      item.querySelector(".verify-mark").textContent = pair[1] ? "✓ 通过" : "✗ 不通过";
      if (!pair[1] && failed === null) { failed = pair[0]; }
    });
    var summary = box.querySelector("#verify-summary");
    summary.className = "answer " + (failed ? "no" : "ok");
    summary.textContent = failed ? "核验失败：" + LABELS[failed] + "（" + failed + "）不符" : "核验通过：结果可由公开信息复现";
  }

  function check(box, published) {
    return verify(published).then(function (results) { show(box, results); }).catch(function () {
      show(box, CHECKS.map(function (name) { return [name, false]; }));
      if (!published.winners) { box.querySelector("#verify-summary").textContent = "尚未开奖：开奖后公示的数据才能完整核验"; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("lottery-verify");
    if (!box) { return; }
    fetch(box.getAttribute("data-json-url"), {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (published) {
        var area = document.getElementById("verify-json");
        if (area) { area.value = JSON.stringify(published, null, 1); }
        return check(box, published);
      })
      .catch(function () { box.querySelector("#verify-summary").textContent = "公示数据读取失败，请刷新重试"; });
    var again = document.getElementById("verify-again");
    if (again) {
      again.addEventListener("click", function () {
        var published;
        try { published = JSON.parse(document.getElementById("verify-json").value); } catch (e) { published = null; }
        if (published === null) { box.querySelector("#verify-summary").textContent = "不是有效的 JSON"; return; }
        check(box, published);
      });
    }
  });
}());
