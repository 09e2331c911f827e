// The `rdns-target-entries` alert group. Expressions are formatted with c.params: the selector
// (%(s)s: `{selector}` or nothing; %(m)s: `selector, ` or nothing) and the thresholds of
// _config. helpers.rule adds `for` overrides and runbook_url; helpers.withTarget the `target`
// join of a per-IP alert. A `comment::` goes above its rule in the rendered YAML.
local helpers = import 'helpers.libsonnet';
local rule = helpers.rule;

function(c) {
  name: 'rdns-target-entries',
  rules: [
    rule(c, {
      alert: 'RdnsTargetEntryFailing',
      comment:: |||
        Many IPs of one [[targets]] entry (a cidr) fail at once: one alert for the entry
        instead of one per IP. More than 10 IPs fail a check and they are more than half of
        the entry's decided IPs (pass + fail; undecided and pending ones do not count). The
        example Alertmanager config inhibits the per-IP team=mail alerts of the same
        job/instance/target while this fires; its `for:` is shorter than theirs so it is
        there first. `sum without(result)` keeps the entry's config labels.
      |||,
      expr: |||
        sum without(result) (rdns_target_ips{%(m)sresult="fail"}) > %(entryFailingMinIPs)s
        and
          sum without(result) (rdns_target_ips{%(m)sresult="fail"})
        / sum without(result) (rdns_target_ips{%(m)sresult=~"pass|fail"})
        > %(entryFailingShare)s
      ||| % c.params,
      'for': '5m',
      keep_firing_for: c.keepFiringFor,
      labels: {
        severity: 'critical',
        team: 'mail',
      },
      annotations: {
        summary: '{{ $value }} IPs of {{ $labels.target }} fail their rDNS checks',
        description: std.join(' ', [
          '{{ $value }} of {{ with printf "sum(rdns_target_ips{job=%q,instance=%q,target=%q})"',
          '$labels.job $labels.instance $labels.target | query }}{{ . | first | value }}{{ else }}?{{',
          'end }} IPs of the entry {{ $labels.target }} (seen by {{ $labels.instance }}) fail a',
          'check; PTR missing: {{ with printf',
          '"sum(rdns_target_check_failures{job=%q,instance=%q,target=%q,check=\\"ptr\\"}) or',
          'count(rdns_ptr_present{job=%q,instance=%q} == 0 and on(ip)',
          'rdns_target_info{job=%q,instance=%q,target=%q})" $labels.job $labels.instance',
          '$labels.target $labels.job $labels.instance $labels.job $labels.instance $labels.target |',
          'query }}{{ . | first | value }}{{ else }}0{{ end }}, FCrDNS failing: {{ with printf',
          '"sum(rdns_target_check_failures{job=%q,instance=%q,target=%q,check=\\"fcrdns\\"}) or',
          'count(rdns_fcrdns_pass{job=%q,instance=%q} == 0 and on(ip)',
          'rdns_target_info{job=%q,instance=%q,target=%q})" $labels.job $labels.instance',
          '$labels.target $labels.job $labels.instance $labels.job $labels.instance $labels.target |',
          'query }}{{ . | first | value }}{{ else }}0{{ end }}. So many at once usually means the',
          'reverse zone of the block was replaced or emptied, or its delegation changed. The per-IP',
          'alerts of this entry are held back while this fires.',
        ]),
        runbook: std.join(' ', [
          "`rdns_exporter check {{ $labels.target }}` (or the exporter's status page,",
          '`/?filter=failing`) lists the failing IPs and what each lacks. Ask the owner of the',
          'address block (ISP, hosting provider, cloud console) what changed in the reverse zone of',
          '{{ $labels.target }}.',
        ]),
      },
    }),
  ],
}
