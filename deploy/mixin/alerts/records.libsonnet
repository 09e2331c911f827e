// The `rdns-records` alert group. Expressions are formatted with c.params: the selector
// (%(s)s: `{selector}` or nothing; %(m)s: `selector, ` or nothing) and the thresholds of
// _config. helpers.rule adds `for` overrides and runbook_url; helpers.withTarget the `target`
// join of a per-IP alert. A `comment::` goes above its rule in the rendered YAML.
local helpers = import 'helpers.libsonnet';
local rule = helpers.rule;

function(c) {
  name: 'rdns-records',
  rules: [
    rule(c, {
      alert: 'RdnsPtrMissing',
      comment:: |||
        Only authoritative NXDOMAIN/NODATA set rdns_ptr_present to 0; servfail/timeout/
        refused/bogus never do (they keep the last decisive value), so a resolver that fails
        every other lookup neither causes nor interrupts this alert. No `query` in the
        annotations: this is the alert a whole /16 raises at once, and a query per alert
        made one rule evaluation of 16,384 alerts take 83 s on 2 cores.
      |||,
      expr: helpers.withTarget(c, '(rdns_ptr_present%(s)s == 0)'),
      'for': '15m',
      keep_firing_for: c.keepFiringFor,
      labels: {
        severity: 'critical',
        team: 'mail',
      },
      annotations: {
        summary: 'No PTR record for {{ $labels.ip }}',
        description: std.join(' ', [
          'The reverse name of {{ $labels.ip }} ({{ if match "^[0-9]+\\\\.[0-9]+\\\\.[0-9]+\\\\.[0-9]+$"',
          '$labels.ip }}{{ reReplaceAll "^([0-9]+)\\\\.([0-9]+)\\\\.([0-9]+)\\\\.([0-9]+)$"',
          '"$4.$3.$2.$1.in-addr.arpa." $labels.ip }}{{ else }}its ip6.arpa name{{ end }}) has no PTR',
          'record: the authoritative answer was NXDOMAIN or NODATA (seen by {{ $labels.instance }}).',
          'Receivers reject or penalise mail from an IP without reverse DNS (Postfix',
          'reject_unknown_client_hostname, Gmail, RDNS_NONE).',
        ]),
        runbook: std.join(' ', [
          'Ask the owner of the address block (your ISP or hosting provider, or set it in the cloud',
          'console: AWS Elastic IP "reverse DNS", GCP "PTR record", Azure public IP "reverse FQDN")',
          'to add `{{ if match "^[0-9]+\\\\.[0-9]+\\\\.[0-9]+\\\\.[0-9]+$" $labels.ip }}{{ reReplaceAll',
          '"^([0-9]+)\\\\.([0-9]+)\\\\.([0-9]+)\\\\.([0-9]+)$" "$4.$3.$2.$1.in-addr.arpa." $labels.ip }}{{',
          'else }}<ip6.arpa name>{{ end }} IN PTR <your mail hostname>.` {{ if match',
          '"^[0-9]+\\\\.[0-9]+\\\\.[0-9]+\\\\.[0-9]+$" $labels.ip }}in the zone {{ reReplaceAll',
          '"^([0-9]+)\\\\.([0-9]+)\\\\.([0-9]+)\\\\.([0-9]+)$" "$3.$2.$1.in-addr.arpa." $labels.ip }} (or',
          'its RFC 2317 delegation){{ else }}in their ip6.arpa zone{{ end }}. The hostname must',
          'resolve back to {{ $labels.ip }} (A/AAAA) in your own zone. `rdns_exporter check {{',
          "$labels.ip }}` prints the exact record and the zone's SOA.",
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsForwardMismatch',
      comment:: |||
        FCrDNS: no PTR name resolves back to the IP. Absent (so silent) when undecidable.
        The exporter also says 0 for an IP without any PTR: RdnsPtrMissing covers that one.
      |||,
      expr: helpers.withTarget(c, '((rdns_fcrdns_pass%(s)s == 0) unless on(job, instance, ip) (rdns_ptr_present%(s)s == 0))'),
      'for': '15m',
      keep_firing_for: c.keepFiringFor,
      labels: {
        severity: 'critical',
        team: 'mail',
      },
      annotations: {
        summary: 'Forward-confirmed reverse DNS fails for {{ $labels.ip }}',
        description: std.join(' ', [
          'None of the PTR names of {{ $labels.ip }} ({{ with printf',
          '"rdns_ptr_info{job=%q,instance=%q,ip=%q}" $labels.job $labels.instance $labels.ip | query',
          '| sortByLabel "hostname" }}{{ range $i, $s := . }}{{ if $i }}, {{ end }}{{',
          '$s.Labels.hostname }}{{ end }}{{ else }}none{{ end }}) has an {{ if match ":" $labels.ip',
          '}}AAAA{{ else }}A{{ end }} record containing {{ $labels.ip }}. Receivers that require',
          "FCrDNS (Postfix reject_unknown_client_hostname, Gmail) reject or defer this IP's mail.",
        ]),
        runbook: std.join(' ', [
          'The forward record is in your own DNS: add `<PTR hostname> IN {{ if match ":" $labels.ip',
          '}}AAAA{{ else }}A{{ end }} {{ $labels.ip }}` to the zone of that hostname, or ask the',
          'address-block owner (ISP, hosting provider, cloud console) to point the PTR at a name of',
          'yours that already resolves to {{ $labels.ip }}. `rdns_exporter check {{ $labels.ip }}`',
          'shows both sides.',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsPtrHostnameInvalid',
      expr: helpers.withTarget(c, '((rdns_ptr_hostname_valid%(s)s == 0) unless on(job, instance, ip) (rdns_ptr_present%(s)s == 0))'),
      'for': '15m',
      keep_firing_for: c.keepFiringFor,
      labels: {
        severity: 'critical',
        team: 'mail',
      },
      annotations: {
        summary: 'PTR of {{ $labels.ip }} is not a valid host name',
        description: std.join(' ', [
          '{{ $labels.ip }} has a PTR name that is not a valid host name ({{ with printf',
          '"rdns_ptr_info{job=%q,instance=%q,ip=%q}" $labels.job $labels.instance $labels.ip | query',
          '| sortByLabel "hostname" }}{{ range $i, $s := . }}{{ if $i }}, {{ end }}{{',
          '$s.Labels.hostname }}{{ end }}{{ else }}none{{ end }}): only letters, digits and hyphens,',
          'labels of at most 63 octets, not all-numeric. Receivers treat such a name as no reverse',
          'DNS at all.',
        ]),
        runbook: std.join(' ', [
          'Ask the owner of the address block (ISP, hosting provider, cloud console) to replace the',
          'PTR of {{ $labels.ip }} with a plain host name of yours (`<reverse name> IN PTR',
          'mail.example.com.`, see `rdns_exporter check {{ $labels.ip }}`).',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsGenericHostname',
      comment:: |||
        A steady state rather than an event: a long window, and a warning.
      |||,
      expr: helpers.withTarget(c, '((rdns_generic_hostname%(s)s == 1) unless on(job, instance, ip) (rdns_ptr_present%(s)s == 0))'),
      'for': '30m',
      keep_firing_for: c.keepFiringFor,
      labels: {
        severity: 'warning',
        team: 'mail',
      },
      annotations: {
        summary: 'PTR of {{ $labels.ip }} looks like a generic (dynamic/residential) name',
        description: std.join(' ', [
          '{{ $labels.ip }} resolves to {{ with printf "rdns_ptr_info{job=%q,instance=%q,ip=%q}"',
          '$labels.job $labels.instance $labels.ip | query | sortByLabel "hostname" }}{{ range $i, $s',
          ':= . }}{{ if $i }}, {{ end }}{{ $s.Labels.hostname }}{{ end }}{{ else }}(no name){{ end',
          '}}, which looks ISP-assigned. SpamAssassin RDNS_DYNAMIC, rspamd HFILTER_HOSTNAME_* and',
          'large receivers penalise or refuse mail from such addresses.',
        ]),
        runbook: std.join(' ', [
          'Ask the owner of the address block (ISP, hosting provider, cloud console) for a custom PTR',
          '`<reverse name> IN PTR mail.<your domain>.` that also resolves back to {{ $labels.ip }}.',
          'If the name is really yours and not generic, add a regex for it to `[generic]',
          'allow_patterns` in the exporter config and reload.',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsExpectedHostnameMismatch',
      comment:: |||
        The drift check: the PTR no longer names the configured expected_hostname.
      |||,
      expr: helpers.withTarget(c, '((rdns_expected_hostname_match%(s)s == 0) unless on(job, instance, ip) (rdns_ptr_present%(s)s == 0))'),
      'for': '10m',
      keep_firing_for: c.keepFiringFor,
      labels: {
        severity: 'critical',
        team: 'mail',
      },
      annotations: {
        summary: 'PTR of {{ $labels.ip }} drifted from its expected hostname',
        description: std.join(' ', [
          '{{ $labels.ip }} now resolves to {{ with printf "rdns_ptr_info{job=%q,instance=%q,ip=%q}"',
          '$labels.job $labels.instance $labels.ip | query | sortByLabel "hostname" }}{{ range $i, $s',
          ':= . }}{{ if $i }}, {{ end }}{{ $s.Labels.hostname }}{{ end }}{{ else }}(no name){{ end',
          "}}, not the expected_hostname configured for it (the exporter's status page shows both).",
          'Someone changed the reverse zone.',
        ]),
        runbook: std.join(' ', [
          'If the change was intended, update `expected_hostname` for {{ $labels.ip }} in the',
          'exporter config and reload. Otherwise ask the owner of the address block (ISP, hosting',
          'provider, cloud console) to restore `<reverse name> IN PTR <expected_hostname>.`',
          "(`rdns_exporter check {{ $labels.ip }}` prints the record and the zone's SOA).",
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsHeloMismatch',
      expr: helpers.withTarget(c, '((rdns_helo_match%(s)s == 0) unless on(job, instance, ip) (rdns_ptr_present%(s)s == 0))'),
      'for': '15m',
      keep_firing_for: c.keepFiringFor,
      labels: {
        severity: 'warning',
        team: 'mail',
      },
      annotations: {
        summary: 'HELO name of {{ $labels.ip }} does not match its PTR',
        description: std.join(' ', [
          'The configured helo_hostname of {{ $labels.ip }} does not resolve to {{ $labels.ip }} or',
          'is not one of its PTR names ({{ with printf "rdns_ptr_info{job=%q,instance=%q,ip=%q}"',
          '$labels.job $labels.instance $labels.ip | query | sortByLabel "hostname" }}{{ range $i, $s',
          ':= . }}{{ if $i }}, {{ end }}{{ $s.Labels.hostname }}{{ end }}{{ else }}none{{ end }}).',
          'Receivers score a HELO that disagrees with reverse DNS as suspicious.',
        ]),
        runbook: std.join(' ', [
          'Make the MTA announce its PTR name (Postfix `smtp_helo_name`, Exim `helo_data`), make sure',
          '`<helo name> IN {{ if match ":" $labels.ip }}AAAA{{ else }}A{{ end }} {{ $labels.ip }}`',
          'exists in your zone, and keep `helo_hostname` in the exporter config equal to what the MTA',
          'sends.',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsPtrChanged',
      comment:: |||
        Informational: the set of PTR names changed within the last hour. One alert per
        current PTR name that is new, with that name as the `hostname` label.
        - `changes()` makes sure Prometheus saw the timestamp move, so a target seen for the
          first time does not fire;
        - an exporter that keeps no state across restarts sets the timestamp anew with its
          first answer after a restart. `unless ... offset 1h` drops names Prometheus already
          saw an hour ago, so a restart (same names) stays silent while a change that
          happened while the exporter was down still fires.
        The value is the time of the change (for the description without a `query`: a /16
        renumbered at once is 65,536 of these, and a query per alert would make each rule
        evaluation take minutes).
      |||,
      expr: |||
        (
          (
            rdns_ptr_info%(s)s
              and on(job, instance, ip) (time() - rdns_ptr_last_change_timestamp_seconds%(s)s < 3600)
              and on(job, instance, ip) (changes(rdns_ptr_last_change_timestamp_seconds%(s)s[1h]) > 0)
              unless on(job, instance, ip, hostname) (rdns_ptr_info%(s)s offset 1h)
          )
          * on(job, instance, ip) group_left() rdns_ptr_last_change_timestamp_seconds%(s)s
        )
          * on(job, instance, ip) group_left(target) rdns_target_info%(s)s
        # no rdns_target_info (an exporter older than the rules): the same alert without `target`
        or on(job, instance, ip, hostname)
        (
          (
            rdns_ptr_info%(s)s
              and on(job, instance, ip) (time() - rdns_ptr_last_change_timestamp_seconds%(s)s < 3600)
              and on(job, instance, ip) (changes(rdns_ptr_last_change_timestamp_seconds%(s)s[1h]) > 0)
              unless on(job, instance, ip, hostname) (rdns_ptr_info%(s)s offset 1h)
          )
          * on(job, instance, ip) group_left() rdns_ptr_last_change_timestamp_seconds%(s)s
        )
      ||| % c.params,
      labels: {
        severity: 'info',
        team: 'mail',
      },
      annotations: {
        summary: 'PTR of {{ $labels.ip }} changed: now {{ $labels.hostname }}',
        description: std.join(' ', [
          'The set of PTR names of {{ $labels.ip }} changed at {{ $value | humanizeTimestamp }}; it',
          'now includes {{ $labels.hostname }}.',
        ]),
        runbook: std.join(' ', [
          'Nothing to do if the change was planned. Otherwise find out who changed the reverse zone',
          '(the owner of the address block: ISP, hosting provider, cloud console) and watch for',
          'RdnsExpectedHostnameMismatch / RdnsForwardMismatch on {{ $labels.ip }}.',
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsDnssecBogus',
      comment:: |||
        A bogus answer is withheld from every verdict gauge; only the state set shows it.
        Not while the exporter's own trust anchors fail to validate the root
        (rdns_resolver_trust_anchor_valid 0): then every answer is bogus, which is one resolver
        problem, RdnsTrustAnchorInvalid, not a finding about each IP's zone.
      |||,
      expr: helpers.withTarget(c, |||
        (
            (rdns_ptr_lookup_status{%(m)sstatus="bogus"} == 1)
          unless on(job, instance) (rdns_resolver_trust_anchor_valid%(s)s == 0)
        )
      |||),
      'for': '15m',
      keep_firing_for: c.keepFiringFor,
      labels: {
        severity: 'critical',
        team: 'mail',
      },
      annotations: {
        summary: 'DNSSEC validation of the PTR of {{ $labels.ip }} fails (bogus)',
        description: std.join(' ', [
          'The reverse zone of {{ $labels.ip }} is signed but does not validate. Validating receivers',
          'get SERVFAIL for its PTR and treat the IP as having no reverse DNS.',
        ]),
        runbook: std.join(' ', [
          'Whoever signs the reverse zone of {{ $labels.ip }} (the owner of the address block) must',
          'fix it: expired RRSIGs, or a DS at the parent that no longer matches the DNSKEY after a',
          'key rollover (`delv -x {{ $labels.ip }}`, dnsviz.net). If every target turns bogus at',
          "once, suspect this exporter's trust anchor or clock instead.",
        ]),
      },
    }),
    rule(c, {
      alert: 'RdnsZoneLookupsFailing',
      comment:: |||
        One IP's lookups keep failing (servfail/timeout/refused for its PTR, or for the A/AAAA
        of its PTR names) while most of the exporter's lookups succeed: the resolver works,
        that zone's name servers do not. Receivers see the same failure and defer or reject
        the IP's mail, so this goes to the mail team, after a long window (short outages of
        a zone are common and harmless). Disjoint from RdnsLookupsFailing (team infra), which
        needs more than half of the IPs failing. The status is aggregated away, so an IP
        alternating between timeout and servfail keeps one alert and one `for:` timer.
        The share is taken of the checked IPs, rdns_target_ips{result!="pending"} (an entry with
        series = "failing" has no per-IP series for its passing IPs; the per-IP count is the
        fallback for an exporter without rdns_target_ips). An IP with a lookup problem has its
        per-IP series in both modes.
      |||,
      expr: |||
        (
            max without(status) (
                rdns_ptr_lookup_status{%(m)sstatus=~"servfail|timeout|refused"} == 1
              or
                rdns_forward_lookup_status{%(m)sstatus=~"servfail|timeout|refused"} == 1
            )
          and on(job, instance)
            (
                count by (job, instance) (
                  max without(status) (
                      rdns_ptr_lookup_status{%(m)sstatus=~"servfail|timeout|refused|error"} == 1
                    or
                      rdns_forward_lookup_status{%(m)sstatus=~"servfail|timeout|refused|error"} == 1
                  )
                )
              /
                (
                    sum by (job, instance) (rdns_target_ips{%(m)sresult!="pending"})
                  or
                    count by (job, instance) (rdns_ptr_lookup_status%(s)s == 1)
                )
              <= %(lookupsFailingShare)s
            )
        )
          * on(job, instance, ip) group_left(target) rdns_target_info%(s)s
        # no rdns_target_info (an exporter older than the rules): the same alert without `target`
        or on(job, instance, ip)
        (
            max without(status) (
                rdns_ptr_lookup_status{%(m)sstatus=~"servfail|timeout|refused"} == 1
              or
                rdns_forward_lookup_status{%(m)sstatus=~"servfail|timeout|refused"} == 1
            )
          and on(job, instance)
            (
                count by (job, instance) (
                  max without(status) (
                      rdns_ptr_lookup_status{%(m)sstatus=~"servfail|timeout|refused|error"} == 1
                    or
                      rdns_forward_lookup_status{%(m)sstatus=~"servfail|timeout|refused|error"} == 1
                  )
                )
              /
                (
                    sum by (job, instance) (rdns_target_ips{%(m)sresult!="pending"})
                  or
                    count by (job, instance) (rdns_ptr_lookup_status%(s)s == 1)
                )
              <= %(lookupsFailingShare)s
            )
        )
      ||| % c.params,
      'for': '2h',
      keep_firing_for: '30m',
      labels: {
        severity: 'warning',
        team: 'mail',
      },
      annotations: {
        summary: 'DNS lookups for {{ $labels.ip }} keep failing while others succeed',
        description: std.join(' ', [
          'For more than 2 hours the lookups of {{ $labels.ip }} have failed (PTR: {{ with printf',
          '"rdns_ptr_lookup_status{job=%q,instance=%q,ip=%q} == 1" $labels.job $labels.instance',
          '$labels.ip | query }}{{ (first .).Labels.status }}{{ else }}?{{ end }}; A/AAAA of its PTR',
          'names: {{ with printf "rdns_forward_lookup_status{job=%q,instance=%q,ip=%q} == 1"',
          '$labels.job $labels.instance $labels.ip | query }}{{ (first .).Labels.status }}{{ else',
          '}}none{{ end }}) while most other lookups of {{ $labels.instance }} succeed: the name',
          'servers of that zone do not answer. Receivers get the same failure and defer or reject',
          'mail from {{ $labels.ip }}. The verdicts shown are from the last decisive answer ({{ with',
          'printf "rdns_verdict_timestamp_seconds{job=%q,instance=%q,ip=%q}" $labels.job',
          '$labels.instance $labels.ip | query }}{{ . | first | value | humanizeTimestamp }}{{ else',
          '}}never{{ end }}).',
        ]),
        runbook: std.join(' ', [
          '`rdns_exporter check {{ $labels.ip }}` and `dig +trace -x {{ $labels.ip }}` show which',
          "name server fails. A failing PTR lookup is the reverse zone's: ask the owner of the",
          'address block (ISP, hosting provider) to fix its name servers or delegation. A failing',
          'A/AAAA lookup is the zone of your PTR name: fix your own DNS.',
        ]),
      },
    }),
  ],
}
