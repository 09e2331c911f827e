// Helpers of the alert group files.
{
  // One alerting rule with the _config applied: a `for` from _config.forOverrides (by alert
  // name) wins over the rule's own, and runbook_url is built from _config.runbookURLPattern.
  rule(c, r)::
    r {
      [if std.objectHas(c.forOverrides, r.alert) then 'for']: c.forOverrides[r.alert],
      annotations+: { runbook_url: c.runbookURLPattern % std.asciiLower(r.alert) },
    },

  // A per-IP condition with the IP's [[targets]] entry as the label `target`, joined from
  // rdns_target_info; from an exporter older than the rules (no rdns_target_info) the same
  // alert without `target`. `cond` is formatted with c.params like any expression.
  withTarget(c, cond)::
    local p = c.params { cond: std.rstripChars(std.format(cond, c.params), '\n') };
    |||
      %(cond)s
        * on(job, instance, ip) group_left(target) rdns_target_info%(s)s
      # no rdns_target_info (an exporter older than the rules): the same alert without `target`
      or on(job, instance, ip)
      %(cond)s
    ||| % p,
}
