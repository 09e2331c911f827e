// The knobs of the rdns_exporter mixin. Override any of them:
//   (import 'mixin.libsonnet') + { _config+:: { selector: 'namespace="mail"' } }
{
  _config+:: {
    // Label matchers ANDed into every series the rules and the dashboard select, e.g.
    // 'job="rdns-exporter"' or 'namespace="mail"'. Empty: whatever job Prometheus gave the
    // exporter (kubernetes-service-endpoints, a ServiceMonitor's service name, a static
    // job). The health alerts recognise an exporter by its own rdns_build_info, never by a
    // job name.
    selector: '',

    // How long an exporter target stays known after its last successful scrape: a target that
    // served rdns_build_info within this window and now fails its scrapes is an exporter down
    // (RdnsExporterDown); one that never did is someone else's target in the same job.
    exporterMemory: '1d',

    // `for:` of any alert, by name, e.g. { RdnsGenericHostname: '2h' }.
    forOverrides: {},
    // keep_firing_for of the record alerts: rides out failed scrapes and a restart's first cycle.
    keepFiringFor: '10m',

    // RdnsTargetEntryFailing: more than this many IPs of one [[targets]] entry fail...
    entryFailingMinIPs: 10,
    // ...and they are more than this share of the entry's decided IPs.
    entryFailingShare: 0.5,
    // RdnsLookupsFailing (the resolver) above this share of an exporter's checked IPs;
    // RdnsZoneLookupsFailing (a zone) at or below it.
    lookupsFailingShare: 0.5,
    // RdnsChecksStale: slack over 2 x interval + timeout before an IP counts as stale.
    staleSlackSeconds: 60,

    // Where each alert's runbook_url points: %s is the alert name in lower case.
    runbookURLPattern: 'https://github.com/rdns-exporter/rdns_exporter/blob/main/docs/runbook.md#%s',

    // Dashboard: the config label of [[targets]] (labels = { pool = "outbound" }) the
    // dashboard offers as a variable and filters on, and its title there.
    groupLabel: 'pool',
    groupLabelTitle: 'Pool',
    dashboardUID: 'rdns-exporter',
  },
}
