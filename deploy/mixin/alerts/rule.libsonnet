// One alerting rule with the _config applied: a `for` from _config.forOverrides (by alert
// name) wins over the rule's own, and runbook_url is built from _config.runbookURLPattern.
function(c, r)
  r {
    [if std.objectHas(c.forOverrides, r.alert) then 'for']: c.forOverrides[r.alert],
    annotations+: { runbook_url: c.runbookURLPattern % std.asciiLower(r.alert) },
  }
