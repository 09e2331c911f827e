// The `rdns-monitoring` alert group. Expressions are formatted with c.params: the selector
// (%(s)s: `{selector}` or nothing; %(m)s: `selector, ` or nothing) and the thresholds of
// _config. helpers.rule adds `for` overrides and runbook_url; helpers.withTarget the `target`
// join of a per-IP alert. A `comment::` goes above its rule in the rendered YAML.
local helpers = import 'helpers.libsonnet';
local rule = helpers.rule;

function(c) {
  name: 'rdns-monitoring',
  rules: [
    rule(c, {
      alert: 'RdnsLookupsFailing',
      comment:: |||
        The resolver is in trouble: more than half of the exporter's IPs get servfail/timeout/
        refused/error/bogus for their PTR or for the A/AAAA lookups of their PTR names (bogus
        for most IPs at once: the resolver's clock, or a validating forwarder in the way; not
        while RdnsTrustAnchorInvalid says the anchors themselves are the cause). One alert
        per exporter and failure kind, not per IP. A target counts once whether its PTR
        lookup or its forward lookups fail (`or` matches on the labels without the metric
        name). Failures of a minority of IPs are their zones' problem, not the resolver's:
        RdnsZoneLookupsFailing (team mail) reports those after 2h. Verdicts stay at their
        last decisive values during an outage, so no record alert starts or stops because
        of it. The share is of the checked IPs (rdns_target_ips, which every series mode
        writes; see RdnsZoneLookupsFailing).
      |||,
      expr: |||
        sum by (job, instance, status) (
            rdns_ptr_lookup_status{%(m)sstatus=~"servfail|timeout|refused|error|bogus"} == 1
          or
            rdns_forward_lookup_status{%(m)sstatus=~"servfail|timeout|refused|error|bogus"} == 1
        ) > 0
        and on(job, instance)
        (
            count by (job, instance) (
              max without(status) (
                  rdns_ptr_lookup_status{%(m)sstatus=~"servfail|timeout|refused|error|bogus"} == 1
                or
                  rdns_forward_lookup_status{%(m)sstatus=~"servfail|timeout|refused|error|bogus"} == 1
              )
            )
          /
            (
                sum by (job, instance) (rdns_target_ips{%(m)sresult!="pending"})
              or
                count by (job, instance) (rdns_ptr_lookup_status%(s)s == 1)
            )
          > %(lookupsFailingShare)s
        )
        unless on(job, instance) (rdns_resolver_trust_anchor_valid%(s)s == 0)
      ||| % c.params,
      'for': '10m',
      labels: {
        severity: 'warning',
        team: 'infra',
      },
      annotations: {
        summary: 'rDNS lookups fail on {{ $labels.instance }} ({{ $labels.status }})',
        description: std.join(' ', [
          '{{ $value }} of {{ with printf "rdns_targets{job=%q,instance=%q}" $labels.job',
          '$labels.instance | query }}{{ . | first | value }}{{ else }}?{{ end }} targets of {{',
          '$labels.instance }} get {{ $labels.status }} for their PTR or A/AAAA lookups. Their',
          'verdicts stay those of their last decisive answer until lookups succeed again',
          '(rdns_verdict_timestamp_seconds says when); nothing new is learnt meanwhile.',
        ]),
        runbook: std.join(' ', [
          'Check the resolver the exporter uses ([resolver] in its config: system resolv.conf,',
          'forwarders, or recursion from the root) and the network path to it (`dig -x <ip>',
          '@<resolver>`).',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsTrustAnchorInvalid',
      comment:: |||
        The exporter's DNSSEC trust anchors do not validate the root's DNSKEY set (a stale
        anchor after a root KSK roll, a clock far off, a validating middlebox): every answer
        is bogus, so no IP gets a new verdict. One alert per exporter; RdnsDnssecBogus and
        RdnsLookupsFailing stay silent meanwhile, and the verdicts keep their last values.
      |||,
      expr: 'rdns_resolver_trust_anchor_valid%(s)s == 0' % c.params,
      'for': '5m',
      labels: {
        severity: 'critical',
        team: 'infra',
      },
      annotations: {
        summary: 'rdns_exporter on {{ $labels.instance }} cannot validate the DNS root (DNSSEC trust anchors)',
        description: std.join(' ', [
          'The DNSSEC trust anchors of {{ $labels.instance }} ({{ with printf',
          '"rdns_resolver_trust_anchor_info{job=%q,instance=%q}" $labels.job $labels.instance | query',
          '}}{{ with first . }}source {{ .Labels.source }}, key tags {{ .Labels.key_tags }}{{ end',
          "}}{{ else }}unknown{{ end }}) do not validate the root zone's keys, so every lookup is",
          "bogus and no IP gets a new verdict; the last verdicts are kept. This is the exporter's",
          'resolver, not your PTR zones.',
        ]),
        runbook: std.join(' ', [
          "The exporter's log names the anchors in use. Without [resolver] trust_anchor_file:",
          "install or update Debian's dns-root-data package (/usr/share/dns/root.key), or run",
          'with --storage.path so RFC 5011 follows root key rolls. With trust_anchor_file: put',
          "the root's current KSK in that file. Check the host's clock too.",
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsChecksStale',
      comment:: |||
        An IP not checked for two check intervals plus the check timeout plus a minute of
        slack, from the exporter's own rdns_check_interval_seconds / rdns_check_timeout_seconds
        (so interval = "1h" is not stale after 15 minutes).
        Passing IPs of a series = "failing" entry have no rdns_last_check_timestamp_seconds:
        for them the entry's oldest check (rdns_target_oldest_check_timestamp_seconds) counts,
        and the value is then the number of stale entries rather than IPs.
      |||,
      expr: |||
        count by (job, instance) (
            time() - rdns_last_check_timestamp_seconds%(s)s
          > on(job, instance) group_left()
            (2 * rdns_check_interval_seconds%(s)s + rdns_check_timeout_seconds%(s)s + %(staleSlackSeconds)s)
        ) > 0
        or
        count by (job, instance) (
            time() - rdns_target_oldest_check_timestamp_seconds%(s)s
          > on(job, instance) group_left()
            (2 * rdns_check_interval_seconds%(s)s + rdns_check_timeout_seconds%(s)s + %(staleSlackSeconds)s)
        ) > 0
      ||| % c.params,
      'for': '5m',
      labels: {
        severity: 'warning',
        team: 'infra',
      },
      annotations: {
        summary: 'rDNS checks on {{ $labels.instance }} are stale',
        description: std.join(' ', [
          '{{ $value }} targets of {{ $labels.instance }} were not checked for more than two check',
          'intervals ({{ with printf "rdns_check_interval_seconds{job=%q,instance=%q}" $labels.job',
          '$labels.instance | query }}{{ . | first | value | humanizeDuration }}{{ else }}?{{ end }}',
          'each). Their verdicts are out of date.',
        ]),
        runbook: std.join(' ', [
          "The scheduler is stuck or overloaded: look at the exporter's log, its",
          'rdns_check_duration_seconds and [schedule] concurrency/timeout; restart it if needed',
          '(`systemctl restart rdns_exporter`).',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsExporterDown',
      comment:: |||
        Whatever the job is called (kubernetes-service-endpoints, a ServiceMonitor's service
        name, a static job): a scrape target is an rdns_exporter when it served rdns_build_info
        within _config.exporterMemory. A failing target of the same job that never did (another
        service behind the same annotations) is not ours and never fires this.
      |||,
      expr: |||
        (up%(s)s == 0)
        and on(job, instance)
        present_over_time(rdns_build_info%(s)s[%(exporterMemory)s])
      ||| % c.params,
      'for': '5m',
      labels: {
        severity: 'warning',
        team: 'infra',
      },
      annotations: {
        summary: 'rdns_exporter {{ $labels.instance }} is down',
        description: std.join(' ', [
          'Prometheus cannot scrape {{ $labels.instance }} (job {{ $labels.job }}): reverse DNS of',
          'the sending IPs is not being watched.',
        ]),
        runbook: std.join(' ', [
          "Check the service (`systemctl status rdns_exporter`, the pod's events and logs) and that",
          'it listens on the scraped address (default :9781).',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsExporterAbsent',
      comment:: |||
        No target delivers rdns_build_info: every exporter is down, or service discovery lost
        them all (a pod that is not Ready leaves its Service's endpoints, so its target vanishes
        instead of failing). Any job name works; _config.selector narrows it down.
      |||,
      expr: 'absent(rdns_build_info%(s)s)' % c.params,
      'for': '15m',
      labels: {
        severity: 'warning',
        team: 'infra',
      },
      annotations: {
        summary: 'No rdns_exporter is being scraped',
        description: std.join(' ', [
          'Prometheus scrapes no target that serves rdns_build_info: every exporter is down, or',
          'service discovery or the scrape configuration lost them.',
        ]),
        runbook: std.join(' ', [
          "Check Prometheus' /targets page for the exporter (its Service's prometheus.io/*",
          'annotations, the ServiceMonitor or PodMonitor and the label your Prometheus selects them',
          "by, or the static job), and the pods' events and logs.",
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsConfigReloadFailing',
      expr: 'rdns_config_last_reload_successful%(s)s == 0' % c.params,
      'for': '5m',
      labels: {
        severity: 'warning',
        team: 'infra',
      },
      annotations: {
        summary: 'rdns_exporter {{ $labels.instance }} rejected its new configuration',
        description: std.join(' ', [
          'The last reload of {{ $labels.instance }} failed; it keeps running the previous',
          'configuration, so recent target changes are not in effect.',
        ]),
        runbook: std.join(' ', [
          "Run `rdns_exporter check --config.file=<file> <ip>` or read the exporter's log: the error",
          'names the file, line and key. Fix it, then reload (SIGHUP or `curl -X POST',
          'http://<host>:9781/-/reload`).',
        ]),
      },
    }),
  ],
}
