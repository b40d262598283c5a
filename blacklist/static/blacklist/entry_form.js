// Proposes the default 处罚截止日期 (start + the category's months − 1 day) while central fills
// the form; the server computes the same when the field is left empty, and checks end >= start.
(function () {
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // the same rule as blacklist.rules.penalty_default_end
  function addMonthsMinusDay(iso, months) {
    var p = iso.split("-"), y = +p[0], m = +p[1] - 1 + months, d = +p[2];
    var year = y + Math.floor(m / 12), month = m % 12;
    var last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    var end = d > last ? new Date(Date.UTC(year, month, last)) : new Date(Date.UTC(year, month, d - 1));
    return end.getUTCFullYear() + "-" + pad(end.getUTCMonth() + 1) + "-" + pad(end.getUTCDate());
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-category-months]");
    if (!form) { return; }
    var months = {};
    try { months = JSON.parse(form.getAttribute("data-category-months")); } catch (e) { return; }
    var category = form.querySelector("[name=category]");
    var start = form.querySelector("[name=penalty_start]");
    var end = form.querySelector("[name=penalty_end]");
    if (!category || !start || !end) { return; }
    var proposed = "";
    function propose() {
      var m = months[category.value];
      if (!m || !/^\d{4}-\d{2}-\d{2}$/.test(start.value)) { return; }
      // never overwrite a date central typed: only an empty field or our own last proposal
      if (end.value && end.value !== proposed) { return; }
      proposed = addMonthsMinusDay(start.value, m);
      end.value = proposed;
    }
    category.addEventListener("change", propose);
    start.addEventListener("change", propose);
    start.addEventListener("input", propose);
  });
})();
