// Remote proctoring on the exam page of a 继续教育(线上) exam (docs/decisions.md#proctoring); loaded only there,
// after the candidate consented on the entry page. It records leaving the page (visibilitychange)
// or the window (blur), leaving full screen, copy/cut/paste attempts (blocked), and the network
// going away and back; the server itself records a second page taking over. Events are kept in
// localStorage until the server has them (idempotent by their random id, so a replay after a
// network failure or a reload is stored once). A camera snapshot (getUserMedia → canvas → JPEG)
// is taken every `interval_seconds` and at each incident, and uploaded; while the network is
// down the latest ones wait in memory. No inline script (CSP): the configuration comes from the
// json_script block #proctor-config. The exam page (exams/exam.js) tells us when it stops
// (taken over, closed, time up) with the DOM event "exam:stopped".
(function () {
  "use strict";

  var configNode = document.getElementById("proctor-config");
  var bar = document.getElementById("proctor-bar");
  if (!configNode || !bar) { return; }
  var config = JSON.parse(configNode.textContent);
  var csrf = bar.getAttribute("data-csrf");
  var statusNode = document.getElementById("proctor-status");
  var video = document.getElementById("proctor-video");
  var fsButton = document.getElementById("proctor-fullscreen");
  var storeKey = "sanlei-proctor-" + config.attempt;
  var MAX_EVENTS = 500, MAX_SHOTS = 20, BATCH = 100, NOTICE_MS = 6000;
  var INCIDENTS = { page_hidden: 1, window_blur: 1, fullscreen_exit: 1, copy: 1, cut: 1, paste: 1,
                    network_offline: 1, camera_unavailable: 1 };

  var queue = load();          // events the server has not confirmed yet
  var shots = [];              // snapshots waiting for upload: {id, at, trigger, event, blob}
  var stopped = false;
  var stream = null;
  var netDown = false, netDownAt = 0;
  var hiddenAt = 0, blurAt = 0, lastEventShot = 0;
  var wasFullscreen = false;
  var cameraFailed = false;
  var noticeUntil = 0;         // a notice (copy refused…) stays this long before the camera status returns
  var uploaded = 0;
  var busy = false, pumpTimer = null, retryDelay = 2000;
  var timers = [];
  var canvas = document.createElement("canvas");

  function load() {
    try {
      var list = JSON.parse(window.localStorage.getItem(storeKey) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) { return []; }
  }
  function persist() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(queue)); } catch (e) { /* full or blocked */ }
    show();
  }
  // what is still to send, on the bar (for the candidate's status line and for tests)
  function show() {
    bar.setAttribute("data-pending-events", String(queue.length));
    bar.setAttribute("data-pending-shots", String(shots.length));
    bar.setAttribute("data-uploaded", String(uploaded));
  }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }
  function setStatus(text, kind) {
    statusNode.textContent = text;
    statusNode.className = "small" + (kind ? " " + kind : "");
  }
  function cameraStatus() {
    if (stopped || Date.now() < noticeUntil) { return; }
    if (cameraFailed) {
      setStatus("摄像头不可用：已记录。请检查摄像头是否连接、是否被其他程序占用，并允许本网站使用摄像头。", "bad");
    } else if (stream) {
      setStatus("摄像头已开启 · 已上传 " + uploaded + " 张照片" + (shots.length ? "，" + shots.length + " 张待上传" : ""), "ok");
    }
  }

  // ------------------------------------------------------------ events

  function record(kind, durationMs, detail) {
    if (stopped) { return null; }
    var event = { id: newId(), kind: kind, at: Date.now() };
    if (durationMs !== undefined && durationMs !== null) { event.duration_ms = Math.max(0, Math.round(durationMs)); }
    if (detail) { event.detail = String(detail).slice(0, 200); }
    queue.push(event);
    if (queue.length > MAX_EVENTS) { queue.splice(0, queue.length - MAX_EVENTS); }
    persist();
    schedule(0);
    if (INCIDENTS[kind] && Date.now() - lastEventShot >= config.event_gap_seconds * 1000) {
      lastEventShot = Date.now();
      capture(kind, event.id);
    }
    return event;
  }

  // One request at a time, events first: the server sees them in order, and a page never holds
  // more than one connection beside the exam's own saves.
  function schedule(delay) {
    if (pumpTimer) { clearTimeout(pumpTimer); }
    pumpTimer = setTimeout(pump, delay);
  }

  function post(url, body, contentType) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": contentType, "X-CSRFToken": csrf }, body: body
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function networkDown() {
    if (netDown) { return; }
    netDown = true;
    netDownAt = Date.now();
    record("network_offline", null, "考试页面无法连接服务器");
  }
  function networkUp() {
    retryDelay = 2000;
    if (!netDown) { return; }
    netDown = false;
    record("network_online", Date.now() - netDownAt);
  }

  function finish(data) {
    // the server no longer takes records for this attempt (closed, or no consent): stop quietly
    if (data && (data.error === "closed" || data.error === "no_consent")) {
      queue = [];
      shots = [];
      persist();
      stop();
      return true;
    }
    return false;
  }

  function failed() {
    busy = false;
    networkDown();
    cameraStatus();
    retryDelay = Math.min(retryDelay * 2, 15000);
    schedule(retryDelay);
  }

  function pump() {
    pumpTimer = null;
    if (busy) { return; }
    if (queue.length) { sendEvents(); } else if (shots.length) { sendShot(); }
  }

  function sendEvents() {
    busy = true;
    var batch = queue.slice(0, BATCH);
    post(config.events_url, JSON.stringify({ events: batch }), "application/json").then(function (result) {
      busy = false;
      networkUp();
      if (finish(result.data)) { return; }
      if (result.status === 200 && !result.data.error) {
        var done = {};
        (result.data.stored || []).forEach(function (id) { done[id] = true; });
        queue = queue.filter(function (event) { return !done[event.id]; });
      } else {
        queue = queue.slice(batch.length);  // refused (malformed, or over the cap): sending it again changes nothing
      }
      persist();
      schedule(0);
    }).catch(failed);
  }

  // With config.direct_upload the web server writes the picture itself (proctoring/direct.py):
  // PUT to this attempt's signed folder; 201/204 stored, 409 already there (a retry), 403/410
  // refused for good (the signature is wrong or the exam is over). The app takes the file in.
  function putShot(shot) {
    var target = config.direct_upload;
    var url = target.prefix + encodeURIComponent(shot.id) + "." + shot.at + "." + shot.trigger + "." +
      (shot.event ? encodeURIComponent(shot.event) : "-") + ".jpg?" + target.query;
    return fetch(url, {
      method: "PUT", credentials: "omit", cache: "no-store",
      headers: { "Content-Type": "image/jpeg" }, body: shot.blob
    }).then(function (response) {
      if (response.status === 201 || response.status === 204 || response.status === 409) {
        return { status: 200, data: {} };
      }
      if (response.status === 403 || response.status === 410) {
        return { status: response.status, data: { error: "refused" } };
      }
      throw new Error("snapshot upload: HTTP " + response.status);  // a server error: try again later
    });
  }

  function sendShot() {
    busy = true;
    var shot = shots[0];
    var url = config.snapshot_url + "?id=" + encodeURIComponent(shot.id) + "&at=" + shot.at +
      "&trigger=" + encodeURIComponent(shot.trigger) + "&event=" + encodeURIComponent(shot.event);
    (config.direct_upload ? putShot(shot) : post(url, shot.blob, "image/jpeg")).then(function (result) {
      busy = false;
      networkUp();
      if (finish(result.data)) { return; }
      shots.shift();  // stored, or refused for good (a malformed picture is not sent again)
      if (result.status === 200 && !result.data.error) { uploaded += 1; }
      cameraStatus();
      show();
      schedule(0);
    }).catch(failed);
  }

  // ------------------------------------------------------------ snapshots

  function capture(trigger, eventId) {
    if (!stream || !video.videoWidth || !config.camera) { return; }
    var width = Math.min(config.width, video.videoWidth);
    var height = Math.round(width * video.videoHeight / video.videoWidth);
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").drawImage(video, 0, 0, width, height);
    var at = Date.now();
    canvas.toBlob(function (blob) {
      if (!blob || blob.size > config.max_bytes) { return; }
      shots.push({ id: newId(), at: at, trigger: trigger, event: eventId || "", blob: blob });
      if (shots.length > MAX_SHOTS) { shots.splice(busy ? 1 : 0, 1); }  // the oldest waiting one gives way
      show();
      schedule(0);
    }, "image/jpeg", config.quality);
  }

  function startCamera() {
    if (stopped || stream || !config.camera) { return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraUnavailable("浏览器不支持摄像头");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false })
      .then(function (media) {
        if (stopped) { media.getTracks().forEach(function (t) { t.stop(); }); return; }
        stream = media;
        cameraFailed = false;
        media.getVideoTracks().forEach(function (track) {
          track.addEventListener("ended", function () { stream = null; cameraUnavailable("摄像头已断开"); });
        });
        video.srcObject = media;
        video.addEventListener("loadeddata", function first() {
          video.removeEventListener("loadeddata", first);
          record("camera_started", null, video.videoWidth + "×" + video.videoHeight);
          cameraStatus();
          capture("start", "");
        });
        var playing = video.play();
        if (playing && playing.catch) { playing.catch(function () { /* autoplay of a muted preview is allowed */ }); }
      })
      .catch(function (error) { cameraUnavailable((error && error.name) || "无法开启"); });
  }

  function cameraUnavailable(reason) {
    if (stopped) { return; }
    if (!cameraFailed) { record("camera_unavailable", null, reason); }
    cameraFailed = true;
    cameraStatus();
  }

  function periodic() {
    if (stopped) { return; }
    if (!stream) { startCamera(); return; }
    capture("periodic", "");
  }

  // ------------------------------------------------------------ what is watched

  function fullscreenChanged() {
    if (document.fullscreenElement) {
      wasFullscreen = true;
      fsButton.hidden = true;
      bar.classList.remove("alert");
      record("fullscreen_enter");
    } else if (wasFullscreen) {
      wasFullscreen = false;
      fsButton.hidden = false;
      bar.classList.add("alert");
      record("fullscreen_exit");
    }
  }

  function blocked(kind, label) {
    return function (event) {
      event.preventDefault();
      record(kind);
      setStatus("考试页面禁止" + label + "，本次操作已记录。", "bad");
      noticeUntil = Date.now() + NOTICE_MS;
      setTimeout(cameraStatus, NOTICE_MS + 50);
    };
  }

  function stop() {
    if (stopped) { return; }
    stopped = true;
    timers.forEach(clearInterval);
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
    setStatus("监考已结束，摄像头已关闭。", "");
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      hiddenAt = Date.now();
      record("page_hidden");
    } else if (hiddenAt) {
      record("page_visible", Date.now() - hiddenAt);
      hiddenAt = 0;
    }
  });
  window.addEventListener("blur", function () { blurAt = Date.now(); record("window_blur"); });
  window.addEventListener("focus", function () {
    if (blurAt) { record("window_focus", Date.now() - blurAt); blurAt = 0; }
  });
  document.addEventListener("fullscreenchange", fullscreenChanged);
  document.addEventListener("copy", blocked("copy", "复制"));
  document.addEventListener("cut", blocked("cut", "剪切"));
  document.addEventListener("paste", blocked("paste", "粘贴"));
  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });
  window.addEventListener("offline", networkDown);
  window.addEventListener("online", function () { schedule(0); });
  document.addEventListener("exam:stopped", function () {
    if (queue.length) { schedule(0); }
    stop();
  });
  fsButton.addEventListener("click", function () {
    var root = document.documentElement;
    if (root.requestFullscreen) {
      root.requestFullscreen().catch(function () { setStatus("浏览器未能进入全屏，请按 F11。", "bad"); });
    }
  });

  startCamera();
  timers.push(setInterval(periodic, Math.max(5, config.interval_seconds) * 1000));
  timers.push(setInterval(function () { if (!pumpTimer) { schedule(0); } }, 15000));
  if (queue.length) { schedule(0); }  // left over from an earlier page of this attempt
})();
