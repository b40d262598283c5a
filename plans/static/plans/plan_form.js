// 结束时间 fills itself while the user types (the guide 二(一): "结束时间自动生成").
// Each 考核类型 option carries its duration in data-duration; the server computes it again.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function fill(form) {
    var type = form.querySelector("select[name=exam_type]");
    var start = form.querySelector("input[name=start_time]");
    var end = form.querySelector("[data-end-time]");
    var out = form.querySelector("[data-duration-out]");
    if (!type || !start || !end) { return; }
    var option = type.options[type.selectedIndex];
    var minutes = option ? parseInt(option.getAttribute("data-duration"), 10) : NaN;
    if (out) { out.textContent = isNaN(minutes) ? "请先选择考核类型" : minutes + " 分钟"; }
    var match = /^(\d{1,2}):(\d{2})/.exec(start.value || "");
    if (!match || isNaN(minutes)) { end.value = ""; say(end, ""); return; }
    var total = parseInt(match[1], 10) * 60 + parseInt(match[2], 10) + minutes;
    if (total >= 24 * 60) {
      // the whole sentence below the box: inside the narrow read-only box it was cut off
      end.value = "";
      say(end, "考试将超过当天 24:00 结束，请提前开始时间（时长 " + minutes + " 分钟）");
      return;
    }
    end.value = pad(Math.floor(total / 60)) + ":" + pad(total % 60);
    say(end, "");
  }

  // The message under the 结束时间 box (created once; no inline style under the CSP).
  function say(end, text) {
    var box = end.parentNode.querySelector("[data-end-time-error]");
    if (!box && text) {
      box = document.createElement("div");
      box.className = "errorlist end-time-error";
      box.setAttribute("data-end-time-error", "");
      box.setAttribute("data-testid", "end-time-error");
      box.setAttribute("role", "alert");
      end.insertAdjacentElement("afterend", box);
    }
    if (box) { box.textContent = text; box.hidden = !text; }
    if (text) { end.setAttribute("aria-invalid", "true"); } else { end.removeAttribute("aria-invalid"); }
  }

  function fillWithin(root) {
    if (!root || !root.querySelectorAll) { return; }
    if (root.matches && root.matches("form[data-plan-form]")) { fill(root); }
    Array.prototype.forEach.call(root.querySelectorAll("form[data-plan-form]"), fill);
  }

  function onEdit(event) {
    var form = event.target && event.target.closest ? event.target.closest("form[data-plan-form]") : null;
    if (form) { fill(form); }
  }

  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);
  document.addEventListener("DOMContentLoaded", function () { fillWithin(document); });
  document.addEventListener("htmx:load", function (event) { fillWithin(event.detail && event.detail.elt); });
})();
