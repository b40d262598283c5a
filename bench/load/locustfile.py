"""Simulated examinees for bench/load (docs/decisions.md#exam-day-load). Each Locust user is one examinee's exam day, done
the way the real pages do it (accounts/templates/accounts/candidate_login.html,
exams/templates/exams/{entry,sit}.html, exams/static/exams/exam.js, exams/views.py):

1. at its login moment (spread over the login window before the start): the login page (CSRF
   token, captcha key), the captcha image, the POST, 我的考核;
2. at its start moment (within the start window after the start): the entry page, the remote
   proctoring consent (both purposes, as the page's form posts them), POST 进入考试
   with the form's CSRF token, then the exam page (its #exam-config: attempt, session token,
   last_seq, saved answers, the server's clock);
3. about every 30 s one answer, sent as exam.js sends it: after the page's debounce, every
   pending answer in one POST {"token", "answers": [{position, answer, seq, client_at}]} with
   the X-CSRFToken header; seq is last_seq + 1 on load and +1 per answer; client_at the server's
   time as the page estimates it. A failed request (network error, or a body that is not JSON:
   a 502 from nginx, a 500 page) is retried as exam.js retries: after 4 s, 8 s, then every 15 s,
   with every answer given in between in the same request; a JSON refusal is not retried;
4. the clock sync every 30 s (GET clock?token=…); a pending answer is flushed when it succeeds;
5. once, at a random moment, a reload of the exam page (a new session token takes the exam
   over; what this client had not yet sent is sent again, as localStorage would);
6. 交卷 within the last minute (flush first, as doSubmit does).

Every examinee keeps its own log of acknowledged saves (outcome accepted or duplicate, the
highest seq per question) and of every deadline the server told it; at the end each Locust
process writes them to BENCH_LOAD_CLIENT_LOG (one JSON line per examinee) and bench/load/run.py
compares them with what the server holds.

With BENCH_LOAD_SNAPSHOT_BYTES set (run.py --snapshots, the 继续教育(线上) scenario), each examinee
also does what proctoring/static/proctoring/proctor.js does: a camera snapshot (a real JPEG of
about that size) at the start and every interval_seconds of #proctor-config, sent to its
snapshot URL (the app, or, when the page is given a signed direct-upload URL, nginx writing the
file itself), and around the reload the events the page records (page_hidden, page_visible)
with their incident snapshot. A failed upload waits and is sent again (at most 20 wait, the
oldest gives way); the client keeps the ids of snapshots the server acknowledged.

A FloorUser beside them posts the floor view (exams.bench_floor: one indexed write, no exam
logic) at a fixed pace during the exam, so the floor is measured under the same load."""

import json
import os
import random
import re
import time
from collections import Counter

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

WORLD = json.loads(open(os.environ["BENCH_LOAD_WORLD"], encoding="utf-8").read())
PLAN = json.loads(os.environ["BENCH_LOAD_PLAN"])  # {"starts_at", "ends_at", "login_from"} epochs
LOGIN_WINDOW = float(os.environ.get("BENCH_LOAD_LOGIN_WINDOW", "1800"))
START_WINDOW = float(os.environ.get("BENCH_LOAD_START_WINDOW", "60"))
ANSWER_EVERY = float(os.environ.get("BENCH_LOAD_ANSWER_EVERY", "30"))
SUBMIT_WINDOW = float(os.environ.get("BENCH_LOAD_SUBMIT_WINDOW", "60"))
SUBMIT_AFTER = float(os.environ.get("BENCH_LOAD_SUBMIT_AFTER", "0"))  # 0: within the exam's last minute
SNAPSHOT_BYTES = int(os.environ.get("BENCH_LOAD_SNAPSHOT_BYTES", "0"))  # 0: no snapshots (the plain scenario)
CLIENT_LOG = os.environ["BENCH_LOAD_CLIENT_LOG"]
CONFIG_RE = re.compile(r'<script id="exam-config" type="application/json">(.*?)</script>', re.S)
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CAPTCHA_RE = re.compile(r'name="captcha_0" value="([0-9a-f]+)"')
DATA_CSRF_RE = re.compile(r'data-csrf="([^"]+)"')
QUESTION_RE = re.compile(r'data-position="(\d+)" data-qtype="(\w+)"')
CONSENT_RE = re.compile(r'<form method="post" action="(/proctoring/consent/\d+/)"')
CONSENT_VERSION_RE = re.compile(r'name="version" value="([^"]*)"')
OPTION_RE = re.compile(r'name="q-(\d+)" value="([A-Z])"')
PROCTOR_RE = re.compile(r'<script id="proctor-config" type="application/json">(.*?)</script>', re.S)
MAX_SHOTS = 20  # proctor.js keeps at most this many waiting


