#!/usr/bin/python3
"""End-to-end: record alerts over a flaky path to the name servers, real programs on loopback:

  DNS world (Knot) <- FlakyDnsProxy (this file) <- libunbound in rdns_exporter (real binary)
  <- Prometheus (Debian `prometheus`, the shipped deploy/prometheus/rdns_alerts.yml)

The proxy sits between libunbound and the world's authoritative servers (UDP and TCP) and
drops every other lookup of each question, deterministically (see FlakyDnsProxy), so lookups
regularly time out or SERVFAIL. The exporter keeps an IP's verdict gauges at their last decisive values while its
lookups fail, and the record rules never look at the lookup status, so:

1. the proxy really causes failures: rdns_ptr_lookup_status shows timeout/servfail at some
   scrapes (of the agent and in Prometheus) and rdns_dns_queries_total{result="timeout"} grows;
2. RdnsPtrMissing for the IP without PTR (authoritative NXDOMAIN) fires and STAYS firing over
   the whole observation window: never pending or inactive again, its activeAt
   (ALERTS_FOR_STATE) never moves, and rdns_ptr_present of that IP is 0 at every 1 s step of
   Prometheus' query_range (the series never vanished);
3. the healthy IPs (192.0.2.10: PTR, A back, expected and HELO name all right; 192.0.2.24: 40
   PTRs, answered over TCP) never have a record alert, pending included, their lookups fail
   now and then, and their verdict gauges are 1 at every step (none vanishes either);
4. an IP whose lookups never succeed (the world's dead delegation) never gets a verdict gauge
   or a record alert.

Rules: every `for:` is the shipped window with minutes read as seconds (RdnsPtrMissing 15m ->
15s, as alerting_stack.py's "scaled"), and `keep_firing_for` is removed: it would hide a
series vanishing for an evaluation or two, which is what this test must catch.

Prints how many answers the proxy dropped, how long until firing, and for how many rule
evaluations the alert stayed firing. About 75 s. Standard library (plus python3-yaml,
through alerting_stack.py); loopback only; every process started is stopped, also on failure.

usage: flaky_resolver_e2e.py RDNS_EXPORTER
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import alerting_stack as st  # noqa: E402
from alerting_stack import GOOD_IP, GOOD_NAME, MISSING_IP  # noqa: E402
from e2e_support import DnsRelay, Failure, expect, http_get, log, question_key, wait_for  # noqa: E402

import yaml  # noqa: E402  (already needed by alerting_stack.py)

NEVER_DECIDED_IP = "198.51.100.66"  # delegated to a loopback address where nothing listens
TCP_IP = "192.0.2.24"  # 40 PTRs, 2.6 kB: truncated over UDP, so libunbound asks again over TCP
FAILED = ("servfail", "timeout", "refused", "error")
WINDOW = 50            # seconds of observation once RdnsPtrMissing fires
MIN_FAILED_SCRAPES = 3  # the missing IP's lookup must have failed at least this often meanwhile

# Verdict gauges of the healthy IPs that must stay 1 (GOOD_IP has expected_hostname and
# helo_hostname).
GOOD_VERDICTS = ("rdns_check_success", "rdns_ptr_present", "rdns_fcrdns_pass", "rdns_ptr_hostname_valid",
                 "rdns_expected_hostname_match", "rdns_helo_match")
HEALTHY = {GOOD_IP: GOOD_VERDICTS, TCP_IP: GOOD_VERDICTS[:4]}
# Gauges that exist only after a decisive answer: never for the never-decided IP.
VERDICT_FAMILIES = GOOD_VERDICTS + ("rdns_generic_hostname", "rdns_ptr_records", "rdns_fcrdns_confirmed_names",
                                    "rdns_verdict_timestamp_seconds", "rdns_ptr_info")


# -- the flaky proxy ---------------------------------------------------------------------------

class FlakyDnsProxy(DnsRelay):
    """A DNS relay (one listening port per upstream server) that drops every other LOOKUP of
    each question entirely.

    Dropping every other answer is not enough: libunbound retransmits a lost query within tens
    of milliseconds, the retry gets its answer, and the lookup merely takes a little longer (a
    run with that policy saw no PTR lookup fail at all). So the answers of each question
    (name, type) are dropped in alternate rounds: a round is the queries for that question
    within ROUND seconds of its first one (all retransmissions of one lookup: ROUND is longer
    than the agent's check timeout and shorter than its interval). Rounds 1, 3, 5, ... are
    answered, rounds 2, 4, 6, ... get no answer at all, retransmissions included, so every
    other lookup of every name times out (or libunbound gives up with SERVFAIL). No randomness:
    which answers are dropped follows from the order and spacing of the queries alone.
    Runs in daemon threads of the test process, so it dies with it."""

    ROUND = 1.5
    tcp_keep_open_on_silence = True  # a dropped TCP answer is silence, not a closed connection

    def __init__(self, upstreams, host=None):
        super().__init__(upstreams, host or st.dns_world.loopback_address(2))
        self._rounds = {}      # (qname, qtype) -> [start (monotonic), round number]
        self.answers = 0       # answers received from the upstreams
        self.dropped = 0       # ... of which thrown away
        self.rounds = 0        # lookups (rounds) seen, all questions
        self.dropped_rounds = 0
        self.by_transport = {"udp": [0, 0], "tcp": [0, 0]}  # [relayed, dropped]
        self.dropped_names = {}  # (qname, qtype) -> how many of its answers were dropped

    def answer(self, query, transport, upstream):
        answer = self.forward(query, transport, upstream)
        if answer is None or self._drop(transport, query):
            return None
        return answer

    def _drop(self, transport, query):
        """Counts an answer; True when it is to be thrown away (its question's round is even)."""
        key = question_key(query)
        now = time.monotonic()
        with self._lock:
            r = self._rounds.get(key)
            if r is None or now - r[0] > self.ROUND:
                r = self._rounds[key] = [now, (r[1] + 1) if r else 1]
                self.rounds += 1
                if r[1] % 2 == 0:
                    self.dropped_rounds += 1
            drop = r[1] % 2 == 0
            self.answers += 1
            self.by_transport[transport][1 if drop else 0] += 1
            if drop:
                self.dropped += 1
                self.dropped_names[key] = self.dropped_names.get(key, 0) + 1
            return drop

    def rewrite_unbound_conf(self, src, dst):
        """The world's unbound.conf with every stub-addr pointing at the proxy instead."""
        with open(src) as f:
            text = f.read()

        def repl(m):
            port = self.listen.get((m.group(2), int(m.group(3))))
            if port is None:
                raise RuntimeError("no proxy listener for %s@%s" % (m.group(2), m.group(3)))
            return "%s%s@%d" % (m.group(1), self.host, port)

        out, n = re.subn(r"^(\s*stub-addr:\s*)([0-9.]+)@(\d+)\s*$", repl, text, flags=re.M)
        if n == 0:
            raise RuntimeError("no stub-addr in %s" % src)
        expect("do-not-query-localhost: no" in out, "the world's unbound.conf must allow loopback servers")
        with open(dst, "w") as f:
            f.write("# generated by flaky_resolver_e2e.py: the DNS world's stubs through the flaky proxy\n")
            f.write(out)
        return n


# -- the stack with the proxy in the resolver path ----------------------------------------------

def scaled_rules_without_keep_firing(src, dst):
    """The shipped rules, every `for:` scaled (minutes read as seconds), no keep_firing_for."""
    with open(src) as f:
        doc = yaml.safe_load(f)
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            if "for" in rule:
                rule["for"] = st.scaled_duration(rule["for"])
            rule.pop("keep_firing_for", None)
    with open(dst, "w") as f:
        f.write("# Generated from %s: for: scaled (minutes -> seconds), keep_firing_for removed (tests only).\n"
                % os.path.basename(src))
        yaml.safe_dump(doc, f, sort_keys=False)
    return doc


def record_alert_names(doc):
    """The per-IP alerts about a record's verdict: group rdns-records, except the one about
    failing lookups (RdnsZoneLookupsFailing may legitimately be pending here)."""
    for group in doc["groups"]:
        if group["name"] == "rdns-records":
            return [r["alert"] for r in group["rules"]
                    if "alert" in r and r["alert"] != "RdnsZoneLookupsFailing"]
    raise Failure("no rdns-records group in the rules")


class FlakyStack(st.Stack):
    def __init__(self, agent):
        super().__init__(agent, interval="2s", timeout="1s", with_alertmanager=False)
        self.proxy = None
        self.rules_doc = None

    def write_rules(self, dst):
        self.rules_doc = scaled_rules_without_keep_firing(st.RULES, dst)

    def _start_agent(self):
        w = self.world_info
        # every server a stub zone names (Knot, tiny_auth.py, the RFC 2317 child's server)
        with open(w["unbound_config_file"]) as f:
            upstreams = sorted({(h, int(p)) for h, p in re.findall(r"^\s*stub-addr:\s*([0-9.]+)@(\d+)\s*$",
                                                                   f.read(), re.M)})
        self.proxy = FlakyDnsProxy(upstreams).start()
        self.unbound_conf = os.path.join(self.dir, "unbound-flaky.conf")
        stubs = self.proxy.rewrite_unbound_conf(w["unbound_config_file"], self.unbound_conf)
        log(f"flaky proxy on {self.proxy.host} ({stubs} stub zones through it)")
        super()._start_agent()

    def agent_config(self):
        return f"""# generated by tests/e2e/flaky_resolver_e2e.py
[resolver]
mode = "recursive"
unbound_config_file = "{self.unbound_conf}"

[schedule]
interval = "{self.interval}"
timeout = "{self.timeout}"
concurrency = 8

[[targets]]
ip = "{GOOD_IP}"
expected_hostname = "{GOOD_NAME}"
helo_hostname = "{GOOD_NAME}"

[[targets]]
ip = "{MISSING_IP}"

[[targets]]
ip = "{TCP_IP}"

[[targets]]
ip = "{NEVER_DECIDED_IP}"
"""

    def stop(self):
        try:
            super().stop()
        finally:
            if self.proxy is not None:
                self.proxy.stop()


# -- helpers ------------------------------------------------------------------------------------

def agent_scrape(stack):
    """{(name, frozenset(labels)): value} of the agent's /metrics."""
    _, text = http_get(f"{stack.agent_url}/metrics")
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        if m:
            labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


def ptr_status(scrape, ip):
    for (name, labels), v in scrape.items():
        d = dict(labels)
        if name == "rdns_ptr_lookup_status" and d.get("ip") == ip and v == 1:
            return d["status"]
    return None


def queries_by_result(scrape):
    totals = {}
    for (name, labels), v in scrape.items():
        if name == "rdns_dns_queries_total":
            r = dict(labels)["result"]
            totals[r] = totals.get(r, 0) + v
    return totals


def rule_group_iterations(stack, group):
    """prometheus_rule_group_iterations_total of one rule group, from Prometheus' own /metrics."""
    _, text = http_get(f"{stack.prom_url}/metrics")
    for line in text.splitlines():
        if line.startswith("prometheus_rule_group_iterations_total{") and f';{group}"' in line:
            return float(line.rsplit(" ", 1)[1])
    raise Failure(f"no prometheus_rule_group_iterations_total for {group}")


def query_range(stack, expr, start, end):
    """{frozenset(labels): [(t, value)]} at a 1 s step."""
    data = stack.prom_api("query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}", step="1s")
    return {frozenset(r["metric"].items()): [(float(t), float(v)) for t, v in r["values"]]
            for r in data["result"]}


def steps(start, end):
    """The evaluation times of query_range(start, end, 1s)."""
    n = int((end - start) // 1) + 1
    return [start + i for i in range(n)]


def scrape_note(stack, start, end):
    """A note on failed scrapes of the agent between start and end (each one marks every series
    stale, which no verdict-keeping can prevent), or ""."""
    try:
        down = query_range(stack, 'up{job="rdns"} == 0', start, end)
    except (st.PromQLError, OSError):
        return ""
    n = sum(len(v) for v in down.values())
    return f" (and {n} steps where the last scrape of the agent had failed: overloaded machine?)" if n else ""


def only_series(result, what):
    expect(len(result) == 1, f"{what}: expected one series, got {len(result)}: {list(result)}")
    return next(iter(result.values()))


# -- the test ---------------------------------------------------------------------------------

def run(stack):
    t0 = time.time()
    record_alerts = record_alert_names(stack.rules_doc)
    record_re = "|".join(record_alerts)
    before = agent_scrape(stack)

    # ---- RdnsPtrMissing fires despite the flaky path ----------------------------------------
    wait_for(f"a decisive answer for {MISSING_IP} in Prometheus",
             lambda: stack.query(f'rdns_ptr_present{{ip="{MISSING_IP}"}} == 0'), 60)
    t_decided = time.time()
    try:
        wait_for(f"RdnsPtrMissing for {MISSING_IP} to fire",
                 lambda: stack.prom_alerts(alertname="RdnsPtrMissing", ip=MISSING_IP, alertstate="firing"), 90)
    except TimeoutError as e:
        # Why: a `for:` timer reset by failed lookups, or the series vanishing.
        now = time.time()
        starts = {v for vals in query_range(stack, f'ALERTS_FOR_STATE{{alertname="RdnsPtrMissing",ip="{MISSING_IP}"}}',
                                            t_decided, now).values() for _, v in vals}
        present = query_range(stack, f'rdns_ptr_present{{ip="{MISSING_IP}"}}', t_decided, now)
        seen = sum(len(v) for v in present.values())
        raise Failure(f"{e}: the `for:` timer started {len(starts)} times, rdns_ptr_present present at {seen} "
                      f"of {len(steps(t_decided, now))} steps{scrape_note(stack, t_decided, now)}") from None
    t_firing = time.time()
    log(f"RdnsPtrMissing firing {t_firing - t0:.1f}s after the stack was up, "
        f"{t_firing - t_decided:.1f}s after Prometheus saw the first NXDOMAIN verdict (for: 15s)")
    iterations_at_firing = rule_group_iterations(stack, "rdns-records")

    # ---- observation window ------------------------------------------------------------------
    statuses = {ip: {} for ip in (GOOD_IP, TCP_IP, MISSING_IP, NEVER_DECIDED_IP)}
    polls = 0
    end = time.monotonic() + WINDOW
    while time.monotonic() < end:
        stack.check_alive()
        polls += 1
        missing = stack.prom_alerts(alertname="RdnsPtrMissing", ip=MISSING_IP)
        if [a["alertstate"] for a in missing] != ["firing"]:
            raise Failure(f"RdnsPtrMissing for {MISSING_IP} left firing: {missing}"
                          f"{scrape_note(stack, t_firing, time.time())}")
        for ip in (*HEALTHY, NEVER_DECIDED_IP):
            bad = [a for a in stack.query(f'ALERTS{{ip="{ip}",alertname=~"{record_re}"}}')]
            expect(not bad, f"record alert for {ip}: {[b['metric'] for b in bad]}")
        scrape = agent_scrape(stack)
        for ip in statuses:
            s = ptr_status(scrape, ip)
            statuses[ip][s] = statuses[ip].get(s, 0) + 1
        time.sleep(1)
    t_end = time.time()
    after = agent_scrape(stack)
    iterations = rule_group_iterations(stack, "rdns-records") - iterations_at_firing
    log(f"window of {WINDOW}s: {polls} polls; PTR lookup status seen at the agent's /metrics: {statuses}")

    # ---- 1. the proxy made lookups fail ------------------------------------------------------
    q0, q1 = queries_by_result(before), queries_by_result(after)
    grown = {r: q1.get(r, 0) - q0.get(r, 0) for r in q1 if q1.get(r, 0) - q0.get(r, 0) > 0}
    log(f"rdns_dns_queries_total grew by result over the run: {grown}")
    expect(grown.get("timeout", 0) > 0, f"rdns_dns_queries_total{{result=\"timeout\"}} did not grow: {grown}")
    failed_polls = sum(n for s, n in statuses[MISSING_IP].items() if s in FAILED)
    expect(failed_polls >= MIN_FAILED_SCRAPES,
           f"the PTR lookup of {MISSING_IP} failed at only {failed_polls} of {polls} polls: the proxy does not bite")
    expect(statuses[MISSING_IP].get("nxdomain", 0) > 0,
           f"the PTR lookup of {MISSING_IP} never succeeded during the window: {statuses[MISSING_IP]}")
    failed_prom = stack.query(f'count_over_time((rdns_ptr_lookup_status{{ip="{MISSING_IP}",'
                              f'status=~"{"|".join(FAILED)}"}} == 1)[{int(t_end - t_decided)}s:1s])')
    expect(failed_prom, f"Prometheus never recorded a failed PTR lookup of {MISSING_IP}")

    # ---- 2. RdnsPtrMissing never left firing, rdns_ptr_present never vanished ---------------
    start = float(int(t_firing) + 1)
    expected_steps = steps(start, t_end)
    firing = only_series(query_range(stack, f'ALERTS{{alertname="RdnsPtrMissing",ip="{MISSING_IP}",'
                                            f'alertstate="firing"}}', start, t_end), "ALERTS firing")
    missing_steps = sorted(set(expected_steps) - {t for t, _ in firing})
    expect(not missing_steps, f"RdnsPtrMissing not firing at {len(missing_steps)} of "
           f"{len(expected_steps)} steps: {missing_steps[:10]}{scrape_note(stack, start, t_end)}")
    pending = query_range(stack, f'ALERTS{{alertname="RdnsPtrMissing",ip="{MISSING_IP}",alertstate="pending"}}',
                          start, t_end)
    expect(not pending, f"RdnsPtrMissing went back to pending: {pending}")
    active_at = {v for _, v in only_series(query_range(
        stack, f'ALERTS_FOR_STATE{{alertname="RdnsPtrMissing",ip="{MISSING_IP}"}}', start, t_end),
        "ALERTS_FOR_STATE")}
    expect(len(active_at) == 1, f"the `for:` timer of RdnsPtrMissing was reset: activeAt values {active_at}")
    present_start = float(int(t_decided) + 1)
    present = only_series(query_range(stack, f'rdns_ptr_present{{ip="{MISSING_IP}"}}', present_start, t_end),
                          "rdns_ptr_present")
    gaps = sorted(set(steps(present_start, t_end)) - {t for t, _ in present})
    expect(not gaps, f"rdns_ptr_present of {MISSING_IP} vanished at {len(gaps)} steps: {gaps[:10]}"
           f"{scrape_note(stack, present_start, t_end)}")
    expect(all(v == 0 for _, v in present), f"rdns_ptr_present of {MISSING_IP} not always 0: "
           f"{sorted({v for _, v in present})}")
    log(f"RdnsPtrMissing firing at all {len(expected_steps)} steps (1s) of the window, "
        f"activeAt unchanged, {iterations:.0f} rule evaluations while firing; rdns_ptr_present = 0 at all "
        f"{len(present)} steps since the first verdict")

    # ---- 3. the healthy IPs: verdicts kept at 1, no record alert ever ------------------------
    good_start = float(int(t0) + 1)
    for ip, families in HEALTHY.items():
        for family in families:
            values = only_series(query_range(stack, f'{family}{{ip="{ip}"}}', good_start, t_end), f"{family} of {ip}")
            first = values[0][0]
            gaps = sorted(set(steps(first, t_end)) - {t for t, _ in values})
            expect(not gaps, f"{family} of {ip} vanished at {len(gaps)} steps after its first verdict: "
                   f"{gaps[:10]}{scrape_note(stack, first, t_end)}")
            expect(all(v == 1 for _, v in values), f"{family} of {ip} not always 1: {sorted({v for _, v in values})}")
        alerts = query_range(stack, f'ALERTS{{ip="{ip}",alertname=~"{record_re}"}}', good_start, t_end)
        expect(not alerts, f"record alerts for the healthy {ip}: {[dict(k) for k in alerts]}")
        failed = {}
        for kind in ("ptr", "forward"):
            failing = f'rdns_{kind}_lookup_status{{ip="{ip}",status=~"{"|".join(FAILED)}"}} == 1'
            r = stack.query(f'count_over_time(({failing})[{int(t_end - good_start)}s:1s])')
            failed[kind] = int(float(r[0]["value"][1])) if r else 0
        expect(failed["ptr"] + failed["forward"] > 0, f"the lookups of {ip} never failed: the proxy does not bite")
        log(f"{ip}: {', '.join(families)} = 1 at every step, no record alert; Prometheus steps with a failed "
            f"PTR lookup: {failed['ptr']}, with a failed A lookup: {failed['forward']}")
    expect(stack.proxy.by_transport["tcp"][0] > 0, f"no answer relayed over TCP: {stack.proxy.by_transport}")

    # ---- 4. the never-decided IP: no verdict, no record alert ---------------------------------
    verdicts = query_range(stack, f'{{__name__=~"{"|".join(VERDICT_FAMILIES)}",ip="{NEVER_DECIDED_IP}"}}',
                           good_start, t_end)
    expect(not verdicts, f"verdict gauges for the never-decided {NEVER_DECIDED_IP}: {[dict(k) for k in verdicts]}")
    nd_alerts = query_range(stack, f'ALERTS{{ip="{NEVER_DECIDED_IP}",alertname=~"{record_re}"}}', good_start, t_end)
    expect(not nd_alerts, f"record alerts for the never-decided {NEVER_DECIDED_IP}: {[dict(k) for k in nd_alerts]}")
    expect(set(statuses[NEVER_DECIDED_IP]) <= set(FAILED),
           f"{NEVER_DECIDED_IP} had a non-failure status: {statuses[NEVER_DECIDED_IP]}")
    log(f"{NEVER_DECIDED_IP}: never a verdict gauge nor a record alert ({statuses[NEVER_DECIDED_IP]})")

    p = stack.proxy
    others = sorted({a["alertname"] + "/" + a["alertstate"] for a in stack.prom_alerts()})
    log(f"proxy: {p.rounds} lookups (rounds), {p.dropped_rounds} of them dropped; "
        f"{p.answers} answers from the name servers, {p.dropped} dropped "
        f"(udp relayed/dropped {p.by_transport['udp']}, tcp {p.by_transport['tcp']}); "
        f"alerts at the end: {others}")
    top = sorted(p.dropped_names.items(), key=lambda kv: -kv[1])[:5]
    log(f"most dropped questions: {[(k[0] if k else '?', k[1] if k else '?', n) for k, n in top]}")
    return {"dropped": p.dropped, "answers": p.answers, "to_firing": t_firing - t0,
            "evaluations": iterations}


def diagnostics(stack):
    print("Prometheus ALERTS:", stack.prom_alerts())
    print("agent lookup status:", [(r["metric"].get("ip"), r["metric"].get("status"))
                                   for r in stack.query("rdns_ptr_lookup_status == 1")])
    if stack.proxy:
        print(f"proxy: {stack.proxy.answers} answers, {stack.proxy.dropped} dropped")


def main():
    agent, status = st.agent_from_argv(__doc__)
    if agent is None:
        return status
    return st.run_stack_test("flaky resolver end-to-end", FlakyStack(agent), run, diagnostics)


if __name__ == "__main__":
    sys.exit(main())
