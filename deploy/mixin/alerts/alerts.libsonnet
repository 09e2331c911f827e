// The alert groups, one file each. A new group: add its file here.
{
  prometheusAlerts+:: {
    local sel = $._config.selector,
    // What the expressions are formatted with: the selector in both spellings and the thresholds.
    local c = $._config {
      params: $._config {
        s: if sel == '' then '' else '{' + sel + '}',
        m: if sel == '' then '' else sel + ', ',
      },
    },
    groups+: [
      (import 'records.libsonnet')(c),
      (import 'target_entries.libsonnet')(c),
      (import 'discovery.libsonnet')(c),
      (import 'monitoring.libsonnet')(c),
      (import 'zone_servers.libsonnet')(c),
    ],
  },
}