def _jpeg(target: int) -> bytes:
    """A real JPEG (the server decodes it whole) of about `target` bytes at 480×360: a smooth
    picture with noise, its quality searched so the size lands near the target."""
    import io
    import random as _random

    from PIL import Image, ImageFilter

    rng = _random.Random(17)
    noise = Image.frombytes("L", (480, 360), bytes(rng.randrange(256) for _ in range(480 * 360)))
    picture = Image.merge("RGB", (noise.filter(ImageFilter.GaussianBlur(1.2)), noise.filter(ImageFilter.GaussianBlur(2)),
                                  noise.filter(ImageFilter.GaussianBlur(3))))
    best = b""
    low, high = 5, 95
    while low <= high:
        quality = (low + high) // 2
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=quality)
        data = out.getvalue()
        if not best or abs(len(data) - target) < abs(len(best) - target):
            best = data
        if len(data) < target:
            low = quality + 1
        else:
            high = quality - 1
    return best


JPEG = _jpeg(SNAPSHOT_BYTES) if SNAPSHOT_BYTES else b""

# Locust runs several processes with --processes: each takes every k-th examinee.
_examinees = iter(())
_records: list[dict] = []
_state = {"finished": 0, "expected": 0}


@events.init.add_listener
def _init(environment, **_kwargs):
    global _examinees
    runner = environment.runner
    index = getattr(runner, "worker_index", 0) or 0
    count = max(1, int(getattr(environment.parsed_options, "processes", 1) or 1)) if hasattr(
        runner, "worker_index") else 1
    mine = WORLD["examinees"][index::count]
    _state["expected"] = len(mine)
    _examinees = iter(mine)


@events.quitting.add_listener
def _write_log(environment, **_kwargs):
    if not _records:
        return
    path = f"{CLIENT_LOG}.{os.getpid()}"
    with open(path, "w", encoding="utf-8") as handle:
        for record in _records:
            handle.write(json.dumps(record) + "\n")


def _sleep_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        gevent.sleep(delay)


def _why(response) -> str:
    if response.status_code:
        return f"HTTP {response.status_code}"
    return f"no response: {type(response.error).__name__ if response.error else 'unknown'}"


def _json(response):
    try:
        return response.json()
    except Exception:
        return None


