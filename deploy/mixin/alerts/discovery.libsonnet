// The `rdns-discovery` alert group. Expressions are formatted with c.params: the selector
// (%(s)s: `{selector}` or nothing; %(m)s: `selector, ` or nothing) and the thresholds of
// _config. helpers.rule adds `for` overrides and runbook_url; helpers.withTarget the `target`
// join of a per-IP alert. A `comment::` goes above its rule in the rendered YAML.
local helpers = import 'helpers.libsonnet';
local rule = helpers.rule;

function(c) {
  name: 'rdns-discovery',
  rules: [
    rule(c, {
      alert: 'RdnsEgressAddressChanged',
      comment:: |||
        [[targets]] discover = "egress": the public address this host's mail leaves from
        changed in the last day (the exporter does not count the first discovery after its
        start). A sending address that changes is a dynamic one, and receivers distrust those.
      |||,
      expr: 'increase(rdns_egress_ip_changes_total%(s)s[1d]) > 0' % c.params,
      labels: {
        severity: 'warning',
        team: 'mail',
      },
      annotations: {
        summary: 'The public {{ $labels.family }} address of {{ $labels.instance }} changed: it is dynamic',
        description: std.join(' ', [
          "The address {{ $labels.instance }}'s outbound traffic leaves from changed {{ $value |",
          'humanize }} time(s) in the last day; it is now {{ with printf',
          '"rdns_target_info{job=%q,instance=%q,target=\\"egress\\"}" $labels.job $labels.instance |',
          'query }}{{ range . }}{{ .Labels.ip }} {{ end }}{{ else }}unknown{{ end }}. Mail from a',
          'dynamic address is often rejected (dynamic-range block lists, generic PTR names), and',
          'every new address starts without reputation or a PTR you control.',
        ]),
        runbook: std.join(' ', [
          'Ask your provider for a static address (and a PTR record for it under your mail host',
          "name), or relay outbound mail through your provider's smarthost so receivers see its",
          'fixed, well-named address instead of yours.',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsSpfRecordBroken',
      comment:: |||
        [[targets]] spf_domain: the SPF record gave permerror (two records, an include loop,
        more than 10 lookups, a syntax error) or disappeared, and has for an hour. The
        exporter keeps monitoring the addresses it last found; receivers evaluating the
        record meanwhile get permerror too, which is a deliverability problem of its own.
      |||,
      expr: |||
        (rdns_discovery_success{%(m)ssource=~"spf:.+"} == 0)
        and on(job, instance, source)
        (increase(rdns_discovery_errors_total{%(m)skind="permerror"}[1h]) > 0)
      ||| % c.params,
      'for': '1h',
      labels: {
        severity: 'warning',
        team: 'mail',
      },
      annotations: {
        summary: 'The SPF record of {{ $labels.source }} is broken',
        description: std.join(' ', [
          '{{ $labels.instance }} cannot expand the SPF record of {{ $labels.source }} (permerror, or',
          'no SPF record at all) for an hour. Receivers that evaluate it get the same error and may',
          "reject or junk the domain's mail. The exporter keeps checking the addresses it found last.",
        ]),
        runbook: std.join(' ', [
          "The exporter's log has the reason (\"discovery failed\" with error=...). Check the record",
          'with `dig +short TXT <domain>`: exactly one "v=spf1" record, at most 10',
          'include/a/mx/ptr/exists/redirect lookups in all, no include loop, and every',
          'include:/redirect= target publishing a record of its own.',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsDiscoveryFailing',
      comment:: |||
        Any other discovery failing for an hour: SPF temperror (the DNS does not answer), or
        the egress lookup failing (echo servers unreachable, an answer without a public
        address). The addresses last found stay monitored; new ones are missed.
      |||,
      expr: |||
        (rdns_discovery_success%(s)s == 0)
        unless on(job, instance, source)
        (increase(rdns_discovery_errors_total{%(m)skind="permerror",source=~"spf:.+"}[1h]) > 0)
      ||| % c.params,
      'for': '1h',
      labels: {
        severity: 'warning',
        team: 'infra',
      },
      annotations: {
        summary: 'Target discovery {{ $labels.source }} fails on {{ $labels.instance }}',
        description: std.join(' ', [
          '{{ $labels.instance }} has not been able to discover the addresses of {{ $labels.source }}',
          'for an hour. It keeps checking the addresses it found last; addresses added since are not',
          'monitored.',
        ]),
        runbook: std.join(' ', [
          "The exporter's log has the reason (\"discovery failed\" with kind= and error=). For an SPF",
          'source, check the resolver ([resolver]) and `dig TXT <domain>`; for egress, check that the',
          'echo servers (egress_servers) are reachable over the family (`dig TXT',
          'o-o.myaddr.l.google.com @ns1.google.com`) and answer a public address.',
        ]),
      },
    }),
  ],
}
