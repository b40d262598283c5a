// The exam page (docs/decisions.md#exam-engine). The server owns the clock and the answers; this page only
// shows the server's remaining time (re-synced every 30 s or sooner), sends each answer as it is
// given (debounced ≤ 2 s) with a per-attempt sequence number, keeps unsent answers in
// localStorage while the network is down (and says so), replays them when it returns, and is
// told when another page has taken the exam over. No inline script (CSP): the configuration
// comes from the json_script block #exam-config.
(function () {
  "use strict";

  var root = document.getElementById("exam-root");
  var configNode = document.getElementById("exam-config");
  if (!root || !configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var storeKey = "sanlei-exam-" + config.attempt;
  var saveUrl = root.getAttribute("data-save-url");
  var clockUrl = root.getAttribute("data-clock-url");
  var submitUrl = root.getAttribute("data-submit-url");
  var csrf = root.getAttribute("data-csrf");
  var remainingNode = document.getElementById("exam-remaining");
  var netNode = document.getElementById("exam-net");
  var banner = document.getElementById("exam-banner");
  var paper = document.getElementById("exam-paper");

  // pending: position -> {position, answer, seq, client_at, session}; survives a reload or a crash
  // (session: the number of the page the answer was given on; between pages the later answer wins)
  var stored = load();
  var pending = stored.pending || {};
  var seq = Math.max(config.last_seq || 0, stored.seq || 0);
  var saved = {};
  Object.keys(config.saved || {}).forEach(function (p) { saved[p] = config.saved[p]; });
  var deadline = 0;        // the deadline in this computer's clock (server deadline - offset)
  var offset = 0;          // server time - client time, from the last sync
  var stopped = false;     // taken over, or closed
  var offline = false;
  var flushTimer = null;
  var flushing = false;
  var retryDelay = 2000;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { return {}; }
  }
  function persist() {
    try { window.localStorage.setItem(storeKey, JSON.stringify({ seq: seq, pending: pending })); } catch (e) { /* full or blocked */ }
  }
  function serverNow() { return Date.now() + offset; }

  function applyClock(clock) {
    offset = clock.now_ms - Date.now();
    deadline = clock.deadline_ms - offset;
    if (clock.state && clock.state !== "in_progress") { closed(clock.state_label); }
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    remainingNode.textContent = pad(Math.floor(left / 3600)) + ":" + pad(Math.floor(left / 60) % 60) + ":" + pad(left % 60);
    remainingNode.classList.toggle("low", left <= 300);
    if (left === 0 && !stopped) { timeUp(); }
  }

  function setNet(text, kind) {
    netNode.textContent = text;
    netNode.className = "small" + (kind ? " " + kind : "");
  }
  function showBanner(text) { banner.textContent = text; banner.hidden = !text; }

  function answerOf(fieldset) {
    var letters = [];
    fieldset.querySelectorAll("input:checked").forEach(function (input) { letters.push(input.value); });
    return letters.sort().join("");
  }
  function fieldsetAt(position) { return paper.querySelector('fieldset[data-position="' + position + '"]'); }
  function mark(position) {
    var status = root.querySelector('[data-status="' + position + '"]');
    var nav = root.querySelector('[data-nav="' + position + '"]');
    var isPending = Object.prototype.hasOwnProperty.call(pending, position);
    var answer = isPending ? pending[position].answer : (saved[position] ? saved[position].answer : "");
    status.textContent = isPending ? (offline ? "已暂存在本机，联网后自动提交" : "保存中…") : (answer ? "已保存" : "");
    status.classList.toggle("pending", isPending);
    nav.classList.toggle("answered", !!answer && !isPending);
    nav.classList.toggle("pending", isPending);
  }
  function setChecked(position, answer) {
    var fieldset = fieldsetAt(position);
    if (!fieldset) { return; }
    fieldset.querySelectorAll("input").forEach(function (input) { input.checked = answer.indexOf(input.value) !== -1; });
  }

  function pendingCount() { return Object.keys(pending).length; }

  function schedule(delay) {
    if (flushTimer) { clearTimeout(flushTimer); }
    flushTimer = setTimeout(flush, delay);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    });
  }

  function wentOffline() {
    if (!offline) {
      offline = true;
      showBanner("网络已断开：答案暂存在本机，计时仍在继续。网络恢复后会自动提交，请不要关闭本页面。");
    }
    setNet("网络已断开（" + pendingCount() + " 题待提交）", "offline");
    Object.keys(pending).forEach(mark);
  }
  function backOnline() {
    if (offline) { offline = false; showBanner(""); }
    retryDelay = 2000;
  }

  function flush() {
    flushTimer = null;
    if (stopped || flushing || !pendingCount()) { return Promise.resolve(); }
    flushing = true;
    var items = Object.keys(pending).map(function (p) { return pending[p]; });
    return post(saveUrl, { token: config.token, answers: items }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      flushing = false;
      backOnline();
      var data = result.data;
      if (data.error === "taken_over") { takenOver(data.message); return; }
      if (result.status !== 200) { showBanner(data.message || "答案未能保存，请联系监考人员"); return; }
      items.forEach(function (item) {
        var outcome = data.outcomes[String(item.seq)];
        if (!outcome) { return; }
        if (outcome === "accepted" || outcome === "duplicate") { saved[item.position] = { answer: item.answer, seq: item.seq }; }
        var kept = (data.kept || {})[String(item.position)];
        if (outcome === "stale" && kept && pending[item.position] && pending[item.position].seq === item.seq) {
          // a newer answer (given later, e.g. on another computer) stays: show it, not ours
          saved[item.position] = kept;
          setChecked(item.position, kept.answer);
        }
        if (pending[item.position] && pending[item.position].seq === item.seq) { delete pending[item.position]; }
        mark(item.position);
      });
      persist();
      applyClock(data);
      setNet(pendingCount() ? "保存中…" : "答案已全部保存", pendingCount() ? "pending" : "");
      if (pendingCount()) { schedule(200); }
    }).catch(function () {
      flushing = false;
      wentOffline();
      retryDelay = Math.min(retryDelay * 2, 15000);
      schedule(retryDelay);
    });
  }

  function changed(event) {
    var fieldset = event.target.closest("fieldset.question");
    if (!fieldset || stopped) { return; }
    var position = fieldset.getAttribute("data-position");
    seq += 1;
    pending[position] = { position: Number(position), answer: answerOf(fieldset), seq: seq, client_at: serverNow(),
                          session: config.session };
    persist();
    mark(position);
    setNet(offline ? "网络已断开（" + pendingCount() + " 题待提交）" : "保存中…", offline ? "offline" : "pending");
    schedule(config.debounce_ms);
  }

  function sync() {
    if (stopped) { return; }
    fetch(clockUrl + "?token=" + encodeURIComponent(config.token), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json().then(function (data) { return { status: response.status, data: data }; }); })
      .then(function (result) {
        if (result.data.error === "taken_over") { takenOver(result.data.message); return; }
        applyClock(result.data);
        if (offline) { backOnline(); setNet("网络已恢复，正在提交…", "pending"); }
        if (pendingCount()) { schedule(0); }
      })
      .catch(wentOffline);
  }

  function disable() {
    paper.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
    document.getElementById("exam-submit").disabled = true;
  }

  function overlay(text, linkText) {
    document.getElementById("exam-overlay-text").textContent = text;
    if (linkText) { document.getElementById("exam-overlay-link").textContent = linkText; }
    document.getElementById("exam-overlay").hidden = false;
  }

  // proctoring (proctoring/static/proctoring/proctor.js, remote exams only) stops with the page
  function announceStop(reason) { document.dispatchEvent(new CustomEvent("exam:stopped", { detail: { reason: reason } })); }

  function takenOver(message) {
    stopped = true;
    announceStop("taken_over");
    disable();
    Object.keys(pending).forEach(function (position) {
      var status = root.querySelector('[data-status="' + position + '"]');
      if (status) { status.textContent = "未保存：本页面已停止作答"; }
    });
    setNet("本页面已停止作答", "offline");
    overlay(message || "您的考试已在另一个页面或另一台电脑上打开，本页面已停止作答。", "在本页面继续作答");
  }

  function closed(label) {
    if (stopped) { return; }
    stopped = true;
    announceStop("closed");
    disable();
    try { window.localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
    overlay("考试" + (label || "已结束") + "。", "查看");
  }

  function timeUp() {
    disable();
    setNet("考试时间到，正在提交答案…", "pending");
    // answers given before the deadline are kept within the server's grace: send them, then let
    // the server submit (it does so itself at deadline + grace even if this page is gone)
    flush().then(function () {
      stopped = true;
      announceStop("time_up");
      overlay("考试时间到，系统将自动交卷（已保存的答案全部计入）。", "查看");
    });
  }

  function unanswered() {
    var missing = [];
    paper.querySelectorAll("fieldset.question").forEach(function (fieldset) {
      if (!answerOf(fieldset)) { missing.push(fieldset.getAttribute("data-position")); }
    });
    return missing;
  }

  function confirmSubmit() {
    var missing = unanswered();
    document.getElementById("exam-confirm-text").textContent = missing.length
      ? "还有 " + missing.length + " 题未作答：第 " + missing.join("、") + " 题。确定交卷吗？"
      : "全部 " + config.question_count + " 题均已作答。确定交卷吗？";
    document.getElementById("exam-confirm").hidden = false;
  }

  function doSubmit() {
    document.getElementById("exam-confirm").hidden = true;
    flush().then(function () {
      if (pendingCount()) { showBanner("仍有答案未能提交到服务器，请等待网络恢复后再交卷。"); return null; }
      return post(submitUrl, { token: config.token }).then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      });
    }).then(function (result) {
      if (!result) { return; }
      if (result.data.error === "taken_over") { takenOver(result.data.message); return; }
      if (result.status !== 200) { showBanner(result.data.message || "交卷失败，请重试"); return; }
      stopped = true;
      announceStop("submitted");
      try { window.localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
      window.location.assign(result.data.next);
    }).catch(function () { wentOffline(); showBanner("网络已断开，暂时无法交卷；恢复后请再次点击“交卷”。"); });
  }

  // start: the server's answers, then anything newer that this computer kept but never sent
  applyClock(config.clock);
  Object.keys(pending).forEach(function (position) {
    var serverSeq = saved[position] ? saved[position].seq : 0;
    if (pending[position].seq <= serverSeq || !fieldsetAt(position)) { delete pending[position]; return; }
    setChecked(position, pending[position].answer);
  });
  paper.querySelectorAll("fieldset.question").forEach(function (fieldset) { mark(fieldset.getAttribute("data-position")); });
  persist();
  paper.addEventListener("change", changed);
  document.getElementById("exam-submit").addEventListener("click", confirmSubmit);
  document.getElementById("exam-confirm-cancel").addEventListener("click", function () { document.getElementById("exam-confirm").hidden = true; });
  document.getElementById("exam-confirm-ok").addEventListener("click", doSubmit);
  window.addEventListener("online", function () { sync(); schedule(0); });
  window.addEventListener("offline", wentOffline);
  tick();
  setInterval(tick, 1000);
  setInterval(sync, Math.min(config.sync_seconds, 30) * 1000);
  if (pendingCount()) { setNet("正在提交本机暂存的答案…", "pending"); schedule(0); }
})();