class Examinee(FastHttpUser):
    """One examinee. Its single task runs the whole day once, then the user stops."""

    wait_time = constant(0)
    weight = 100
    connection_timeout = 60.0
    network_timeout = 120.0  # a browser's fetch has no timeout of its own; the app server's is 120 s
    max_retries = 0

    def on_start(self):
        me = next(_examinees, None)
        if me is None:
            raise StopUser()
        self.me = me
        self.rec = {"registration": me["registration"], "attempt": None, "acked": {}, "pending_end": 0,
                    "deadlines": [], "offset_ms": [None, None], "requests": 0, "save_requests": 0, "retried_requests": 0,
                    "retried_answers": 0, "refused": [], "submitted": False, "reload_missing": 0,
                    "upstreams": Counter(), "answers_given": 0, "phase": "waiting", "takeovers": 0,
                    "shots_taken": 0, "shots_acked": [], "shots_dropped": 0, "shots_refused": [], "events_acked": 0,
                    "shot_bytes": 0}
        self.pending = {}  # position -> item, as exam.js keeps it (and localStorage)
        self.seq = 0
        self.token = ""
        self.csrf = ""
        self.retry_delay = 2.0
        self.next_flush = None
        self.retried_positions = set()
        self.proctor = None
        self.shots = []  # waiting snapshots: (client id, taken at ms, trigger, event id)
        self.events = []  # waiting events
        self.next_shot = None
        self.shot_retry = 2.0
        self.next_shot_retry = None
        starts, ends = PLAN["starts_at"], PLAN["ends_at"]
        self.login_at = PLAN["login_from"] + random.random() * LOGIN_WINDOW
        self.start_at = starts + random.random() * START_WINDOW
        self.submit_at = ends - 5 - random.random() * max(0.0, SUBMIT_WINDOW - 5)
        if SUBMIT_AFTER:  # a shorter run: everyone hands in early, within a minute after that
            self.submit_at = min(self.submit_at, starts + START_WINDOW + SUBMIT_AFTER + random.random() * SUBMIT_WINDOW)
        self.reload_at = self.start_at + 40 + random.random() * max(1.0, self.submit_at - self.start_at - 80)

    # ---------------------------------------------------------------- plumbing

    def _note(self, response):
        self.rec["requests"] += 1
        upstream = response.headers.get("X-Upstream") if response.headers else None
        if upstream:
            self.rec["upstreams"][upstream] += 1

    def _page(self, url, name, **kwargs):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False, **kwargs) as response:
            self._note(response)
            if response.status_code != 200:
                response.failure(_why(response))
                return None
            return response.text

    def _clock(self, data):
        if data and "deadline_ms" in data:
            if data["deadline_ms"] not in self.rec["deadlines"]:
                self.rec["deadlines"].append(data["deadline_ms"])
            offset = data["now_ms"] - int(time.time() * 1000)
            low, high = self.rec["offset_ms"]
            self.rec["offset_ms"] = [offset if low is None else min(low, offset),
                                     offset if high is None else max(high, offset)]
            self.offset_ms = offset

    def _exam_page(self, name) -> bool:
        url = f"/exams/sit/{self.me['registration']}/"
        html = self._page(url, name)
        if html is None:
            return False
        match = CONFIG_RE.search(html)
        if not match:
            self.rec["refused"].append(f"{name}: no exam page")
            return False
        config = json.loads(match.group(1))
        self.rec["attempt"] = config["attempt"]
        self.token = config["token"]
        self.csrf = DATA_CSRF_RE.search(html).group(1)
        self.seq = max(self.seq, config["last_seq"])
        self._clock(config["clock"])
        saved = {int(p): v for p, v in config["saved"].items()}
        # what this client was told was saved must be on the page it reloads
        for position, (answer, seq) in self.rec["acked"].items():
            got = saved.get(int(position))
            if got is None or got["seq"] < seq or (got["seq"] == seq and got["answer"] != answer):
                self.rec["reload_missing"] += 1
        for position in list(self.pending):
            if self.pending[position]["seq"] <= saved.get(position, {}).get("seq", 0):
                del self.pending[position]
        if not hasattr(self, "questions"):
            options = {}
            for position, letter in OPTION_RE.findall(html):
                options.setdefault(int(position), []).append(letter)
            self.questions = [(int(p), q, options[int(p)]) for p, q in QUESTION_RE.findall(html)]
        self.next_sync = time.time() + 30
        if self.pending:
            self.next_flush = time.time()
        if SNAPSHOT_BYTES:
            found = PROCTOR_RE.search(html)
            self.proctor = json.loads(found.group(1)) if found else None
            if self.proctor and self.proctor.get("camera"):
                self._take("start")
                self.next_shot = time.time() + self.proctor["interval_seconds"]
        return True

    def _taken_over(self):
        """The page says another page took the exam over (here: a reload whose answer never
        arrived, so this client still holds the older token). The examinee clicks the overlay's
        link, 在本页面继续作答, which opens the exam page again."""
        self.rec["takeovers"] += 1
        for _attempt in range(20):
            if self._exam_page("exam page (takeover)"):
                return
            gevent.sleep(3)

    # ---------------------------------------------------------------- the exam page's behaviour

    def _answer(self):
        position, qtype, letters = random.choice(self.questions)
        if qtype == "multiple":
            answer = "".join(sorted(random.sample(letters, k=random.randint(2, len(letters)))))
        else:
            answer = random.choice(letters)
        self.seq += 1
        self.pending[position] = {"position": position, "answer": answer, "seq": self.seq,
                                  "client_at": int(time.time() * 1000) + getattr(self, "offset_ms", 0)}
        self.rec["answers_given"] += 1
        self.next_flush = time.time() + 1.5  # SAVE_DEBOUNCE_MS

    def _flush(self):
        self.next_flush = None
        if not self.pending:
            return
        items = [dict(item) for item in self.pending.values()]
        self.rec["save_requests"] += 1
        if self.retry_delay > 2.0:
            self.rec["retried_requests"] += 1
            fresh = {i["position"] for i in items} - self.retried_positions
            self.rec["retried_answers"] += len(fresh)
            self.retried_positions |= fresh
        with self.client.post(f"/exams/attempt/{self.rec['attempt']}/save/", name="save", catch_response=True,
                              json={"token": self.token, "answers": items},
                              headers={"X-CSRFToken": self.csrf}) as response:
            self._note(response)
            data = _json(response) if response.status_code else None
            if data is None:
                response.failure(f"{_why(response)}: retried")
                # exam.js: wentOffline, retryDelay doubled up to 15 s, the same pending sent again
                self.retry_delay = min(self.retry_delay * 2, 15.0)
                self.next_flush = time.time() + self.retry_delay
                return
            self.retry_delay = 2.0
            self.retried_positions = set()
            if data.get("error") == "taken_over":
                response.failure("taken_over")
                self._taken_over()
                return
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {data.get('error') or data.get('message')}")
                self.rec["refused"].append(data.get("error") or data.get("message", "")[:60])
                return
            for item in items:
                outcome = data["outcomes"].get(str(item["seq"]))
                if outcome in ("accepted", "duplicate"):
                    best = self.rec["acked"].get(str(item["position"]))
                    if best is None or best[1] < item["seq"]:
                        self.rec["acked"][str(item["position"])] = (item["answer"], item["seq"])
                elif outcome is not None:
                    self.rec["refused"].append(outcome)
                current = self.pending.get(item["position"])
                if outcome and current and current["seq"] == item["seq"]:
                    del self.pending[item["position"]]
            self._clock(data)
            if self.pending:
                self.next_flush = time.time() + 0.2

    def _sync(self):
        self.next_sync = time.time() + 30
        with self.client.get(f"/exams/attempt/{self.rec['attempt']}/clock/?token={self.token}", name="clock",
                             catch_response=True) as response:
            self._note(response)
            data = _json(response) if response.status_code else None
            if data is None:
                response.failure(_why(response))
                return
            if data.get("error") == "taken_over":
                response.failure("taken_over")
                self._taken_over()
                return
            self._clock(data)
            if self.pending:  # exam.js: a successful sync while answers wait flushes them at once
                self.retry_delay = 2.0
                self.next_flush = time.time()

    def _submit(self) -> bool:
        self._flush()
        if self.pending:
            return False
        with self.client.post(f"/exams/attempt/{self.rec['attempt']}/submit/", name="submit", catch_response=True,
                              json={"token": self.token}, headers={"X-CSRFToken": self.csrf}) as response:
            self._note(response)
            data = _json(response) if response.status_code else None
            if data is None or response.status_code != 200 or data.get("error"):
                response.failure(f"{_why(response)}: {data and data.get('error')}")
                if data is not None and data.get("error") == "taken_over":
                    self._taken_over()
                return data is not None and data.get("error") == "closed"
            self.rec["submitted"] = True
            self._page(data["next"], "after submit")
            return True

    # ---------------------------------------------------------------- proctor.js's behaviour

    def _take(self, trigger, event_id=""):
        self.rec["shots_taken"] += 1
        self.shots.append((f"shot-{self.me['registration']}-{self.rec['shots_taken']}-{random.getrandbits(32):08x}",
                           int(time.time() * 1000) + getattr(self, "offset_ms", 0), trigger, event_id))
        if len(self.shots) > MAX_SHOTS:
            self.shots.pop(0)
            self.rec["shots_dropped"] += 1
        self._send_shots()

    def _send_shots(self):
        self.next_shot_retry = None
        while self.shots:
            client_id, at, trigger, event_id = self.shots[0]
            direct = self.proctor.get("direct_upload")
            if direct:  # nginx writes the file itself (proctoring.direct): PUT to the signed URL
                url = f"{direct['prefix']}{client_id}.{at}.{trigger}.{event_id or '-'}.jpg?{direct['query']}"
                request = self.client.request("PUT", url, name="snapshot (direct)", data=JPEG, catch_response=True,
                                              headers={"Content-Type": "image/jpeg"})
            else:
                url = f"{self.proctor['snapshot_url']}?id={client_id}&at={at}&trigger={trigger}&event={event_id}"
                request = self.client.post(url, name="snapshot", data=JPEG, catch_response=True,
                                           headers={"Content-Type": "image/jpeg", "X-CSRFToken": self.csrf})
            with request as response:
                self._note(response)
                self.rec["shot_bytes"] += len(JPEG)
                if direct:
                    ok = response.status_code in (201, 204, 409)  # 409: this file is already there
                    gone = response.status_code in (403, 410)
                    data = None
                else:
                    data = _json(response) if response.status_code else None
                    ok = data is not None and response.status_code == 200 and not data.get("error")
                    gone = data is not None and not ok
                if ok:
                    self.rec["shots_acked"].append(client_id)
                    self.shots.pop(0)
                    self.shot_retry = 2.0
                    continue
                response.failure(_why(response) + (f": {data.get('error')}" if data else ""))
                if gone:  # refused for good: proctor.js drops it (closed, no consent, malformed)
                    self.rec["shots_refused"].append((data or {}).get("error") or str(response.status_code))
                    self.shots.pop(0)
                    continue
                self.shot_retry = min(self.shot_retry * 2, 15.0)
                self.next_shot_retry = time.time() + self.shot_retry
                return

    def _record(self, kind, duration_ms=None):
        event_id = f"ev-{self.me['registration']}-{random.getrandbits(48):012x}"
        self.events.append({"id": event_id, "kind": kind, "at": int(time.time() * 1000) + getattr(self, "offset_ms", 0),
                            "duration_ms": duration_ms, "detail": ""})
        return event_id

    def _send_events(self):
        if not self.events:
            return
        batch = list(self.events)
        with self.client.post(self.proctor["events_url"], name="events", json={"events": batch}, catch_response=True,
                              headers={"X-CSRFToken": self.csrf}) as response:
            self._note(response)
            data = _json(response) if response.status_code else None
            if data is None or response.status_code != 200 or data.get("error"):
                response.failure(_why(response))
                return
            stored = set(data.get("stored") or [])
            self.rec["events_acked"] += len(stored)
            self.events = [e for e in self.events if e["id"] not in stored]

    def _leave_and_return(self):
        """The examinee switches away for a few seconds before the reload: the page's two events
        and the incident snapshot taken when the page is hidden."""
        hidden = self._record("page_hidden")
        self._take("page_hidden", hidden)
        gevent.sleep(random.uniform(2, 6))
        self._record("page_visible", 4000)
        self._send_events()

    # ---------------------------------------------------------------- the day

    @task
    def exam_day(self):
        try:
            self._day()
        finally:
            self.rec["pending_end"] = len(self.pending)
            self.rec["upstreams"] = dict(self.rec["upstreams"])
            _records.append(self.rec)
            _state["finished"] += 1
            if _state["finished"] >= _state["expected"]:
                gevent.spawn_later(1, self.environment.runner.quit)
        raise StopUser()

    def _login(self) -> bool:
        for _attempt in range(5):
            html = self._page("/accounts/candidate/login/", "login page")
            if html is not None:
                key = CAPTCHA_RE.search(html).group(1)
                self._page(f"/captcha/image/{key}/", "captcha image")
                form = {"csrfmiddlewaretoken": CSRF_INPUT_RE.search(html).group(1), "id_type": WORLD["id_type"],
                        "id_number": self.me["id_number"], "password": WORLD["password"], "captcha_0": key,
                        "captcha_1": "PASSED"}
                with self.client.post("/accounts/candidate/login/", name="login", data=form, catch_response=True,
                                      allow_redirects=False) as response:
                    self._note(response)
                    if response.status_code == 302:
                        return self._page(response.headers["Location"], "my exams") is not None
                    response.failure(_why(response))
            gevent.sleep(5)
        return False

    def _consent(self, html):
        form = {"csrfmiddlewaretoken": CSRF_INPUT_RE.search(html).group(1),
                "version": CONSENT_VERSION_RE.search(html).group(1), "camera": "yes", "behaviour": "yes"}
        with self.client.post(CONSENT_RE.search(html).group(1), name="consent", data=form, catch_response=True,
                              allow_redirects=False) as response:
            self._note(response)
            if response.status_code != 302:
                response.failure(_why(response))
                gevent.sleep(3)

    def _start(self) -> bool:
        for _attempt in range(10):
            html = self._page(f"/exams/sit/{self.me['registration']}/", "entry page")
            if html is not None:
                if CONFIG_RE.search(html):  # already started (a retried start that had gone through)
                    return self._exam_page("exam page")
                if CONSENT_RE.search(html) and 'data-testid="consent-complete"' not in html:
                    # 继续教育(线上) is remotely proctored: both purposes consented first (the entry
                    # page's form, proctoring/templates/proctoring/_consent.html)
                    self._consent(html)
                    continue
                token = CSRF_INPUT_RE.search(html)
                with self.client.post(f"/exams/sit/{self.me['registration']}/start/", name="start",
                                      data={"csrfmiddlewaretoken": token.group(1) if token else ""},
                                      catch_response=True, allow_redirects=False) as response:
                    self._note(response)
                    if response.status_code == 302:
                        if self._exam_page("exam page"):
                            return True
                    else:
                        response.failure(_why(response))
            gevent.sleep(3)
        return False

    def _day(self):
        _sleep_until(self.login_at)
        self.rec["phase"] = "login"
        if not self._login():
            return
        _sleep_until(self.start_at)
        self.rec["phase"] = "start"
        if not self._start():
            return
        self.rec["phase"] = "exam"
        next_answer = time.time() + ANSWER_EVERY * random.uniform(0.5, 1.5)
        reloaded = False
        while True:
            now = time.time()
            if now >= self.submit_at:
                break
            if not reloaded and now >= self.reload_at:
                if self.proctor and not getattr(self, "left_once", False):
                    self.left_once = True
                    self._leave_and_return()
                # a reload that gets no page is tried again, as an examinee presses F5 again
                reloaded = self._exam_page("reload")
                if not reloaded:
                    self.reload_at = now + 3
                continue
            if self.next_flush is not None and now >= self.next_flush:
                self._flush()
                continue
            if now >= self.next_sync:
                self._sync()
                continue
            if now >= next_answer:
                self._answer()
                next_answer = now + ANSWER_EVERY * random.uniform(0.75, 1.25)
                continue
            if self.next_shot is not None and now >= self.next_shot:
                self.next_shot = now + self.proctor["interval_seconds"]
                self._take("periodic")
                continue
            if self.next_shot_retry is not None and now >= self.next_shot_retry:
                self._send_shots()
                continue
            moments = [m for m in (self.next_flush, self.next_sync, next_answer, self.submit_at,
                                   None if reloaded else self.reload_at, self.next_shot, self.next_shot_retry)
                       if m is not None]
            gevent.sleep(max(0.0, min(moments) - time.time()))
        self.rec["phase"] = "submit"
        if self.proctor:
            self._send_events()
            self._send_shots()
        # 交卷; if it cannot go through (network down) the examinee clicks again until the server closes
        while time.time() < PLAN["ends_at"] + 55:
            if self._submit():
                self.rec["phase"] = "done"
                return
            gevent.sleep(min(self.retry_delay, 5.0))


class FloorUser(FastHttpUser):
    """The floor, during the exam: the same servers answering one indexed write, no exam logic."""

    wait_time = constant(0)
    fixed_count = int(os.environ.get("BENCH_LOAD_FLOOR_USERS", "4"))
    pace = float(os.environ.get("BENCH_LOAD_FLOOR_PACE", "0.5"))

    @task
    def floor(self):
        _sleep_until(PLAN["starts_at"])
        while time.time() < PLAN["ends_at"] and _state["finished"] < _state["expected"]:
            began = time.time()
            self.client.post(f"/bench/floor/{WORLD['floor_attempt']}/", name="floor")
            gevent.sleep(max(0.0, self.pace - (time.time() - began)))
        raise StopUser()
