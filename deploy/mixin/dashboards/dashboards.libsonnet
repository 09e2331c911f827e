// The Grafana dashboard: rdns_exporter.json is the dashboard with tokens where _config
// decides (Grafana's own $variables stay as they are):
//   __SEL__        the selector followed by ", " (nothing when it is empty), inside {...}
//   __SELB__       the selector in braces (nothing when it is empty), after a metric name
//   __GROUP__      _config.groupLabel: the label name, its variable, its filter
//   __GROUP_TITLE__ its title in the variable bar
//   __MEMORY__     _config.exporterMemory: how long a scrape target counts as an exporter
//   __UID__        _config.dashboardUID
local replaceAll(x, pairs) =
  if std.isString(x) then std.foldl(function(s, p) std.strReplace(s, p[0], p[1]), pairs, x)
  else if std.isArray(x) then [replaceAll(v, pairs) for v in x]
  else if std.isObject(x) then { [k]: replaceAll(x[k], pairs) for k in std.objectFields(x) }
  else x;

{
  grafanaDashboards+:: {
    local c = $._config,
    // Longest tokens first: __GROUP_TITLE__ before __GROUP__, __SELB__ before __SEL__.
    local pairs = [
      ['__GROUP_TITLE__', c.groupLabelTitle],
      ['__GROUP__', c.groupLabel],
      ['__SELB__', if c.selector == '' then '' else '{' + c.selector + '}'],
      ['__SEL__', if c.selector == '' then '' else c.selector + ','],
      ['__MEMORY__', c.exporterMemory],
      ['__UID__', c.dashboardUID],
    ],
    'rdns_exporter.json': replaceAll(import 'rdns_exporter.json', pairs),
  },
}
