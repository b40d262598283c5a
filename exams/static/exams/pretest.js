// 终端可用性测试 (docs/decisions.md#pretest): measures, in this browser, what the exam needs, and lets the
// server judge it: the browser (the server reads its User-Agent), the camera when the plan is
// remotely proctored (frames delivered by getUserMedia, shown only here: no image is sent), the
// clock offset and round trip against the server (a few pings: the median round trip, the offset
// of the fastest ping), and a test save that must reach the server (the server records it).
// No inline script (CSP): the configuration comes from the json_script block #device-config.
(function () {
  "use strict";

  var root = document.getElementById("device-root");
  var configNode = document.getElementById("device-config");
  var startButton = document.getElementById("device-start");
  if (!root || !configNode || !startButton) { return; }
  var config = JSON.parse(configNode.textContent);
  var csrf = root.getAttribute("data-csrf");
  var verdict = document.getElementById("device-verdict");

  var CAMERA_ERRORS = {
    NotAllowedError: "未允许浏览器使用摄像头",
    NotFoundError: "未找到摄像头",
    NotReadableError: "摄像头被其他程序占用",
    OverconstrainedError: "摄像头不满足要求",
    SecurityError: "浏览器安全设置禁止使用摄像头"
  };

  function set(id, text, kind) {
    var node = document.getElementById(id);
    if (!node) { return; }
    node.textContent = text;
    node.className = kind || "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function pings(url, count) {
    var samples = [];
    var best = null;
    function one(i) {
      if (i >= count) { return Promise.resolve(); }
      var sent = Date.now();
      var t0 = performance.now();
      return fetch(url + "?n=" + i, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var rtt = performance.now() - t0;
          samples.push(Math.round(rtt));
          var offset = data.now_ms - (sent + rtt / 2);
          if (!best || rtt < best.rtt) { best = { rtt: rtt, offset: offset }; }
          return one(i + 1);
        });
    }
    return one(0).then(function () {
      var sorted = samples.slice().sort(function (a, b) { return a - b; });
      return { rtt_ms: sorted[Math.floor(sorted.length / 2)], rtt_samples: samples,
               clock_offset_ms: Math.round(best.offset) };
    });
  }

  // the last frame stays on screen (only here: nothing is uploaded) once the camera is released
  function keepLastFrame(video) {
    var canvas = document.getElementById("device-preview");
    if (!canvas || !video.videoWidth) { video.hidden = true; return; }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.hidden = false;
    video.hidden = true;
  }

  function camera() {
    if (!config.camera_required) { return Promise.resolve(null); }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.resolve({ ok: false, frames: 0, error: "浏览器不支持摄像头" });
    }
    var video = document.getElementById("device-video");
    var preview = document.getElementById("device-preview");
    if (preview) { preview.hidden = true; }
    return navigator.mediaDevices.getUserMedia({ video: true, audio: false }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      return video.play().catch(function () { return null; }).then(function () {
        return new Promise(function (resolve) {
          var frames = 0;
          var last = -1;
          var started = performance.now();
          function tick() {
            if (video.videoWidth > 0 && video.currentTime !== last) { frames += 1; last = video.currentTime; }
            if (frames >= config.camera_min_frames + 2 || performance.now() - started > 5000) {
              var result = { ok: frames >= config.camera_min_frames, frames: frames, width: video.videoWidth,
                             height: video.videoHeight, error: frames ? "" : "摄像头没有画面" };
              keepLastFrame(video);
              stream.getTracks().forEach(function (track) { track.stop(); });
              resolve(result);
              return;
            }
            setTimeout(tick, 60);
          }
          tick();
        });
      });
    }, function (error) {
      var name = error && error.name;
      return { ok: false, frames: 0, error: CAMERA_ERRORS[name] || "无法打开摄像头" };
    });
  }

  function showVerdict(passed, reasons) {
    verdict.hidden = false;
    verdict.className = "msg " + (passed ? "msg-success" : "msg-error");
    verdict.textContent = "";
    var title = document.createElement("strong");
    title.textContent = passed ? "终端可用性测试通过：这台电脑可以参加考试。" : "终端可用性测试未通过：";
    verdict.appendChild(title);
    if (!passed && reasons && reasons.length) {
      var list = document.createElement("ul");
      reasons.forEach(function (reason) {
        var item = document.createElement("li");
        item.textContent = reason;
        list.appendChild(item);
      });
      verdict.appendChild(list);
    }
    if (passed) {
      var back = document.createElement("a");
      back.href = root.getAttribute("data-back-url");
      back.textContent = " 返回考前测试";
      back.setAttribute("data-testid", "device-back");
      verdict.appendChild(back);
    }
  }

  function run() {
    startButton.disabled = true;
    verdict.hidden = true;
    ["r-browser", "r-camera", "r-clock", "r-rtt", "r-save"].forEach(function (id) { set(id, "检测中…", "muted"); });
    var measured = {};
    post(config.start_url).then(function (started) {
      if (started.status !== 200) { throw new Error(started.data.message || "无法开始检测"); }
      var check = started.data;
      set("r-browser", check.browser + (check.browser_version ? " " + check.browser_version : ""));
      return pings(check.ping_url, config.pings).then(function (timing) {
        measured = timing;
        set("r-clock", "与服务器相差 " + (Math.abs(timing.clock_offset_ms) / 1000).toFixed(1) + " 秒");
        set("r-rtt", "往返 " + timing.rtt_ms + " 毫秒（" + timing.rtt_samples.join("、") + "）");
        return camera();
      }).then(function (cam) {
        if (cam) {
          measured.camera = cam;
          set("r-camera", cam.ok ? "可用（" + cam.width + "×" + cam.height + "，" + cam.frames + " 帧）" : cam.error, cam.ok ? "ok" : "danger");
        }
        return post(check.save_url, { probe: "考前测试保存检测", client_at: Date.now() })
          .then(function (saved) { return saved.status === 200 && saved.data.saved; })
          .catch(function () { return false; });
      }).then(function (saved) {
        set("r-save", saved ? "已保存到服务器" : "未能保存到服务器", saved ? "ok" : "danger");
        return post(check.finish_url, measured);
      }).then(function (finished) {
        if (finished.status !== 200) { throw new Error(finished.data.message || "检测结果未能提交"); }
        showVerdict(finished.data.passed, finished.data.reasons);
      });
    }).catch(function (error) {
      verdict.hidden = false;
      verdict.className = "msg msg-error";
      verdict.textContent = "检测中断：" + (error && error.message && error.message !== "Failed to fetch" ? error.message : "网络连接失败，请检查网络后重新检测");
    }).then(function () {
      startButton.disabled = false;
      startButton.textContent = "重新检测";
    });
  }

  startButton.addEventListener("click", run);
})();
