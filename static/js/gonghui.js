// Page behaviour that the Content-Security-Policy keeps out of the templates (no inline handlers): data- attributes ask for it.
(function () {
  "use strict";

  // Tell the user when an htmx request fails instead of silently doing nothing.
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

  // <button data-confirm="删除…？">: asks first; "cancel" stops the click, so neither the form nor htmx sends anything.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <select data-autosubmit> / <input type="checkbox" data-autosubmit>: a change submits the form it belongs to.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) field.form.requestSubmit();
  });

  // A width that comes from data (a progress bar's filled part) is set here, not in a style attribute: <span data-width="42">
  // is 42% wide. On the page, and on what htmx swaps in, in the same task as the swap (before the next paint).
  function sizeWithin(root) {
    if (root.nodeType !== 1) return;
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-width]"));
    if (root.hasAttribute("data-width")) found.push(root);
    found.forEach(function (el) { el.style.width = el.getAttribute("data-width") + "%"; });
  }
  document.addEventListener("DOMContentLoaded", function () { sizeWithin(document.body); });
  document.addEventListener("htmx:afterSwap", function (event) { sizeWithin(event.target); });
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

// 知识库 on the 12351 screen: <button data-fill="id_quick_answer" data-fill-from="kb-answer-7" data-fill-title="…"> puts the
// answer's text into the quick answer, makes the call a 咨询, and gives it the question as its title when none is typed.
(function () {
  function set(id, value, onlyIfEmpty) {
    var field = document.getElementById(id);
    if (!field || (onlyIfEmpty && field.value.trim())) return;
    field.value = value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fill]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-fill-from"));
    if (!source) return;
    set(button.getAttribute("data-fill"), source.textContent.trim(), false);
    set("id_category", "consult", false);
    set("id_title", (button.getAttribute("data-fill-title") || "").slice(0, 100), true);
    var target = document.getElementById(button.getAttribute("data-fill"));
    if (target) target.focus();
  });
})();
