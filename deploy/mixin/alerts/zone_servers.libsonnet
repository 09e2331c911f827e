// The `rdns-zone-servers` alert group. Expressions are formatted with c.params: the selector
// (%(s)s: `{selector}` or nothing; %(m)s: `selector, ` or nothing) and the thresholds of
// _config. helpers.rule adds `for` overrides and runbook_url; helpers.withTarget the `target`
// join of a per-IP alert. A `comment::` goes above its rule in the rendered YAML.
local helpers = import 'helpers.libsonnet';
local rule = helpers.rule;

function(c) {
  name: 'rdns-zone-servers',
  comment:: |||
    Every authoritative server of each reverse zone, asked directly by the exporter
    ([resolver] zone_servers). A resolver outage never reaches these series: a survey whose
    NS or address lookup failed leaves the previous survey (and rdns_ptr_consistent) in place,
    and the direct questions do not go through the resolver. An outage of the exporter's own
    network makes every server unreachable at once, which the "while others answer" clauses
    below never match.
  |||,
  rules: [
    rule(c, {
      alert: 'RdnsPtrInconsistent',
      comment:: |||
        The zone's servers serve different PTR sets for the IP: a secondary that has not
        transferred the zone since the change (or two primaries). After a change, NOTIFY
        brings secondaries up to date within seconds, and without it the SOA refresh
        (commonly 1h) at the latest: inconsistent for longer than that is a broken transfer.
      |||,
      expr: helpers.withTarget(c, '(rdns_ptr_consistent%(s)s == 0)'),
      'for': '1h',
      keep_firing_for: c.keepFiringFor,
      labels: {
        severity: 'warning',
        team: 'mail',
      },
      annotations: {
        summary: "The reverse zone's name servers serve different PTRs for {{ $labels.ip }}",
        description: std.join(' ', [
          'For more than an hour the authoritative servers of the reverse zone of {{ $labels.ip }}',
          'have not served the same PTR set: receivers whose resolver asks the stale server see',
          'another name (or none) and may reject or defer the mail.',
        ]),
        runbook: std.join(' ', [
          '`rdns_exporter check {{ $labels.ip }}` lists each server with its SOA serial and what it',
          'serves, and names whoever runs the zone (SOA RNAME). Ask them to check the zone transfer',
          'to the stale server (NOTIFY, allow-transfer, its refresh).',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsZoneNameserverDown',
      comment:: |||
        One address of a reverse zone's name server is lame (REFUSED, SERVFAIL, not
        authoritative, another zone) or unreachable while another server of the same zone
        answers, and most server addresses the exporter asks answer (so a broken IPv6 or
        network path of the exporter itself stays quiet).
      |||,
      expr: |||
        (rdns_zone_nameserver_up%(s)s == 0)
          and on(job, instance, zone)
        (max by (job, instance, zone) (rdns_zone_nameserver_up%(s)s) == 1)
          and on(job, instance)
        (avg by (job, instance) (rdns_zone_nameserver_up%(s)s) >= 0.5)
      ||| % c.params,
      'for': '30m',
      keep_firing_for: c.keepFiringFor,
      labels: {
        severity: 'warning',
        team: 'mail',
      },
      annotations: {
        summary: std.join(' ', [
          'Name server {{ $labels.nameserver }} ({{ $labels.address }}) of {{ $labels.zone }} does',
          'not answer',
        ]),
        description: std.join(' ', [
          '{{ $labels.nameserver }} at {{ $labels.address }} has not answered authoritatively for {{',
          '$labels.zone }} for 30 minutes while another server of the zone does. Receivers whose',
          'resolver picks it wait or fail: Postfix answers such mail with a temporary 450 ("cannot',
          'find your hostname"), so mail is late from some receivers and not others.',
        ]),
        runbook: std.join(' ', [
          '`dig @{{ $labels.address }} {{ $labels.zone }} SOA +norec` shows the answer (or its',
          'absence). Ask whoever runs {{ $labels.zone }} (the SOA RNAME, shown by `rdns_exporter',
          'check` for an IP of the zone) to fix the server or remove its NS record.',
        ]),
      },
    }),
  ],
}
