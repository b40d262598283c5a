// Login pages (no inline script under the CSP): refresh the image captcha (动态码) and count
// down the "获取验证码" button after a code went out (one code per 60 seconds).
(function () {
  function refresh(box) {
    var link = box && box.querySelector("[data-captcha-refresh]");
    if (!link) { return; }
    fetch(link.getAttribute("data-url"), { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        box.querySelector("[data-captcha-image]").src = data.image_url;
        var hidden = box.querySelector("input[type=hidden]");
        if (hidden) { hidden.value = data.key; }
        var text = box.querySelector("input[type=text]");
        if (text) { text.value = ""; text.focus(); }
      });
  }
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-captcha-refresh], [data-captcha-image]") : null;
    if (el) { event.preventDefault(); refresh(el.closest(".captcha-box")); }
  });

  function countdown() {
    var marker = document.querySelector("[data-cooldown]");
    var button = document.querySelector("[data-send-code]");
    if (!marker || !button) { return; }
    var left = parseInt(marker.getAttribute("data-cooldown"), 10);
    marker.removeAttribute("data-cooldown");
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.disabled = true;
    button.textContent = left + " 秒后重新获取";
    var timer = setInterval(function () {
      left -= 1;
      if (left <= 0) { clearInterval(timer); button.disabled = false; button.textContent = label; return; }
      button.textContent = left + " 秒后重新获取";
    }, 1000);
    var code = document.querySelector("#row-sms_code input");
    if (code) { code.focus(); }
  }
  // A new "获取验证码" request makes the last answer stale: its messages (动态码不正确, 已发送…)
  // go as soon as the request starts, not when the next answer arrives.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest ? event.target.closest("#login-form") : null;
    if (!form) { return; }
    var status = form.querySelector("#code-status");
    if (status) { status.textContent = ""; }
    var row = form.querySelector("#row-captcha");
    if (row) {
      row.classList.remove("field-error");
      Array.prototype.forEach.call(row.querySelectorAll(".errorlist"), function (ul) { ul.remove(); });
    }
  });
  // A full-page submit (考生登录, 首次登录) makes the shown errors stale as soon as it starts.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.querySelectorAll || form.hasAttribute("hx-post")) { return; }
    Array.prototype.forEach.call(form.querySelectorAll(".errorlist, .msg-error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (el) { el.classList.remove("field-error"); });
  });
  document.addEventListener("htmx:afterSettle", countdown);
  document.addEventListener("DOMContentLoaded", countdown);
})();
