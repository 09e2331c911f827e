// GET /api/v1/targets: the rows of the "/" status page as one JSON document, for scripts. The
// same selection (status_rows.hpp: ?filter=, ?ip=, ?limit=, ?offset=) and the same order.
//
// {"version": 1,
//  "counts": {"failing": N, "undecided": N, "unchecked": N, "passing": N}, "total": N,
//  "matching": N, "offset": N, "limit": N, "filter": "all", "ip": "",
//  "targets": [{"ip", "state": "failing"|"undecided"|"unchecked"|"passing",
//               "expected_hostname": str|null, "helo_hostname": str|null, "labels": {..},
//               "result": null (not checked yet) | {
//                 "verdict": "pass"|"fail"|"unknown", "ptr_status", "ptr_hostnames": [..],
//                 "forward_status": str|null, "ptr_present", "fcrdns_pass", "ptr_hostname_valid",
//                 "generic", "expected_hostname_match", "helo_match": bool|null,
//                 "generic_reason": str|null, "dnssec_secure": bool, "ptr_ttl": N,
//                 "checked_at": "RFC 3339 UTC"}}]}
// null means "not applicable or not decidable", never "failed". Pure; thread-safe.
#pragma once

#include <string>

#include "agent/status/status_rows.hpp"

namespace rdns::agent {

std::string render_status_json(const StatusPageModel& model, const StatusPageQuery& query);

}  // namespace rdns::agent
