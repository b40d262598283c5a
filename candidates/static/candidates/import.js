// 导入考生信息: upload with a visible progress bar (XMLHttpRequest upload.onprogress), then the
// server's answer (file checked, 导入 button) replaces #upload-result. No inline script (CSP).
(function () {
  "use strict";

  function setUp(form) {
    var box = document.getElementById("upload-progress-box");
    var bar = document.getElementById("upload-progress");
    var text = document.getElementById("upload-progress-text");
    var result = document.getElementById("upload-result");
    var button = form.querySelector("button[type=submit]");
    var input = form.querySelector("input[type=file]");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;

    // the guide's 浏览 button is a label for the (visually hidden) native input, whose own
    // caption would follow the browser's language; the chosen file's name is shown beside it
    var fileName = document.getElementById("import-file-name");
    function showName() {
      if (fileName) { fileName.textContent = input.files.length ? input.files[0].name : "未选择文件"; }
    }
    input.addEventListener("change", showName);
    form.addEventListener("reset", function () { setTimeout(showName, 0); });

    function showError(message) {
      result.innerHTML = "";
      var p = document.createElement("p");
      p.className = "msg msg-error";
      p.setAttribute("role", "alert");
      p.setAttribute("data-testid", "upload-error");
      p.textContent = message;
      result.appendChild(p);
    }

    function setProgress(percent, label) {
      box.hidden = false;
      bar.value = percent;
      bar.textContent = percent + "%";
      text.textContent = label;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!input.files.length) { showError("请先点击“浏览”选择填好的模板文件"); return; }
      var file = input.files[0];
      if (maxBytes && file.size > maxBytes) {
        showError("文件大小为 " + (file.size / 1048576).toFixed(1) + " MB，超过 10 MB 的上限，请拆分后分批导入");
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          var pct = Math.round(e.loaded * 100 / e.total);
          setProgress(pct, "已上传 " + pct + "%");
        }
      };
      xhr.upload.onload = function () { setProgress(100, "上传完成，正在检查文件…"); };
      xhr.onload = function () {
        button.disabled = false;
        if (xhr.status === 200 || xhr.status === 400) {
          setProgress(100, xhr.status === 200 ? "上传完成（100%）" : "上传完成，文件未通过检查");
          result.innerHTML = xhr.responseText;
          if (window.htmx) { window.htmx.process(result); }
        } else if (xhr.status === 403) {
          showError("登录已过期或无权操作，请刷新页面后重新登录");
        } else {
          showError("上传失败（" + xhr.status + "），请稍后重试");
        }
      };
      xhr.onerror = function () { button.disabled = false; showError("上传失败，请检查网络后重试"); };
      button.disabled = true;
      setProgress(0, "开始上传…");
      xhr.send(new FormData(form));
    });

    form.addEventListener("reset", function () {
      box.hidden = true;
      bar.value = 0;
      text.textContent = "0%";
      result.innerHTML = "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("import-upload-form");
    if (form) { setUp(form); }
  });

  // The run page polls the background job (jobs/_progress.html); when it ends, show the result.
  document.addEventListener("htmx:afterSettle", function () {
    if (document.querySelector("#import-job .job-progress[data-status=done], #import-job .job-progress[data-status=failed]")) {
      window.location.reload();
    }
  });
})();
