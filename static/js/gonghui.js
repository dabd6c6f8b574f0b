// Tell the user when an htmx request fails instead of silently doing nothing.
(function () {
  function toast(text) {
    var box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 5000);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var message = status === 404 ? "找不到该内容，或不在您的管辖范围内" :
                  status === 403 ? "没有执行此操作的权限" : "操作未成功（" + status + "），请稍后重试";
    try { message = JSON.parse(event.detail.xhr.responseText).message || message; } catch (e) { /* an HTML page */ }
    toast(message);
  });
  document.addEventListener("htmx:sendError", function () { toast("网络连接失败，请检查网络后重试"); });
})();

// Tick-several lists (the join queue's 批量通过): a box with data-check-all="name" ticks every enabled box of that name in
// its form; an element with data-checked-count="name" shows how many are ticked. Plain script, no inline code.
(function () {
  function boxes(name) {
    return Array.prototype.filter.call(document.querySelectorAll('input[type=checkbox][name="' + name + '"]'), function (box) { return !box.disabled; });
  }
  function recount(name) {
    var ticked = boxes(name).filter(function (box) { return box.checked; }).length;
    document.querySelectorAll('[data-checked-count="' + name + '"]').forEach(function (shown) {
      shown.textContent = ticked ? "（" + ticked + " 份）" : "";
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.dataset && target.dataset.checkAll) {
      boxes(target.dataset.checkAll).forEach(function (box) { box.checked = target.checked; });
      recount(target.dataset.checkAll);
    } else if (target.type === "checkbox" && document.querySelector('[data-checked-count="' + target.name + '"]')) {
      recount(target.name);
    }
  });
})();
